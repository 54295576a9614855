"""Scenario discovery with the EMA Workbench: under which uncertain conditions does the
preventiefonds pay for itself?

    python -m experiments.explore scenarios=100 population.size=10000 years=3 hydra.run.dir=results/explore
    python -m experiments.explore scenarios=50 policies=[baseline,preventiefonds,sociale_basis] \
        executor=processes workers=2 recovered=0.1

Keys of the study itself:
    scenarios=<n>            scenarios: Latin hypercube samples of the uncertainties (EMA's LHSSampler),
                             n >= 2 (default 50)
    policies=[a,b,...]       scenario files run as policies (default [baseline,preventiefonds]); every
                             scenario also runs as baseline, with the same seed (common random numbers)
    parameters=[a,b,...]     registry uncertainties to vary (default every uncertainty of the registry)
    recovered=<share>        the case of interest for PRIM: avoided care cost >= share x fund cost
                             (default 1: the fund pays for itself; a smaller share asks where it
                             recovers that part)
    threshold=<d>            PRIM: the least density of a box picked on its peeling trajectory (default 0.8)
    boxes=<n>                PRIM: at most this many boxes per policy (default 3)
    registry=<file.yaml>     the parameter registry (default configs/registry.yaml)
    executor=, workers=, dask.address=, slurm.config=   where the runs go (research.options)
Every other key=value is a model override (population.size=, years=, seed=, ...; default
population.size=10000 years=3). The seed is that of every run and of the sampler.

The folder (`hydra.run.dir=...`, else a new one under outputs/explore/) receives experiments.csv
(one row per run: scenario, policy, the uncertain values by dotted name, the outcomes of
`research.ema.OUTCOMES`, and of_interest), prim_boxes.csv (per policy other than baseline and box:
coverage, density, mass, res_dim, the restricted dimensions with their limits and quasi-p values,
and those of them with quasi-p < 0.05), tradeoffs.png
(fund cost against avoided care cost per run, coloured by whether it pays for itself) and
prim_tradeoff.png (PRIM's peeling trajectory, coverage against density). Runs are kept in jobs/
as they finish (`research`): the same command with the same folder skips finished runs.
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import model
import research
from analysis.figures import save_figure
from experiments.cli import (begin_folder, check_folder, end_folder, fail, list_option, resumable, resume_command,
                             stop_unless_done, study_args, unique_run_dir, whole_option)
from experiments.sensitivity import write_csv
from model.config import ConfigError
from research import registry

from research import ema

OPTIONS = ("scenarios", "policies", "parameters", "recovered", "threshold", "boxes", "registry")
DEFAULT_MODEL = ["population.size=10000", "years=3"]
DEFAULT_POLICIES = ["baseline", "preventiefonds"]
BOX_COLUMNS = ["policy", "box", "coverage", "density", "mass", "res_dim", "restricted", "significant"]
QP = 0.05  # a restriction whose quasi-p value is below this is listed as significant


def _share(key: str, value: str, low: float, high: float) -> float:
    try:
        x = float(value)
    except ValueError:
        x = float("nan")
    if not low <= x <= high:
        fail(f"'{key}': {value} is not allowed; allowed is a number in [{low}, {high}]")
    return x


def parse(argv: list[str]):
    """The study's options (checked), the model overrides, the folder and the executor."""
    given, overrides, executor, flags = study_args(argv, "experiments.explore", OPTIONS)
    if any(text.partition("=")[0] == "scenario" for text in overrides):
        fail("'scenario': experiments.explore runs scenario files as policies; use policies=[baseline,...]")
    scenarios = whole_option("scenarios", given.get("scenarios", "50"), 2)
    names = list_option(given["policies"]) if "policies" in given else list(DEFAULT_POLICIES)
    try:
        policies = ema.policies(names)
    except ema.AdapterError as exc:
        fail(str(exc))
    if len(set(names)) != len(names):
        fail("'policies': a policy is named twice; name each once")
    if not [n for n in names if n != ema.BASELINE]:
        fail("'policies': give at least one policy besides baseline, e.g. policies=[baseline,preventiefonds]")
    recovered = _share("recovered", given.get("recovered", "1"), 0.0, 100.0)
    threshold = _share("threshold", given.get("threshold", "0.8"), 0.0, 1.0)
    boxes = whole_option("boxes", given.get("boxes", "3"), 1)
    path = Path(given.get("registry", registry.DEFAULT_FILE))
    try:
        entries = registry.load(path)
        chosen = list_option(given["parameters"]) if "parameters" in given else None
        uncertain = registry.select(entries, chosen, kind="uncertainty")
        if chosen is not None:
            levers = [n for n in chosen if n not in {e.path for e in uncertain}]
            if levers:
                fail(f"'parameters': '{levers[0]}' is a lever; allowed are the registry's uncertainties "
                     "(levers belong to policies)")
    except registry.RegistryError as exc:
        fail(str(exc))
    if not uncertain:
        fail("'parameters': nothing to vary; name registry uncertainties, e.g. parameters=[health.demand_trend]")
    opts = {"scenarios": scenarios, "policies": policies, "names": names, "recovered": recovered,
            "threshold": threshold, "boxes": boxes, "entries": uncertain, "registry": path}
    folder = Path(flags["run_dir"]) if "run_dir" in flags else None
    return opts, [*DEFAULT_MODEL, *overrides], folder, executor


def table(mdl, experiments: pd.DataFrame, outcomes: dict, recovered: float) -> pd.DataFrame:
    """experiments.csv: scenario, policy, the uncertain values by dotted name, the outcomes and
    of_interest (avoided care cost >= recovered x fund cost, policies other than baseline)."""
    out = experiments[["scenario", "policy"]].copy()
    for p in mdl.uncertainties:
        out[p.variable_name[0]] = experiments[p.name].to_numpy()
    for name in ema.OUTCOMES:
        out[name] = outcomes[name]
    out["pays_for_itself"] = out["pays_for_itself"].astype(int)
    out["of_interest"] = ((out["policy"] != ema.BASELINE)
                          & (out["avoided_care_cost"] >= recovered * out["fund_cost"])).astype(int)
    return out


def prim_boxes(mdl, runs: pd.DataFrame, policy: str, threshold: float, most: int):
    """PRIM boxes for one policy's runs (case of interest: of_interest): rows for prim_boxes.csv,
    the first box (for its peeling trajectory) and a one-line note when no box is found."""
    from ema_workbench.analysis import prim
    from ema_workbench.analysis import scenario_discovery_util as sdutil

    part = runs[runs["policy"] == policy].reset_index(drop=True)
    y = part["of_interest"].to_numpy().astype(bool)
    if not y.any():
        return [], None, f"{policy}: no run is a case of interest (none recovers the asked share); no PRIM box"
    if y.all():
        return ([{"policy": policy, "box": 0, "coverage": 1.0, "density": 1.0, "mass": 1.0, "res_dim": 0,
                  "restricted": "", "significant": ""}], None,
                f"{policy}: every run is a case of interest; the box is the whole space (no restriction)")
    x = part[[p.variable_name[0] for p in mdl.uncertainties]]
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y)
        rows, first = [], None
        for i in range(most):
            box = finder.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory
            dense = trajectory.index[trajectory["density"] >= threshold]
            pick = int(trajectory.loc[dense, "coverage"].idxmax()) if len(dense) else int(trajectory.index[-1])
            box.select(pick)
            lims = box.box_lims[pick]
            restricted = sdutil._determine_restricted_dims(lims, finder.box_init)
            qp = {d: min((v for v in box.p_values[pick].get(d, []) if v >= 0), default=float("nan"))
                  for d in restricted}  # quasi-p of the restriction (Bryant and Lempert 2010), -1: side not cut
            text = "; ".join(f"{d} in [{lims[d].iloc[0]:.4g}, {lims[d].iloc[1]:.4g}] (qp {qp[d]:.2g})"
                             for d in restricted)
            significant = "; ".join(d for d in restricted if qp[d] < QP)
            if first is None:
                first = box
            if box.density < threshold:  # what remains holds no dense box: stop
                break
            rows.append({"policy": policy, "box": i, "coverage": float(box.coverage), "density": float(box.density),
                         "mass": float(box.mass), "res_dim": int(len(restricted)), "restricted": text,
                         "significant": significant})
    note = "" if rows else f"{policy}: PRIM found no box with density >= {threshold:g}"
    return rows, first, note


def figures(runs: pd.DataFrame, first, folder: Path, recovered: float, note: str) -> None:
    """tradeoffs.png (fund cost against avoided care cost, coloured by pays for itself; net
    benefit per run) and prim_tradeoff.png (the first box's peeling trajectory)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    part = runs[runs["policy"] != ema.BASELINE]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    ax = axes[0]
    colours = {1: "#2a9d8f", 0: "#e76f51"}
    markers = dict(zip(part["policy"].unique(), "osD^v<>"))
    for (policy, pays), group in part.groupby(["policy", "pays_for_itself"]):
        ax.scatter(group["fund_cost"] / 1e3, group["avoided_care_cost"] / 1e3, c=colours[int(pays)],
                   marker=markers[policy], s=28, alpha=0.8,
                   label=f"{policy}: {'pays for itself' if pays else 'does not pay'} ({len(group)})")
    top = max(part["fund_cost"].max(), part["avoided_care_cost"].max(), 1.0) / 1e3
    ax.plot([0, top], [0, top], color="grey", lw=1, ls="--", label="avoided = fund cost")
    if recovered != 1:
        ax.plot([0, top], [0, recovered * top], color="grey", lw=1, ls=":", label=f"avoided = {recovered:g} x fund cost")
    ax.set_xlabel("fund contributions over the horizon (EUR 1,000)")
    ax.set_ylabel("care cost avoided against baseline (EUR 1,000)")
    ax.set_title("Does the policy pay for itself? (one point per scenario)", fontsize=10)
    ax.legend(fontsize=7)
    ax = axes[1]
    for policy, group in part.groupby("policy"):
        ax.hist(group["net_benefit"] / 1e3, bins=min(20, max(5, len(group) // 3)), alpha=0.6, label=policy)
    ax.axvline(0, color="grey", lw=1, ls="--")
    ax.set_xlabel("net benefit: avoided care cost - fund cost (EUR 1,000)")
    ax.set_ylabel("scenarios")
    ax.set_title("Net result over the scenarios", fontsize=10)
    ax.legend(fontsize=7)
    save_figure(fig, folder / "tradeoffs.png")

    if first is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig = first.show_tradeoff(annotated=True)
        fig.suptitle("PRIM peeling trajectory of the first box (colour: restricted dimensions)", fontsize=10)
        fig.set_size_inches(7, 5)
    else:
        fig, ax = plt.subplots(figsize=(7, 5))
        ax.axis("off")
        ax.text(0.5, 0.5, note or "no PRIM box", ha="center", va="center", wrap=True, fontsize=10)
    save_figure(fig, folder / "prim_tradeoff.png", bbox_inches="tight")


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    opts, overrides, folder, executor = parse(argv)
    try:
        base = model.load_config("baseline", overrides)
        mdl = ema.build_model(overrides, opts["entries"])
        scenarios = ema.sample_scenarios(mdl, opts["scenarios"], base.seed)
        ema.plan(mdl, scenarios, opts["policies"])  # a bad value or policy stops here, before anything runs
    except (ConfigError, ema.AdapterError) as exc:
        fail(str(exc))
    check_folder(folder, "experiments.explore", "explore", own=("jobs",))
    folder = (folder or unique_run_dir("explore", "prim")).resolve()
    begin_folder(folder)
    store = folder / "jobs"
    started = time.time()
    runs_needed = opts["scenarios"] * len({*opts["names"], ema.BASELINE})
    print(f"explore: {len(opts['entries'])} uncertainties, {opts['scenarios']} scenarios x "
          f"{len(opts['names'])} policies ({', '.join(opts['names'])}) = {runs_needed} runs with baseline "
          f"({base.population.size:,} residents, {base.years} years, seed {base.seed}; {executor.describe()})",
          file=sys.stderr)
    resume = resume_command("explore", argv, folder)
    with resumable(resume), executor:
        experiments, outcomes, outcome = ema.perform(mdl, scenarios, opts["policies"], executor, store)
    stop_unless_done(outcome, resume, "analysis")
    research.Store(store).prune({job.key for job in outcome.jobs})  # runs of an earlier design or older code
    runs = table(mdl, experiments, outcomes, opts["recovered"])
    write_csv(runs, folder / "experiments.csv")
    rows, first, notes = [], None, []
    for policy in opts["names"]:
        if policy == ema.BASELINE:
            continue
        found, box, note = prim_boxes(mdl, runs, policy, opts["threshold"], opts["boxes"])
        rows += found
        if first is None:
            first = box
        if note:
            notes.append(note)
    write_csv(pd.DataFrame(rows, columns=BOX_COLUMNS), folder / "prim_boxes.csv")
    figures(runs, first, folder, opts["recovered"], "; ".join(notes))
    end_folder(folder, "explore", {"runs": len(outcome.jobs)})
    ran = len(outcome.done) - outcome.skipped
    print(f"{ran} runs done, {outcome.skipped} already finished; {time.time() - started:.0f} s", file=sys.stderr)
    for policy, group in runs[runs["policy"] != ema.BASELINE].groupby("policy", sort=False):
        print(f"{policy}: pays for itself in {int(group['pays_for_itself'].sum())} of {len(group)} scenarios; "
              f"median fund cost EUR {group['fund_cost'].median():,.0f}, avoided care cost "
              f"EUR {group['avoided_care_cost'].median():,.0f}")
    for note in notes:
        print(note)
    for row in rows:
        print(f"{row['policy']} box {row['box']}: coverage {row['coverage']:.2f}, density {row['density']:.2f}, "
              f"mass {row['mass']:.2f}; {row['restricted'] or 'no restriction'}; "
              f"significant (qp < {QP:g}): {row['significant'] or 'none'}")
    print(f"results: {folder}")
    return folder


if __name__ == "__main__":
    main()
