"""Observed Dutch figures (data/targets.yaml) and the model outputs they are compared with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

TARGETS_FILE = Path(__file__).resolve().parent.parent / "data" / "targets.yaml"
NOT_MODELLED = {"wijkverpleging_users_per_1000"}


def observed() -> dict[str, dict]:
    """Base-rate targets: name -> entry with value, unit, source, model (the CPB block excluded)."""
    data = yaml.safe_load(TARGETS_FILE.read_text())
    return {k: v for k, v in data.items() if k != "cpb_wijkteam"}


def cpb_targets() -> dict:
    return yaml.safe_load(TARGETS_FILE.read_text())["cpb_wijkteam"]


def model_figures(results) -> dict[str, float]:
    """The model's value for every base-rate target, from one run (yearly averages)."""
    ts = results.timeseries
    region = ts[(ts["municipality"] == "region") & (ts["group"] == "")]

    def total(metric, **dims):
        sel = region["metric"] == metric
        for key, value in dims.items():
            sel &= region[key] == value
        return float(region.loc[sel, "value"].sum())

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
    """Rows target, model, observed, relative_error for every base-rate target."""
    rows = []
    for name, entry in observed().items():
        model_value = figures.get(name, float("nan"))
        obs = float(entry["value"])
        rows.append({"target": name, "model": model_value, "observed": obs,
                     "relative_error": (model_value - obs) / obs if np.isfinite(model_value) else float("nan"),
                     "unit": entry["unit"], "source": entry["source"]})
    return rows


def objective(figures: dict[str, float]) -> float:
    """Mean squared log ratio of model to observed over the modelled targets (0 = perfect)."""
    errors = [np.log(max(figures[name], 1e-9) / float(entry["value"])) ** 2
              for name, entry in observed().items() if name not in NOT_MODELLED]
    return float(np.mean(errors))
