"""Statistics of a scenario comparison: paired differences from baseline with 95% intervals.

Every scenario is run with the same seeds as baseline (common random numbers), so replication
r of a scenario and replication r of baseline share their random draws: the difference of the
pair is the policy effect plus little noise. The interval is a t-interval over the paired
differences; it is honest for independent seeds as well (the pairs are then simply
independent draws), only wider. A difference is "within noise" when its interval includes 0.

Input is the concatenation of `analysis.extract.extract` tables with columns scenario,
replication and seed added. Output: the tidy tables of the report (`Comparison`); the return on
investment, by year and over the horizon, discounted, and the baseline's drift are computed by
`analysis.roi`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis import roi
from analysis.extract import DOMAINS, FINANCIERS, LINES, PAYERS

BASELINE = "baseline"
DIMS = ["metric", "line", "to_line", "domain", "financier", "group"]
OUT_DIMS = ["metric", "line", "financier", "domain", "group"]
Z95 = 1.959964
# the table of savings by mechanism (`analysis.mechanisms.decompose`)
MECHANISM_COLUMNS = ("scenario", "mechanism", "title_en", "title_nl", "off", "saving", "saving_without",
                     "contribution", "contribution_low", "contribution_high", "share", "n")


@dataclass(frozen=True)
class Measure:
    """A headline measure: a metric with fixed dimensions, its unit, and whether it scales
    with population (extensive: per 100,000 and national figures make sense)."""
    metric: str
    line: str = ""
    financier: str = ""
    domain: str = ""
    group: str = ""

    @property
    def extensive(self) -> bool:
        return self.metric not in ("health", "health_gap", "waiting_months")

    @property
    def key(self) -> tuple:
        return (self.metric, self.line, "", self.domain, self.financier, self.group)


HEADLINE = (
    (Measure("cost"),)
    + tuple(Measure("cost", financier=f) for f in PAYERS)
    + tuple(Measure("cost", line=ln) for ln in LINES)
    + tuple(Measure("clients", line=ln) for ln in LINES)
    + tuple(Measure("waiting", line=ln) for ln in LINES)
    + tuple(Measure("waiting_months", line=ln) for ln in LINES)
    + (Measure("crises"), Measure("crises", group="income_low"),
       Measure("unmet_need"), Measure("unmet_need", group="income_low"))
    + tuple(Measure("health", domain=d) for d in DOMAINS)
    + (Measure("health_gap"), Measure("productivity_loss", financier="employers"))
)

# +1: higher is better, -1: higher is worse, 0: neither (volume is not good or bad in itself)
DIRECTION = {"cost": -1, "clients": 0, "waiting": -1, "waiting_months": -1, "crises": -1, "unmet_need": -1,
             "health": 1, "health_gap": -1, "productivity_loss": -1}
MONEY_COMPONENTS = ("care_nulde", "care_eerste", "care_tweede", "contributions", "shared_savings_received", "net")


@dataclass
class Comparison:
    """The tables of a comparison report (all tidy, one row per observation)."""
    differences: pd.DataFrame
    who_pays: pd.DataFrame
    roi: pd.DataFrame
    roi_by_year: pd.DataFrame
    baseline_drift: pd.DataFrame
    yearly: pd.DataFrame
    monthly: pd.DataFrame
    flows: pd.DataFrame
    replications: pd.DataFrame
    measures: pd.DataFrame
    meta: dict = field(default_factory=dict)
    # savings by mechanism (analysis.mechanisms), with its columns even when nothing saves
    mechanisms: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MECHANISM_COLUMNS))

    TABLES = ("differences", "who_pays", "roi", "roi_by_year", "baseline_drift", "yearly", "monthly", "flows",
              "replications", "measures", "mechanisms")

    def save(self, folder: Path) -> list[Path]:
        """Every table as CSV and Parquet."""
        written = []
        for name in self.TABLES:
            df = getattr(self, name)
            for ext in ("csv", "parquet"):
                path = folder / f"{name}.{ext}"
                df.to_csv(path, index=False) if ext == "csv" else df.to_parquet(path, index=False)
                written.append(path)
        return written


def interval(d: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, 95% t-interval and standard deviation over the last axis (replications)."""
    n = d.shape[-1]
    mean = d.mean(axis=-1)
    if n < 2:
        nan = np.full_like(mean, np.nan)
        return mean, nan, nan, nan
    sd = d.std(axis=-1, ddof=1)
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half, sd


def _wide(runs: pd.DataFrame, table: str, with_period: bool = False) -> pd.DataFrame:
    """One row per observation key, one column per (scenario, replication)."""
    df = runs[runs["table"] == table]
    index = (["period"] if with_period else []) + DIMS
    df = df.assign(**{c: df[c].astype(str) for c in DIMS})
    return df.pivot_table(index=index, columns=["scenario", "replication"], values="value", aggfunc="first",
                          observed=True)


def _levels_and_differences(wide: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Per scenario: the level (mean and interval over replications) and the paired difference
    from baseline (mean and interval), for every row of `wide`."""
    base = wide[BASELINE]
    frames = []
    for s in scenarios:
        values = wide[s].reindex(columns=base.columns)
        mean, low, high, _ = interval(values.to_numpy())
        d_mean, d_low, d_high, d_sd = interval((values - base).to_numpy())
        b_mean = base.to_numpy().mean(axis=1)
        frames.append(pd.DataFrame({
            "scenario": s, "baseline": b_mean, "level": mean, "level_low": low, "level_high": high,
            "mean": d_mean, "low": d_low, "high": d_high, "sd": d_sd, "n": values.shape[1],
        }, index=wide.index).reset_index())
    return pd.concat(frames, ignore_index=True)


def compare(runs: pd.DataFrame, scenarios: list[str], meta: dict, precision: float = 0.01) -> Comparison:
    """All report tables from the extracted runs.

    Args:
        runs: extracted tables of every run, with columns scenario, replication, seed.
        scenarios: the scenario labels in report order; baseline first.
        meta: facts about the comparison (region, years, seeds...), kept with the tables.
        precision: the interval half-width sought, as a share of the baseline value, for the
            "replications needed" estimate.
    """
    others = [s for s in scenarios if s != BASELINE]
    residents = runs[(runs["table"] == "measure") & (runs["metric"] == "residents")
                     & (runs["scenario"] == BASELINE)]["value"].mean()
    per_100k = 1e5 / residents
    to_nl = meta["netherlands_population"] / residents
    rate = meta.get("discount_rate", roi.DISCOUNT_RATE)
    meta = {**meta, "residents_mean": float(residents), "per_100k_factor": per_100k, "netherlands_factor": to_nl,
            "precision": precision, "discount_rate": rate}

    measures = _measures_long(runs)
    differences = _headline(runs, others, precision, per_100k, to_nl)
    by_year = roi.roi_by_year(runs, others, rate, meta["start_year"])
    return Comparison(
        differences=differences,
        who_pays=_who_pays(runs, others),
        roi=roi.roi_over_horizon(by_year, runs, others, rate, meta["start_year"]),
        roi_by_year=by_year,
        baseline_drift=roi.baseline_drift(runs, meta["start_year"]),
        yearly=_series(runs, scenarios, "yearly", "year", meta["start_year"]),
        monthly=_series(runs, scenarios, "monthly", "month", meta["start_year"]),
        flows=_flows(runs, others),
        replications=_replications_needed(differences),
        measures=measures,
        meta=meta,
    )


def _measures_long(runs: pd.DataFrame) -> pd.DataFrame:
    """Every headline measure of every run (the raw values behind the intervals)."""
    df = runs[runs["table"] == "measure"]
    cols = ["scenario", "replication", "seed"] + OUT_DIMS + ["value"]
    return df[cols].assign(**{c: df[c].astype(str) for c in OUT_DIMS}).reset_index(drop=True)


def _headline(runs, others, precision, per_100k, to_nl) -> pd.DataFrame:
    wide = _wide(runs, "measure")
    keys = [m.key for m in HEADLINE]
    wide = wide.reindex(pd.MultiIndex.from_tuples(keys, names=DIMS))
    df = _levels_and_differences(wide, others)
    order = {k: i for i, k in enumerate(keys)}
    df["order"] = [order[tuple(r)] for r in df[DIMS].itertuples(index=False)]
    extensive = {m.key: m.extensive for m in HEADLINE}
    df["extensive"] = [extensive[tuple(r)] for r in df[DIMS].itertuples(index=False)]
    df["within_noise"] = (df["low"] <= 0) & (df["high"] >= 0)
    reference = df["baseline"].abs().where(df["baseline"].abs() > 0, df["level"].abs())
    df["precision_target"] = precision * reference
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.ceil((Z95 * df["sd"] / df["precision_target"]) ** 2)
    needed = needed.where(df["sd"] > 0, 2.0).where(df["precision_target"] > 0, np.nan)
    df["replications_needed"] = np.maximum(needed, 2.0)
    for suffix, factor in (("per_100k", per_100k), ("nl", to_nl)):
        for col in ("mean", "low", "high"):
            df[f"{col}_{suffix}"] = np.where(df["extensive"], df[col] * factor, np.nan)
    df = df.sort_values(["scenario", "order"], key=lambda s: s.map({x: i for i, x in enumerate(others)})
                        if s.name == "scenario" else s, kind="stable")
    cols = (["scenario"] + OUT_DIMS + ["baseline", "mean", "low", "high", "within_noise", "sd", "n",
                                       "precision_target", "replications_needed", "extensive"]
            + [f"{c}_{s}" for s in ("per_100k", "nl") for c in ("mean", "low", "high")])
    return df[cols].reset_index(drop=True)


def _money_per_run(runs: pd.DataFrame) -> pd.DataFrame:
    """Who-pays components per run and financier, with the net outlay."""
    money = runs[runs["table"] == "money"].assign(
        metric=lambda d: d["metric"].astype(str), line=lambda d: d["line"].astype(str),
        financier=lambda d: d["financier"].astype(str))
    comp = np.where(money["metric"] == "care", "care_" + money["line"], money["metric"])
    money = money.assign(component=comp)
    sign = np.where(money["component"] == "shared_savings_received", -1.0, 1.0)
    net = money.assign(value=money["value"] * sign, component="net").groupby(
        ["scenario", "replication", "financier", "component"], as_index=False)["value"].sum()
    return pd.concat([money[["scenario", "replication", "financier", "component", "value"]], net],
                     ignore_index=True)


def _who_pays(runs, others) -> pd.DataFrame:
    """Per scenario, financier and component: the yearly difference from baseline (positive:
    pays more; negative: saves)."""
    money = _money_per_run(runs)
    wide = money.pivot_table(index=["financier", "component"], columns=["scenario", "replication"],
                             values="value", aggfunc="first")
    idx = pd.MultiIndex.from_product([FINANCIERS, MONEY_COMPONENTS], names=["financier", "component"])
    wide = wide.reindex(idx).fillna(0.0)
    df = _levels_and_differences(wide, others)
    df["within_noise"] = (df["low"] <= 0) & (df["high"] >= 0) | ((df["mean"] == 0) & df["low"].isna())
    df["pot"] = ~df["financier"].isin(PAYERS)
    return df[["scenario", "financier", "component", "pot", "baseline", "level", "mean", "low", "high",
               "within_noise", "n"]]


def _series(runs, scenarios, table, period_name, start_year) -> pd.DataFrame:
    """Levels over time per scenario with their interval, and differences from baseline."""
    wide = _wide(runs, table, with_period=True)
    df = _levels_and_differences(wide, scenarios).rename(columns={"period": period_name})
    if period_name == "year":
        df["calendar_year"] = start_year + df["year"]
    else:
        df["calendar_time"] = start_year + df["month"] / 12.0
    df = df.rename(columns={"mean": "diff_mean", "low": "diff_low", "high": "diff_high", "level": "mean",
                            "level_low": "low", "level_high": "high"})
    keep = [c for c in df.columns if c not in ("to_line", "sd", "baseline")]
    return df[keep]


def _flows(runs, others) -> pd.DataFrame:
    """Referrals per year between lines: baseline, scenario and their difference."""
    wide = _wide(runs, "flow")
    df = _levels_and_differences(wide, others).rename(columns={"line": "from_line"})
    df["relative_change"] = df["mean"] / df["baseline"].where(df["baseline"] > 0)  # share of baseline
    df["within_noise"] = (df["low"] <= 0) & (df["high"] >= 0)
    return df[["scenario", "from_line", "to_line", "baseline", "level", "mean", "low", "high", "relative_change",
               "within_noise", "n"]]


def _replications_needed(differences: pd.DataFrame) -> pd.DataFrame:
    """Per headline measure: the most replications any scenario would need for the precision
    sought, which scenario that is, and how many were used."""
    rows = []
    for key, g in differences.groupby(OUT_DIMS, sort=False):
        worst = g.loc[g["replications_needed"].fillna(-1).idxmax()]
        rows.append(dict(zip(OUT_DIMS, key), baseline=g["baseline"].iloc[0],
                         precision_target=g["precision_target"].iloc[0],
                         replications_needed=worst["replications_needed"],
                         hardest_scenario=worst["scenario"] if worst["replications_needed"] > 2 else "",
                         replications_used=int(g["n"].iloc[0]),
                         enough=bool(g["replications_needed"].fillna(np.inf).le(g["n"]).all()),
                         scenarios_clear=int((~g["within_noise"]).sum()), scenarios=len(g)))
    return pd.DataFrame(rows)
