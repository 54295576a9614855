"""Results of one run: the tidy timeseries, the ledger, a summary of headline figures, and saving."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from model import provenance
from model.engine.outcomes import DIMENSIONS
from model.parameters import Config


def select(ts: pd.DataFrame, metric: str, municipality: str | None = None, **dims) -> pd.DataFrame:
    """The rows of `metric` with the given dimension values and every other dimension at its
    total (empty): one row per month and municipality (for one municipality, per month).

    A total over a dimension is a row of its own (see `model.engine.outcomes`), so rows are selected,
    never summed."""
    unknown = set(dims) - set(DIMENSIONS)
    if unknown:
        raise TypeError(f"unknown dimension(s) {sorted(unknown)}; the dimensions are {DIMENSIONS}")
    sel = ts["metric"] == metric
    if municipality is not None:
        sel &= ts["municipality"] == municipality
    for dim in DIMENSIONS:
        sel &= ts[dim] == dims.get(dim, "")
    return ts[sel]


class _RowFinder:
    """`select` for many look-ups in the rows of `ts` where `where` holds: the metric and
    dimension columns are turned into integer codes once, so each look-up compares one array of
    integers instead of six columns of labels. Gives the month and value of the rows `select`
    gives, in the same order."""

    COLUMNS = ("metric", *DIMENSIONS)

    def __init__(self, ts: pd.DataFrame, where):
        where = np.asarray(where, dtype=bool)
        self.ts = ts.loc[where, ["month", "value"]]
        self.code_of = []
        key = np.zeros(len(self.ts), dtype=np.int64)
        for column in self.COLUMNS:
            values = ts[column]
            if isinstance(values.dtype, pd.CategoricalDtype):
                categories, codes = list(values.cat.categories), values.cat.codes.to_numpy()[where]
            else:
                codes, categories = pd.factorize(values.to_numpy()[where])
                categories = list(categories)
            self.code_of.append(({name: i for i, name in enumerate(categories)}, len(categories) + 1))
            key = key * (len(categories) + 1) + codes.astype(np.int64) + 1  # 0: missing
        self.key = key

    def __call__(self, metric: str, **dims) -> pd.DataFrame:
        unknown = set(dims) - set(DIMENSIONS)
        if unknown:
            raise TypeError(f"unknown dimension(s) {sorted(unknown)}; the dimensions are {DIMENSIONS}")
        wanted = 0
        for (codes, size), value in zip(self.code_of, (metric, *(dims.get(d, "") for d in DIMENSIONS))):
            code = codes.get(value)
            if code is None:  # a label the table does not hold: no rows
                return self.ts.iloc[:0]
            wanted = wanted * size + code + 1
        return self.ts.iloc[np.flatnonzero(self.key == wanted)]


@dataclass
class Results:
    """What `model.run` returns.

    Attributes:
        timeseries: tidy DataFrame (month, municipality, metric, line, to_line, domain,
            financier, group, value); municipality "region" is the total or region mean, and an
            empty dimension the total over that dimension (`model.engine.outcomes`).
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
        """One metric as a monthly series, for the given dimension values and the total over
        the dimensions not given."""
        return select(self.timeseries, name, municipality, **dims).set_index("month")["value"]

    def save(self, folder: str | Path, extra=None) -> Path:
        """Write tables (CSV and Parquet), summary and resolved config; `extra(results, folder)`
        may add files (the command line adds the overview figure, `analysis.figures`).

        Writes into a temporary sibling folder first and renames it at the end, so an
        interrupted save leaves no half-written run folder; the last file written is
        COMPLETE.json (`model.provenance`: carelines and package versions, the command, when).
        """
        folder = Path(folder)
        if folder.is_dir() and any(folder.iterdir()) and not (
                provenance.is_complete(folder) or (folder / "summary.json").exists()):
            raise FileExistsError(f"{folder} exists and holds something else than a run; allowed is a new or "
                                  "empty folder, or an earlier run's folder (it is replaced)")
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
            if extra is not None:
                extra(self, tmp)
            provenance.write_marker(tmp, "run", {"scenario": self.config.scenario_name, "seed": self.config.seed})
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
    years = config.years
    rows_of = _RowFinder(ts, ts["municipality"] == "region")

    def total(metric, **dims):  # over all months; dimensions not given at their total
        return float(rows_of(metric, **dims)["value"].sum())

    def monthly_mean(metric, **dims):
        return total(metric, **dims) / (12 * years)

    def last_year_mean(metric, **dims):
        rows = rows_of(metric, **dims)
        return float(rows.loc[rows["month"] >= 12 * (years - 1), "value"].mean())

    residents = monthly_mean("residents")
    ledger = ledger[["payer", "line", "kind", "amount"]]  # filtered below: only the columns used
    care = ledger[ledger["kind"] == "care"]
    out = {
        "scenario": "+".join(config.scenario) or "baseline",
        "seed": config.seed,
        "years": years,
        "residents_mean": residents,
        "residents_end": float(rows_of("residents").sort_values("month")["value"].iloc[-1]),
        "scale_to_netherlands": config.region.netherlands_population / max(residents, 1),
        "clients": {ln: monthly_mean("clients", line=ln) for ln in ("nulde", "eerste", "tweede")},
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
        "crises_per_year": total("crises") / years,
        "waiting": {ln: monthly_mean("waiting", line=ln) for ln in ("nulde", "eerste", "tweede")},
        "unmet_need": monthly_mean("unmet_need"),
        "health_last_year": {d: last_year_mean("health", domain=d) for d in ("physical", "mental", "social")},
        "need_share_last_year": {d: last_year_mean("need_share", domain=d) for d in ("physical", "mental", "social")},
        "health_gap_last_year": last_year_mean("health_gap"),
        "gp_consults_per_resident_per_year": total("gp_consults") / years / max(residents, 1),
        "gp_social_cause_share": total("gp_consults_social_cause") / max(total("gp_consults"), 1),
        "gp_contact_share": float(rows_of("gp_contact_share")["value"].mean()),
        "youth_care_residential": monthly_mean("youth_care_residential"),
        "youth_care_ambulant": monthly_mean("youth_care_ambulant"),
        "wmo_clients": monthly_mean("wmo_clients"),
        "relapses_per_year": total("relapses") / years,
        "productivity_loss_per_year": total("productivity_loss") / years,
        "employment_rate_18_66_last_year": last_year_mean("employed") / max(last_year_mean("residents_18_66"), 1),
    }
    out["cost_per_resident_per_year"] = out["cost_per_year_total"] / max(residents, 1)
    return _plain(out)


def _plain(x):
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (np.floating, float)):
        return None if np.isnan(x) else float(x)
    return x
