"""Observed Dutch figures (data/targets.yaml) and the model outputs they are compared with.

Two kinds of target: base rates (levels, compared as log ratios) and the CPB (2020) wijkteam
comparison (growth 2013-2018 by group, compared in percentage points against a tolerance).
One objective covers both, so a single parameter set is fitted to all of them.
"""

from __future__ import annotations


import numpy as np
import yaml

from model import paths
from model.engine.results import select
from model.care.services import HOSPITAL_SERVICES, NULDE, SERVICES, WMO_SERVICES

NULDE_SERVICES = tuple(s.name for s in SERVICES if s.line == NULDE)

TARGETS_FILE = paths.data_dir() / "targets.yaml"
NOT_MODELLED: set[str] = set()
# CPB growth targets and the tolerance (fraction) each must be met within; a miss of one
# tolerance weighs as much in the objective as a 15% miss on a base rate
CPB_TOLERANCE = {"residential_growth_high": 0.04, "residential_growth_low": 0.04, "specialist_growth_all": 0.03}
BASE_RATE_WEIGHT = np.log(1.15)
DEFAULT_TOLERANCE = 0.15  # relative miss accepted for a base rate unless its entry gives `tolerance`


def observed() -> dict[str, dict]:
    """Base-rate targets: name -> entry with value, unit, source, model (the CPB block excluded)."""
    data = yaml.safe_load(TARGETS_FILE.read_text())
    return {k: v for k, v in data.items() if k != "cpb_wijkteam"}


def fitted_targets() -> dict[str, dict]:
    """The base-rate targets in the objective: modelled, and not marked `fitted: false`."""
    return {k: v for k, v in observed().items() if k not in NOT_MODELLED and v.get("fitted", True)}


def tolerance(entry: dict) -> float:
    """Relative miss accepted for a base-rate target."""
    return float(entry.get("tolerance", DEFAULT_TOLERANCE))


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

    def by_income(metric, income):  # over all months, for one income group
        return float(select(region, metric, group=f"income_{income}")["value"].sum())

    def low_high_ratio(metric, per):  # low-income over high-income rate, each per `per` of its group
        rate = {g: by_income(metric, g) / max(by_income(per, g), 1.0) for g in ("low", "high")}
        return rate["low"] / max(rate["high"], 1e-12)

    jeugdhulp = total("jeugdhulp_clients_year")
    acute = total("hospital_acute_admissions")
    return {
        "youth_jeugdhulp_low_high_ratio": low_high_ratio("jeugdhulp_clients_year", "children"),
        "gp_consults_low_high_ratio": low_high_ratio("gp_consults", "residents"),
        "gp_contact_share": results.summary["gp_contact_share"],
        "gp_contacts_per_resident": total("gp_consults") * per_resident_year,
        "poh_ggz_consults_per_1000": 1000 * total("contacts_poh_ggz") * per_resident_year,
        "gp_social_cause_share": total("gp_consults_social_cause") / max(total("gp_consults"), 1.0),
        "youth_jeugdhulp_share": jeugdhulp / max(total("children"), 1.0),
        "youth_wijkteam_share_of_jeugdhulp": total("wijkteam_jeugdhulp_children_year") / max(jeugdhulp, 1.0),
        "youth_residential_share": total("youth_residential_clients_year") / max(jeugdhulp, 1.0),
        "ggz_adults_per_1000": 1000 * total("ggz_adult_clients_year") * per_resident_year,
        "wmo_clients_per_1000": 1000 * total("wmo_clients_year") * per_resident_year,
        "wmo_household_clients_per_1000": 1000 * total("wmo_household_clients_year") * per_resident_year,
        "wijkverpleging_users_per_1000": 1000 * total("wijkverpleging_users_year") * per_resident_year,
        "hospital_admitted_per_1000": 1000 * total("hospital_admitted_year") * per_resident_year,
        # admissions are acute (emergencies, crises) or planned; a hospital episode after the GP's
        # referral is specialist treatment, mostly outpatient
        "hospital_acute_admission_share": acute / max(acute + total("contacts_hospital_planned"), 1.0),
        "gp_top10_share": float(select(region, "gp_top10_share")["value"].mean()),
        "cost_huisartsenzorg_per_resident": cost("gp", "poh_ggz", "gp_chronic_care"),
        "cost_msz_per_resident": cost(*HOSPITAL_SERVICES),
        "cost_ggz_per_resident": cost("specialist_ggz"),
        "cost_jeugdzorg_per_resident": cost("youth_ambulant", "youth_residential"),
        "cost_wmo_per_resident": cost(*WMO_SERVICES),
        "cost_wijkverpleging_per_resident": cost("wijkverpleging"),
        "cost_nulde_lijn_per_resident": cost(*NULDE_SERVICES),
        "cost_algemene_voorzieningen_per_resident": cost(*NULDE_SERVICES, "wijkteam"),
        "hospital_patient_share": total("hospital_patients_year") / max(residents * years, 1.0),
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
                     "tolerance": tolerance(entry),
                     "within_tolerance": bool(abs(model_value - obs) <= tolerance(entry) * obs),
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
    fitted base rates (`fitted_targets`), scaled so that a miss of a target's tolerance counts as
    a 15% miss; for the CPB growth targets (when present) the miss in units of its tolerance,
    scaled so a miss of one tolerance counts as a 15% base-rate miss, plus the same for a
    non-residential group difference that exceeds the residential one."""
    errors = [(np.log(max(figures[name], 1e-9) / float(entry["value"])) * BASE_RATE_WEIGHT
               / np.log(1.0 + tolerance(entry))) ** 2
              for name, entry in fitted_targets().items()]
    if all(name in figures for name in CPB_TOLERANCE):
        cpb = cpb_targets()
        for name, points in CPB_TOLERANCE.items():
            miss = figures[name] - float(cpb[name]) if np.isfinite(figures[name]) else 10.0
            errors.append((BASE_RATE_WEIGHT * miss / points) ** 2)
        errors.append((BASE_RATE_WEIGHT * cpb_gap_excess(figures) / 0.04) ** 2)
    return float(np.mean(errors))
