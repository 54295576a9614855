"""Societal return on investment of extra nulde-lijn spending: by year, cumulatively, discounted,
and against a baseline whose own drift is shown.

For a scenario and a simulated year t (t = 0 the first year, `start_year`), from the paired
replications (replication r of the scenario and of baseline share their seed):

    extra nulde-lijn spending   E_t = nulde-lijn care cost (all payers, the preventiefonds too), scenario - baseline
    avoided care cost           A_t = eerste- plus tweede-lijn care cost, baseline - scenario
    avoided productivity loss   P_t = employers' productivity loss, baseline - scenario

Money is discounted at the guideline rate for costs (`evaluation.discount_rate_costs`, 3%; the
first year is not discounted): year t weighs d_t = 1 / (1 + rate)^t. The ROI of year t is
(A_t + P_t) / E_t (the weight cancels within a year); the cumulative ROI up to year t is
sum_{s<=t} d_s (A_s + P_s) / sum_{s<=t} d_s E_s, and the ROI over the horizon is the cumulative
ROI of the last year. Each is reported only where the nulde lijn clearly spends more: the 95%
t-interval of the (discounted) extra spending it divides by lies above 0; otherwise it is not
applicable, with the reason (`REASONS`). Its interval is a percentile bootstrap over
replications, the pairs kept together. The components have t-intervals over the paired
differences.

Baseline drift: the baseline itself changes over the horizon (demand trends, benefits, capacity
following queues), so a ROI that grows from year to year may come from a growing baseline
rather than a growing effect. `baseline_drift` gives the baseline's care cost per line and
productivity loss in the first and the last year; `roi_by_year` gives the avoided care cost as
a share of the baseline's eerste- and tweede-lijn cost of that year: a steady share under a
rising ROI points to the baseline.

Input: the tidy runs of `analysis.comparison` (table "yearly": `cost` per line for all payers,
`productivity_loss` of employers, per year and run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.parameters import EvaluationConfig

BASELINE = "baseline"
DISCOUNT_RATE = EvaluationConfig().discount_rate_costs  # the schema default; a run's config may set another
BOOTSTRAP = 4000
BOOTSTRAP_SEED = 20250101
COMPONENTS = ("extra_nulde", "avoided_care", "avoided_productivity")
# why a ROI is not applicable: the extra spending it divides by is not clearly positive
REASONS = {"not_clear": "the interval of the extra nulde-lijn spending includes 0",
           "negative": "the nulde lijn spends less than in baseline",
           "too_few": "fewer than 2 replications: no interval"}
DRIFT = (("cost", "nulde", ""), ("cost", "eerste", ""), ("cost", "tweede", ""), ("productivity_loss", "", "employers"))


def discount_factors(years: int, rate: float = DISCOUNT_RATE) -> np.ndarray:
    """Weight of each year t = 0 .. years - 1: 1 / (1 + rate)^t, the first year undiscounted."""
    return (1.0 + rate) ** -np.arange(years, dtype=np.float64)


def present_value(by_year, rate: float = DISCOUNT_RATE) -> np.ndarray:
    """Discounted sum over the last axis (years, the first undiscounted)."""
    by_year = np.asarray(by_year, dtype=np.float64)
    return (by_year * discount_factors(by_year.shape[-1], rate)).sum(axis=-1)


def _t_interval(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from analysis.comparison import interval  # one definition of the interval
    mean, low, high, _ = interval(d)
    return mean, low, high


def yearly_per_run(runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per quantity ("nulde", "eerste", "tweede", "productivity_loss"): one row per (scenario,
    replication), one column per year."""
    y = runs[runs["table"] == "yearly"]
    out = {}
    for metric, line, financier in DRIFT:
        sel = (y["metric"] == metric) & (y["line"] == line) & (y["financier"] == financier) & (y["group"] == "")
        key = line or metric
        out[key] = y[sel].pivot_table(index=["scenario", "replication"], columns="period", values="value",
                                      aggfunc="first").sort_index(axis=1)
    return out


def _arrays(per_run: dict, scenario: str) -> dict[str, np.ndarray]:
    """(replications, years) arrays of one scenario, replications in order."""
    return {k: v.loc[scenario].sort_index().to_numpy(dtype=np.float64) for k, v in per_run.items()}


def _reason(low: np.ndarray, high: np.ndarray, n: int) -> np.ndarray:
    """Per entry: "" where the extra spending is clearly positive, else the key of REASONS."""
    if n < 2:
        return np.full(low.shape, "too_few", dtype=object)
    return np.where(low > 0, "", np.where(high < 0, "negative", "not_clear")).astype(object)


def _ratio_bootstrap(gain: np.ndarray, extra: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """2.5% and 97.5% percentiles of mean(gain) / mean(extra) over bootstrap samples of the
    replications (axis 0); one sample of replications serves every year."""
    n = gain.shape[0]
    pick = rng.integers(0, n, size=(BOOTSTRAP, n))
    with np.errstate(divide="ignore", invalid="ignore"):  # years without extra spending: not applicable
        ratios = gain[pick].mean(axis=1) / extra[pick].mean(axis=1)
        return np.percentile(ratios, 2.5, axis=0), np.percentile(ratios, 97.5, axis=0)


def roi_by_year(runs: pd.DataFrame, others: list[str], rate: float = DISCOUNT_RATE,
                start_year: int = 0) -> pd.DataFrame:
    """One row per scenario and year: the discounted components of the year and up to it, with
    intervals, the ROI of the year and the cumulative ROI with bootstrap intervals where
    applicable, and the avoided care cost as a share of the baseline's of that year."""
    per_run = yearly_per_run(runs)
    base = _arrays(per_run, BASELINE)
    years = base["nulde"].shape[1]
    weight = discount_factors(years, rate)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    frames = []
    for s in others:
        a = _arrays(per_run, s)
        n = a["nulde"].shape[0]
        diffs = {"extra_nulde": a["nulde"] - base["nulde"],
                 "avoided_care": (base["eerste"] + base["tweede"]) - (a["eerste"] + a["tweede"]),
                 "avoided_productivity": base["productivity_loss"] - a["productivity_loss"]}
        row = {"scenario": s, "year": np.arange(years), "calendar_year": start_year + np.arange(years),
               "discount_factor": weight}
        discounted = {k: v * weight for k, v in diffs.items()}
        cumulative = {k: np.cumsum(v, axis=1) for k, v in discounted.items()}
        for prefix, values in (("", discounted), ("cum_", cumulative)):
            for name in COMPONENTS:
                mean, low, high = _t_interval(values[name].T)
                row.update({f"{prefix}{name}_mean": mean, f"{prefix}{name}_low": low, f"{prefix}{name}_high": high})
        baseline_care = (base["eerste"] + base["tweede"]).mean(axis=0)
        row["avoided_care_share"] = diffs["avoided_care"].mean(axis=0) / np.where(baseline_care > 0, baseline_care,
                                                                                  np.nan)
        for label, values, prefix in (("year", discounted, ""), ("cumulative", cumulative, "cum_")):
            gain = values["avoided_care"] + values["avoided_productivity"]
            extra = values["extra_nulde"]
            reason = _reason(row[f"{prefix}extra_nulde_low"], row[f"{prefix}extra_nulde_high"], n)
            applicable = reason == ""
            with np.errstate(divide="ignore", invalid="ignore"):
                point = gain.mean(axis=0) / extra.mean(axis=0)
            low, high = _ratio_bootstrap(gain, extra, rng) if n >= 2 else (np.full(years, np.nan),) * 2
            row[f"roi_{label}"] = np.where(applicable, point, np.nan)
            row[f"roi_{label}_low"] = np.where(applicable, low, np.nan)
            row[f"roi_{label}_high"] = np.where(applicable, high, np.nan)
            row[f"applicable_{label}"] = applicable
            row[f"reason_{label}"] = reason
        frames.append(pd.DataFrame(row))
    columns = (["scenario", "year", "calendar_year", "discount_factor"]
               + [f"{p}{c}_{s}" for p in ("", "cum_") for c in COMPONENTS for s in ("mean", "low", "high")]
               + ["avoided_care_share"]
               + [f"{x}_{label}{y}" for label in ("year", "cumulative")
                  for x, y in (("roi", ""), ("roi", "_low"), ("roi", "_high"), ("applicable", ""), ("reason", ""))])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def roi_over_horizon(by_year: pd.DataFrame, runs: pd.DataFrame, others: list[str], rate: float = DISCOUNT_RATE,
                     start_year: int = 0) -> pd.DataFrame:
    """One row per scenario: the horizon (the run's years), the discount rate, the discounted
    components summed over the horizon with intervals, the ROI over the horizon (the cumulative
    ROI of the last year) with its interval where applicable, the reason where not, and the
    ROI without discounting (point estimate) beside it."""
    per_run = yearly_per_run(runs)
    base = _arrays(per_run, BASELINE)
    rows = []
    for s in others:
        last = by_year[by_year["scenario"] == s].iloc[-1]
        a = _arrays(per_run, s)
        extra = (a["nulde"] - base["nulde"]).sum(axis=1).mean()
        gain = ((base["eerste"] + base["tweede"] - a["eerste"] - a["tweede"]).sum(axis=1).mean()
                + (base["productivity_loss"] - a["productivity_loss"]).sum(axis=1).mean())
        row = {"scenario": s, "horizon_years": int(last["year"]) + 1, "first_year": start_year,
               "last_year": int(last["calendar_year"]), "discount_rate": rate}
        for name in COMPONENTS:
            for b in ("mean", "low", "high"):
                row[f"{name}_{b}"] = last[f"cum_{name}_{b}"]
        row.update(applicable=bool(last["applicable_cumulative"]), reason=last["reason_cumulative"],
                   roi=last["roi_cumulative"], roi_low=last["roi_cumulative_low"],
                   roi_high=last["roi_cumulative_high"],
                   roi_undiscounted=gain / extra if last["applicable_cumulative"] and extra else np.nan)
        rows.append(row)
    columns = (["scenario", "horizon_years", "first_year", "last_year", "discount_rate"]
               + [f"{name}_{b}" for name in COMPONENTS for b in ("mean", "low", "high")]
               + ["applicable", "reason", "roi", "roi_low", "roi_high", "roi_undiscounted"])
    return pd.DataFrame(rows, columns=columns)


def baseline_drift(runs: pd.DataFrame, start_year: int = 0) -> pd.DataFrame:
    """How the baseline changes over the horizon: per quantity (care cost per line, all payers;
    employers' productivity loss), the first and the last year's value (mean over replications,
    not discounted) and the change between them with its 95% interval."""
    per_run = yearly_per_run(runs)
    rows = []
    for metric, line, financier in DRIFT:
        values = per_run[line or metric].loc[BASELINE].sort_index().to_numpy(dtype=np.float64)
        first, last = values[:, 0], values[:, -1]
        mean, low, high = _t_interval((last - first)[None, :])
        rows.append({"metric": metric, "line": line, "financier": financier, "first_year": start_year,
                     "last_year": start_year + values.shape[1] - 1, "first": first.mean(), "last": last.mean(),
                     "change_mean": mean[0], "change_low": low[0], "change_high": high[0],
                     "change_share": mean[0] / first.mean() if first.mean() else np.nan})
    return pd.DataFrame(rows)


__all__ = ["BASELINE", "COMPONENTS", "DISCOUNT_RATE", "REASONS", "baseline_drift", "discount_factors",
           "present_value", "roi_by_year", "roi_over_horizon"]
