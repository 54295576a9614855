"""Observed Dutch figures (data/targets.yaml) and the model outputs they are compared with.

Two kinds of target: base rates (levels, compared as log ratios) and the CPB (2020) wijkteam
comparison (growth 2013-2018 by group, compared in percentage points against a tolerance).
One objective covers both, so a single parameter set is fitted to all of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from model.results import select

TARGETS_FILE = Path(__file__).resolve().parent.parent / "data" / "targets.yaml"
NOT_MODELLED = {"wijkverpleging_users_per_1000"}
# CPB growth targets and the tolerance (fraction) each must be met within; a miss of one
# tolerance weighs as much in the objective as a 15% miss on a base rate
CPB_TOLERANCE = {"residential_growth_high": 0.04, "residential_growth_low": 0.04, "specialist_growth_all": 0.03}
BASE_RATE_WEIGHT = np.log(1.15)


def observed() -> dict[str, dict]:
    """Base-rate targets: name -> entry with value, unit, source, model (the CPB block excluded)."""
    data = yaml.safe_load(TARGETS_FILE.read_text())
    return {k: v for k, v in data.items() if k != "cpb_wijkteam"}


def fitted_targets() -> dict[str, dict]:
    """The base-rate targets in the objective: modelled, and not marked `fitted: false`."""
    return {k: v for k, v in observed().items() if k not in NOT_MODELLED and v.get("fitted", True)}


def cpb_targets() -> dict:
    return yaml.safe_load(TARGETS_FILE.read_text())["cpb_wijkteam"]


def cpb_gap_excess(figures: dict[str, float]) -> float:
    """How far the group difference in non-residential specialist youth care exceeds that in
    residential care (CPB: the non-residential difference is smaller); 0 when it is smaller."""
    residential = figures["residential_growth_low"] - figures["residential_growth_high"]
    other = figures["nonresidential_growth_low"] - figures["nonresidential_growth_high"]
    return max(0.0, abs(other) - abs(residential))


def model_figures(results) -> dict[str, float]:
    """The model's value for every base-rate target, from one run (yearly averages)."""
    ts = results.timeseries
    region = ts[ts["municipality"] == "region"]

    def total(metric):  # over all months, for everyone (the metric's total row)
        return float(select(region, metric)["value"].sum())

    years = results.config.years
    residents = results.summary["residents_mean"]
    per_resident_year = 1.0 / (residents * years)
    care = results.ledger[results.ledger["kind"] == "care"]
    by_type = care.groupby("provider_type", observed=True)["amount"].sum()

    def cost(*types):
        return float(sum(by_type.get(t, 0.0) for t in types)) * per_resident_year

    jeugdhulp = total("jeugdhulp_clients_year")
    return {
        "gp_contact_share": results.summary["gp_contact_share"],
        "gp_contacts_per_resident": total("gp_consults") * per_resident_year,
        "poh_ggz_consults_per_1000": 1000 * total("contacts_poh_ggz") * per_resident_year,
        "gp_social_cause_share": total("gp_consults_social_cause") / max(total("gp_consults"), 1.0),
        "youth_jeugdhulp_share": jeugdhulp / max(total("children"), 1.0),
        "youth_residential_share": total("youth_residential_clients_year") / max(jeugdhulp, 1.0),
        "ggz_adults_per_1000": 1000 * total("ggz_adult_clients_year") * per_resident_year,
        "wmo_clients_per_1000": 1000 * total("wmo_clients_year") * per_resident_year,
        "cost_huisartsenzorg_per_resident": cost("gp", "poh_ggz"),
        "cost_msz_per_resident": cost("hospital"),
        "cost_ggz_per_resident": cost("specialist_ggz"),
        "cost_jeugdzorg_per_resident": cost("youth_ambulant", "youth_residential"),
        "wijkverpleging_users_per_1000": float("nan"),
    }


def comparison(figures: dict[str, float]) -> list[dict]:
    """Rows target, model, observed, relative_error for every base-rate target, and for the
    CPB growth targets when the figures hold them."""
    rows = []
    for name, entry in observed().items():
        model_value = figures.get(name, float("nan"))
        obs = float(entry["value"])
        rows.append({"target": name, "model": model_value, "observed": obs,
                     "relative_error": (model_value - obs) / obs if np.isfinite(model_value) else float("nan"),
                     "within_tolerance": bool(abs(model_value - obs) <= 0.15 * obs),
                     "fitted": name in fitted_targets(), "why_not_fitted": entry.get("why_not_fitted", ""),
                     "unit": entry["unit"], "source": entry["source"]})
    cpb = cpb_targets()
    for name in CPB_TOLERANCE:
        if name in figures:
            obs = float(cpb[name])
            rows.append({"target": f"cpb_{name}", "model": figures[name], "observed": obs,
                         "relative_error": (figures[name] - obs) / obs,
                         "within_tolerance": bool(abs(figures[name] - obs) <= CPB_TOLERANCE[name]),
                         "fitted": True, "why_not_fitted": "", "unit": cpb["unit"], "source": cpb["source"]})
    return rows


def objective(figures: dict[str, float]) -> float:
    """Mean squared error over the targets (0 = perfect): log ratio of model to observed for the
    fitted base rates (`fitted_targets`); for the CPB growth targets (when present) the miss in units of its tolerance,
    scaled so a miss of one tolerance counts as a 15% base-rate miss, plus the same for a
    non-residential group difference that exceeds the residential one."""
    errors = [np.log(max(figures[name], 1e-9) / float(entry["value"])) ** 2
              for name, entry in fitted_targets().items()]
    if all(name in figures for name in CPB_TOLERANCE):
        cpb = cpb_targets()
        for name, tolerance in CPB_TOLERANCE.items():
            miss = figures[name] - float(cpb[name]) if np.isfinite(figures[name]) else 10.0
            errors.append((BASE_RATE_WEIGHT * miss / tolerance) ** 2)
        errors.append((BASE_RATE_WEIGHT * cpb_gap_excess(figures) / 0.04) ** 2)
    return float(np.mean(errors))
