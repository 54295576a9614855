"""Results of one run: the tidy timeseries, the ledger, a summary of headline figures, and saving."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from model.parameters import Config


@dataclass
class Results:
    """What `model.run` returns.

    Attributes:
        timeseries: tidy DataFrame (month, municipality, metric, line, to_line, domain,
            financier, group, value); municipality "region" is the total or region mean.
        ledger: every payment (month, payer, payee, provider_type, municipality, line, domain,
            group, kind, amount) in euro.
        summary: headline figures (yearly averages over the run, region level).
        config: the configuration that produced them.
    """

    timeseries: pd.DataFrame
    ledger: pd.DataFrame
    summary: dict
    config: Config

    def metric(self, name: str, municipality: str = "region", **dims) -> pd.Series:
        """One metric as a monthly series, summed over the dimensions not given."""
        ts = self.timeseries
        sel = (ts["metric"] == name) & (ts["municipality"] == municipality)
        for key, value in dims.items():
            sel &= ts[key] == value
        return ts[sel].groupby("month", observed=True)["value"].sum()

    def save(self, folder: str | Path, figures: bool = True) -> Path:
        """Write tables (CSV and Parquet), summary, resolved config and the overview figure.

        Writes into a temporary sibling folder first and renames it at the end, so an
        interrupted save leaves no half-written run folder.
        """
        folder = Path(folder)
        tmp = folder.with_name(folder.name + ".partial")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        try:
            for name, df in (("timeseries", self.timeseries), ("ledger", self.ledger)):
                df.to_parquet(tmp / f"{name}.parquet", index=False)
                df.to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "summary.json").write_text(json.dumps(self.summary, indent=2))
            (tmp / "config.yaml").write_text(config_yaml(self.config))
            if figures:
                from analysis.figures import overview_figure
                overview_figure(self, tmp / "overview.png")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
        return folder


def config_yaml(config: Config) -> str:
    return OmegaConf.to_yaml(OmegaConf.structured(config))


def summarise(ts: pd.DataFrame, ledger: pd.DataFrame, config: Config) -> dict:
    """Headline figures: yearly averages over the run for the region."""
    region = ts[ts["municipality"] == "region"]
    years = config.years

    def total(metric, **dims):
        sel = region["metric"] == metric
        for k, v in dims.items():
            sel &= region[k] == v
        return float(region.loc[sel, "value"].sum())

    def monthly_mean(metric, **dims):
        return total(metric, **dims) / (12 * years)

    def last_year_mean(metric, **dims):
        sel = (region["metric"] == metric) & (region["month"] >= 12 * (years - 1))
        for k, v in dims.items():
            sel &= region[k] == v
        return float(region.loc[sel, "value"].mean())

    residents = monthly_mean("residents", group="")
    care = ledger[ledger["kind"] == "care"]
    out = {
        "scenario": "+".join(config.scenario) or "baseline",
        "seed": config.seed,
        "years": years,
        "residents_mean": residents,
        "residents_end": float(region[(region["metric"] == "residents") & (region["group"] == "")]
                               .sort_values("month")["value"].iloc[-1]),
        "scale_to_netherlands": config.region.netherlands_population / max(residents, 1),
        "clients": {ln: monthly_mean("clients", line=ln, group="") for ln in ("nulde", "eerste", "tweede")},
        "new_episodes_per_year": {ln: total("new_episodes", line=ln) / years for ln in ("nulde", "eerste", "tweede")},
        "contacts_per_year": {ln: total("contacts", line=ln) / years for ln in ("nulde", "eerste", "tweede")},
        "cost_per_year_by_financier": {str(k): float(v) / years for k, v in
                                       care.groupby("payer", observed=True)["amount"].sum().items()},
        "cost_per_year_by_line": {str(k): float(v) / years for k, v in
                                  care.groupby("line", observed=True)["amount"].sum().items()},
        "cost_per_year_total": float(care["amount"].sum()) / years,
        "contributions_per_year": {str(k): float(v) / years for k, v in
                                   ledger[ledger["kind"] == "contribution"].groupby("payer", observed=True)
                                   ["amount"].sum().items()},
        "crises_per_year": total("crises", group="") / years,
        "waiting": {ln: monthly_mean("waiting", line=ln) for ln in ("nulde", "eerste", "tweede")},
        "unmet_need": monthly_mean("unmet_need", group=""),
        "health_last_year": {d: last_year_mean("health", domain=d, group="") for d in ("physical", "mental", "social")},
        "need_share_last_year": {d: last_year_mean("need_share", domain=d, group="")
                                 for d in ("physical", "mental", "social")},
        "health_gap_last_year": last_year_mean("health_gap"),
        "gp_consults_per_resident_per_year": total("gp_consults", group="") / years / max(residents, 1),
        "gp_social_cause_share": total("gp_consults_social_cause") / max(total("gp_consults", group=""), 1),
        "gp_contact_share": float(region.loc[region["metric"] == "gp_contact_share", "value"].mean()),
        "youth_care_residential": monthly_mean("youth_care_residential"),
        "youth_care_ambulant": monthly_mean("youth_care_ambulant"),
        "wmo_clients": monthly_mean("wmo_clients"),
        "relapses_per_year": total("relapses") / years,
        "productivity_loss_per_year": total("productivity_loss") / years,
    }
    out["cost_per_resident_per_year"] = out["cost_per_year_total"] / max(residents, 1)
    return _plain(out)


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (np.floating, float)):
        return None if np.isnan(x) else float(x)
    return x
