"""Replay the CPB (2020) comparison of municipalities by how much light help their wijkteams give.

    python -m experiments.cpb_wijkteam hydra.run.dir=results/cpb      # the documented replay
    python -m experiments.cpb_wijkteam replications=4 population.size=1000000   # quicker, noisier

The defaults (10 replications of 2,000,000 residents) give the figures the README reports.
Below 1,000,000 residents residential growth per group is mostly noise, and the command says so.

Simulates 2013-2018 for the generated CPB region (60 municipalities whose wijkteams range from
no to much light help). Wijkteams start in 2015 with the decentralisation; before that an
access point refers children on without helping them itself. As CPB did, municipalities are
split by how many children actually receive help from the wijkteam itself (2015-2018, share of
children, not counting follow-up after specialist care; above vs below the median), and the
growth 2013 to 2018 in children with residential youth care and with other specialist
(tweedelijns) youth care is compared between the groups.

Nothing sets a group's growth: the difference comes from residents, needs and pathways (early
light help prevents escalation; an accessible wijkteam also reaches more children).

Runs go through `research` (`executor=serial|processes|dask|slurm`, `workers=`, `dask.address=`;
default: one process per core); finished replications are kept in the run folder (jobs/), so
an interrupted replay started again with the same `hydra.run.dir=` resumes.

Writes to the run folder: summary.json (growth as fractions, each with _low and _high for the
95% interval over replications), growth.csv (per replication), municipalities.csv, cpb.png, each
written whole (`model.provenance.write_atomic`), and last COMPLETE.json (versions, the command).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
import model
from analysis.calibration_targets import cpb_targets
from experiments.cli import begin_folder, check_folder, end_folder, fail, split_args, take_executor, unique_run_dir
from research import Job, run_study
from model.provenance import write_atomic
from model.engine.outcomes import DIMENSIONS

SETUP = ["region=cpb_gemeenten", "start_year=2013", "years=6", "region.wijkteam_start_year=2015"]
DEFAULT_SIZE = "population.size=2000000"
DEFAULT_REPLICATIONS = 10
NOISY_BELOW = 1_000_000  # residents: below this, residential growth per group varies by 3 to 11 points
MEASURES = ("residential", "nonresidential", "specialist")
# children the wijkteam helps itself (light help; not follow-up after specialist care, which
# every wijkteam gives and which follows local need rather than the wijkteam's policy)
HELP_METRIC = "wijkteam_own_help_children_year"
METRIC = {"residential": "youth_residential_clients_year", "nonresidential": "youth_ambulant_clients_year",
          "specialist": "youth_specialist_clients_year"}


def municipal_table(results) -> pd.DataFrame:
    """Per municipality and year: children, the wijkteam's own help to children, youth care clients."""
    ts = results.timeseries
    wanted = ["children", HELP_METRIC, *METRIC.values()]
    totals = (ts[list(DIMENSIONS)] == "").all(axis=1)  # all children, not the rows per group
    sel = ts[(ts["municipality"] != "region") & ts["metric"].isin(wanted) & totals].copy()
    sel["year"] = results.config.start_year + sel["month"] // 12
    table = sel.pivot_table(index=["municipality", "year"], columns="metric", values="value", observed=True)
    return table.reset_index()


def growth_by_group(table: pd.DataFrame, first: int = 2013, last: int = 2018) -> dict:
    """Split municipalities by the share of children with wijkteam help in 2015-2018 (median) and
    compute the growth first -> last year of each youth care measure per group and overall."""
    after = table[table["year"] >= 2015].groupby("municipality")
    help_share = after[HELP_METRIC].sum() / after["children"].sum()
    high = set(help_share[help_share >= help_share.median()].index)
    out = {"high_help_municipalities": len(high), "low_help_municipalities": len(help_share) - len(high)}
    for measure, metric in METRIC.items():
        for group, members in (("high", high), ("low", set(help_share.index) - high),
                               ("all", set(help_share.index))):
            rows = table[table["municipality"].isin(members)]
            start = rows.loc[rows["year"] == first, metric].sum()
            end = rows.loc[rows["year"] == last, metric].sum()
            out[f"{measure}_growth_{group}"] = float(end / start - 1.0) if start > 0 else float("nan")
    return out


def replication(results) -> tuple[dict, pd.DataFrame]:
    """What the replay keeps of one run (in its worker): growth by group and the municipal table."""
    table = municipal_table(results)
    return growth_by_group(table), table.assign(seed=results.config.seed)


def growth(results) -> dict:
    """Growth by group only (the calibration's CPB term)."""
    return growth_by_group(municipal_table(results))


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval over replications."""
    values = values[np.isfinite(values)]
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, mean - half, mean + half


def summarise(per_rep: pd.DataFrame) -> dict:
    keys = {"residential_growth_high": "residential_growth_high", "residential_growth_low": "residential_growth_low",
            "nonresidential_growth_high": "nonresidential_growth_high",
            "nonresidential_growth_low": "nonresidential_growth_low", "specialist_growth_all": "specialist_growth_all",
            "residential_growth_all": "residential_growth_all"}
    out = {}
    for key, column in keys.items():
        mean, low, high = interval(per_rep[column].to_numpy(float))
        out[key], out[f"{key}_low"], out[f"{key}_high"] = mean, low, high
    out["replications"] = int(len(per_rep))
    targets = cpb_targets()
    out["observed"] = {k: targets[k] for k in ("residential_growth_high", "residential_growth_low",
                                               "specialist_growth_all")}
    return out


def figure(summary: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
    labels, means, lows, highs, observed = [], [], [], [], []
    for key, label in (("residential_growth_high", "residential,\nmuch wijkteam help"),
                       ("residential_growth_low", "residential,\nlittle or none"),
                       ("nonresidential_growth_high", "other specialist,\nmuch help"),
                       ("nonresidential_growth_low", "other specialist,\nlittle or none"),
                       ("specialist_growth_all", "all specialist\nyouth care")):
        labels.append(label)
        means.append(100 * summary[key])
        lows.append(100 * (summary[key] - summary[f"{key}_low"]))
        highs.append(100 * (summary[f"{key}_high"] - summary[key]))
        observed.append(100 * summary["observed"].get(key, np.nan))
    x = np.arange(len(labels))
    ax.bar(x, means, yerr=[lows, highs], color=["#e76f51", "#e76f51", "#457b9d", "#457b9d", "#2a9d8f"],
           capsize=4, label="carelines (95% interval)")
    ax.scatter(x, observed, color="black", zorder=3, marker="D", label="CPB (2020)")
    ax.set_xticks(x, labels, fontsize=8)
    ax.axhline(0, color="black", lw=0.8)
    ax.set(ylabel="growth 2013-2018 (%)", title="Children in youth care by wijkteam light help")
    ax.legend(frameon=False)
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    overrides, flags = split_args(sys.argv[1:] if argv is None else argv)
    replications = DEFAULT_REPLICATIONS
    rest = []
    executor, overrides = take_executor(overrides)
    for text in overrides:
        key, _, value = text.partition("=")
        if key == "replications":
            if not value.isdigit() or int(value) < 1:
                fail(f"'replications': '{value}' is not allowed; give a whole number of at least 1")
            replications = int(value)
        else:
            rest.append(text)
    overrides = [*SETUP, DEFAULT_SIZE, *rest]
    try:
        config = model.load_config("baseline", overrides)
    except model.ConfigError as exc:
        fail(str(exc))
    folder = Path(flags["run_dir"]) if "run_dir" in flags else unique_run_dir("cpb_wijkteam", "cpb")
    check_folder(folder, "experiments.cpb_wijkteam", "cpb_wijkteam", own=("jobs",))
    if config.population.size < NOISY_BELOW or replications < DEFAULT_REPLICATIONS:
        print(f"note: {config.population.size:,} residents and {replications} replications; the documented "
              f"figures use 2,000,000 and {DEFAULT_REPLICATIONS} (the defaults). Residential youth care is rare: "
              "below 1,000,000 residents its growth per group varies by 3 to 11 points between replications.",
              file=sys.stderr)
    jobs = [Job(tuple(overrides), config.seed + r, "experiments.cpb_wijkteam:replication", label=f"replication {r}")
            for r in range(replications)]
    begin_folder(folder)
    with executor:  # finished replications are kept in <folder>/jobs: a rerun resumes
        outcome = run_study(jobs, executor, folder / "jobs", desc="replications")
    if not outcome.ok:
        print(outcome.report(), file=sys.stderr)
        raise SystemExit(1)
    rows, tables = zip(*(outcome.value(job) for job in jobs))
    per_rep = pd.DataFrame(list(rows)).assign(seed=[job.seed for job in jobs])
    summary = summarise(per_rep)
    write_atomic(folder / "growth.csv", lambda tmp: per_rep.to_csv(tmp, index=False))
    municipalities = pd.concat(tables)
    write_atomic(folder / "municipalities.csv", lambda tmp: municipalities.to_csv(tmp, index=False))
    write_atomic(folder / "summary.json", lambda tmp: Path(tmp).write_text(json.dumps(summary, indent=2)))
    write_atomic(folder / "cpb.png", lambda tmp: figure(summary, tmp))
    end_folder(folder, "cpb_wijkteam", {"replications": replications})
    for key in ("residential_growth_high", "residential_growth_low", "nonresidential_growth_high",
                "nonresidential_growth_low", "specialist_growth_all"):
        obs = summary["observed"].get(key)
        print(f"{key:28s} {100 * summary[key]:+6.1f}%  [{100 * summary[key + '_low']:+.1f}, "
              f"{100 * summary[key + '_high']:+.1f}]" + (f"   CPB {100 * obs:+.0f}%" if obs is not None else ""))
    print(f"results in {folder}")


if __name__ == "__main__":
    main()
