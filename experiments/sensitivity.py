"""Global sensitivity analysis of the registry's parameters with SALib (Morris or Sobol).

    python -m experiments.sensitivity method=morris samples=10 population.size=10000 years=3
    python -m experiments.sensitivity method=sobol samples=64 outputs=[crises,health_gap] \
        parameters=[health.demand_trend,gatekeeper.step_down,financing.supply_elasticity] \
        executor=processes workers=2 hydra.run.dir=results/sobol

Keys of the study itself:
    method=morris|sobol      Morris elementary effects (screening) or Sobol indices (default morris)
    samples=<n>              Morris: trajectories, n >= 2 (runs: n x (parameters + 1));
                             Sobol: base samples, a power of 2 (runs: n x (2 x parameters + 2),
                             or n x (parameters + 2) with second_order=false); default 10 / 64
    parameters=[a,b,...]     registry entries to vary (default: every uncertainty in the registry;
                             levers only when named)
    outputs=[a,b,...]        outputs to analyse (default all; see analysis.sensitivity.OUTPUTS)
    registry=<file.yaml>     the parameter registry (default configs/registry.yaml)
    levels=<n>               Morris grid levels, an even number >= 2 (default 4)
    second_order=true|false  Sobol: second-order indices in indices_s2.csv (default true)
    executor=, workers=, dask.address=, slurm.config=   where the runs go (research.options)
Every other key=value is a model override (scenario=, population.size=, years=, seed=, ...;
default population.size=10000 years=3). Every run uses the same seed (common random numbers),
so differences between runs come from the parameters alone; the sampler uses it too.

The folder (`hydra.run.dir=...`, else a new one under outputs/sensitivity/) receives
parameters.csv (the entries varied, with the value a run uses and the source, from the
schema), samples.csv (every sample's parameter values and outputs), indices.csv (method,
output, parameter, and mu_star, mu_star_conf, sigma, mu for Morris or S1, S1_conf, ST, ST_conf
for Sobol), indices_s2.csv (Sobol second order), indices_by_year.csv (the same per simulated
year, column year), indices.png and indices_over_time.png, each written whole, then COMPLETE.json
(versions, the command). Runs are kept in jobs/ as they
finish (`research`): the same command with the same folder skips finished runs.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import model
import research
from analysis.figures import save_figure
from analysis.sensitivity import OUTPUTS, UNITS
from experiments.cli import (begin_folder, check_folder, end_folder, fail, list_option, resumable, resume_command,
                             stop_unless_done, study_args, unique_run_dir, whole_option)
from model.config import ConfigError, set_values
from research import registry
from model.provenance import write_atomic

METHODS = ("morris", "sobol")
OPTIONS = ("method", "samples", "parameters", "outputs", "registry", "levels", "second_order")
DEFAULT_MODEL = ["population.size=10000", "years=3"]
DEFAULT_SAMPLES = {"morris": 10, "sobol": 64}
REDUCER = "analysis.sensitivity:outputs"
COLUMNS = {"morris": ("mu_star", "mu_star_conf", "sigma", "mu"), "sobol": ("S1", "S1_conf", "ST", "ST_conf")}
MAIN_INDEX = {"morris": ("mu_star", "mu_star_conf"), "sobol": ("ST", "ST_conf")}


def parse(argv: list[str]):
    """The study's options (checked), the model overrides, the folder and the executor."""
    given, overrides, executor, flags = study_args(argv, "experiments.sensitivity", OPTIONS)
    method = given.get("method", "morris")
    if method not in METHODS:
        fail(f"'method': '{method}' is not allowed; allowed are {', '.join(METHODS)}")
    samples = whole_option("samples", given.get("samples", str(DEFAULT_SAMPLES[method])), 1)
    if method == "morris" and samples < 2:
        fail(f"'samples': {samples} is not allowed for method=morris; allowed is a whole number >= 2 "
             "(trajectories; sigma and confidence need two)")
    if method == "sobol" and samples & (samples - 1):
        fail(f"'samples': {samples} is not allowed for method=sobol; allowed is a power of 2 (Sobol' sequences "
             f"balance only then), e.g. {2 ** int(np.log2(samples))} or {2 ** (int(np.log2(samples)) + 1)}")
    levels = whole_option("levels", given.get("levels", "4"), 2)
    if levels % 2:
        fail(f"'levels': {levels} is not allowed; allowed is an even number >= 2")
    second = given.get("second_order", "true")
    if second not in ("true", "false"):
        fail(f"'second_order': '{second}' is not allowed; allowed are true, false")
    outputs = list_option(given["outputs"]) if "outputs" in given else list(OUTPUTS)
    for name in outputs:
        if name not in OUTPUTS:
            fail(f"'outputs': '{name}' is not allowed; allowed are {', '.join(OUTPUTS)}")
    if not outputs:
        fail(f"'outputs': give at least one of {', '.join(OUTPUTS)}")
    path = Path(given.get("registry", registry.DEFAULT_FILE))
    try:
        entries = registry.load(path)
        names = list_option(given["parameters"]) if "parameters" in given else None
        if names is not None and len(set(names)) != len(names):
            fail("'parameters': a parameter is named twice; name each once")
        chosen = registry.select(entries, names, kind=None if names else "uncertainty")
    except registry.RegistryError as exc:
        fail(str(exc))
    if not chosen:
        fail("'parameters': nothing to vary; name registry entries, e.g. parameters=[health.demand_trend]")
    if method == "sobol" and len(chosen) < 2:
        fail("'parameters': method=sobol needs at least two parameters")
    opts = {"method": method, "samples": samples, "levels": levels, "second_order": second == "true",
            "outputs": outputs, "entries": chosen, "registry": path}
    folder = Path(flags["run_dir"]) if "run_dir" in flags else None
    return opts, [*DEFAULT_MODEL, *overrides], folder, executor


def sample(opts: dict, seed: int) -> np.ndarray:
    """The sample matrix (one row per run, one column per parameter) drawn with SALib."""
    problem = registry.problem(opts["entries"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's notes on sample sizes are checked in parse
        if opts["method"] == "morris":
            from SALib.sample import morris
            return morris.sample(problem, opts["samples"], num_levels=opts["levels"], seed=seed)
        from SALib.sample import sobol
        return sobol.sample(problem, opts["samples"], calc_second_order=opts["second_order"], seed=seed)


def plan(opts: dict, base: model.Config, X: np.ndarray) -> list[research.Job]:
    """One job per sample row: the base configuration with the row's values (checked)."""
    jobs = []
    for i, row in enumerate(X):
        values = registry.values(opts["entries"], row)
        try:
            config = set_values(base, values)
        except ConfigError as exc:
            fail(f"sample {i}: {exc}")
        jobs.append(research.Job(config, base.seed, REDUCER, label=f"sample {i}"))
    return jobs


def indices(opts: dict, X: np.ndarray, Y: np.ndarray, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-order and total indices (or Morris measures) per parameter for one output, and the
    Sobol second-order table (empty for Morris)."""
    problem = registry.problem(opts["entries"])
    names = problem["names"]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # an output that does not vary gives 0/0
        if opts["method"] == "morris":
            from SALib.analyze import morris
            found = morris.analyze(problem, X, Y, num_levels=opts["levels"], seed=seed)
        else:
            from SALib.analyze import sobol
            found = sobol.analyze(problem, Y, calc_second_order=opts["second_order"], seed=seed)
    table = pd.DataFrame({"parameter": names, **{c: np.asarray(found[c], float) for c in COLUMNS[opts["method"]]}})
    pairs = []
    if opts["method"] == "sobol" and opts["second_order"]:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                pairs.append({"parameter_1": names[i], "parameter_2": names[j],
                              "S2": float(found["S2"][i, j]), "S2_conf": float(found["S2_conf"][i, j])})
    return table, pd.DataFrame(pairs, columns=["parameter_1", "parameter_2", "S2", "S2_conf"])


def analyse(opts: dict, X: np.ndarray, values: list[dict], seed: int) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                              pd.DataFrame]:
    """indices.csv, indices_s2.csv and indices_by_year.csv as tables."""
    method = opts["method"]
    overall, second, by_year = [], [], []
    start, years = values[0]["start_year"], len(next(iter(values[0]["years"].values())))
    for output in opts["outputs"]:
        table, pairs = indices(opts, X, np.array([v["run"][output] for v in values]), seed)
        overall.append(table.assign(method=method, output=output))
        second.append(pairs.assign(method=method, output=output))
        for y in range(years):
            table, _ = indices(opts, X, np.array([v["years"][output][y] for v in values]), seed)
            by_year.append(table.assign(method=method, output=output, year=start + y))
    head = ["method", "output", "parameter", *COLUMNS[method]]
    return (pd.concat(overall)[head], pd.concat(second)[["method", "output", "parameter_1", "parameter_2", "S2",
                                                          "S2_conf"]],
            pd.concat(by_year)[["year", *head]])


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write a table, never half-written (`model.provenance.write_atomic`)."""
    write_atomic(path, lambda tmp: df.to_csv(tmp, index=False))


def figures(opts: dict, table: pd.DataFrame, by_year: pd.DataFrame, folder: Path) -> None:
    """indices.png (bars of mu_star or ST per output, with their confidence) and
    indices_over_time.png (that index per simulated year, the five largest parameters)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    index, conf = MAIN_INDEX[opts["method"]]
    labels = {e.path: e.text("en") for e in opts["entries"]}
    outputs = opts["outputs"]
    cols = min(3, len(outputs))
    rows = -(-len(outputs) // cols)
    n = len(opts["entries"])
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, (0.28 * n + 1.4) * rows), squeeze=False,
                             constrained_layout=True)
    for ax, output in zip(axes.flat, outputs):
        part = table[table["output"] == output].sort_values(index, na_position="first")
        ax.barh([labels[p] for p in part["parameter"]], part[index].fillna(0), xerr=part[conf].fillna(0),
                color="#2a9d8f", ecolor="#264653", capsize=2)
        ax.set_title(f"{output} ({UNITS[output]})", fontsize=9)
        ax.set_xlabel(index, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(outputs):]:
        ax.axis("off")
    fig.suptitle(f"{opts['method'].capitalize()} sensitivity: {index} with its 95% confidence", fontsize=10)
    save_figure(fig, folder / "indices.png")

    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.2 * rows), squeeze=False, constrained_layout=True)
    for ax, output in zip(axes.flat, outputs):
        part = by_year[by_year["output"] == output]
        top = (table[table["output"] == output].sort_values(index, ascending=False)["parameter"].head(5))
        for p in top:
            line = part[part["parameter"] == p].sort_values("year")
            ax.plot(line["year"], line[index], marker="o", label=labels[p])
        ax.set_title(output, fontsize=9)
        ax.set_xlabel("year", fontsize=8)
        ax.set_ylabel(index, fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6)
    for ax in list(axes.flat)[len(outputs):]:
        ax.axis("off")
    fig.suptitle(f"{index} per simulated year (the five largest parameters over the run)", fontsize=10)
    save_figure(fig, folder / "indices_over_time.png")


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    opts, overrides, folder, executor = parse(argv)
    try:
        base = model.load_config("baseline", overrides)
    except ConfigError as exc:
        fail(str(exc))
    seed = base.seed
    X = sample(opts, seed)
    jobs = plan(opts, base, X)
    check_folder(folder, "experiments.sensitivity", "sensitivity", own=("jobs",))
    folder = (folder or unique_run_dir("sensitivity", opts["method"])).resolve()
    begin_folder(folder)
    store = folder / "jobs"
    started = time.time()
    print(f"{opts['method']}: {len(opts['entries'])} parameters, {opts['samples']} "
          f"{'trajectories' if opts['method'] == 'morris' else 'base samples'} = {len(jobs)} runs "
          f"({base.population.size:,} residents, {base.years} years, seed {seed}; {executor.describe()})",
          file=sys.stderr)
    resume = resume_command("sensitivity", argv, folder)
    with resumable(resume), executor:
        outcome = research.run_study(jobs, executor, store, desc="sensitivity")
    stop_unless_done(outcome, resume, "indices")
    research.Store(store).prune({job.key for job in jobs})  # runs of an earlier design or older code
    values = [outcome.value(job) for job in jobs]
    names = [e.path for e in opts["entries"]]
    write_csv(pd.DataFrame(registry.table(opts["entries"])), folder / "parameters.csv")
    samples = pd.DataFrame(X, columns=names)
    for e in opts["entries"]:
        samples[e.path] = [e.value_of(x) for x in X[:, names.index(e.path)]]
    for output in opts["outputs"]:
        samples[output] = [v["run"][output] for v in values]
    samples.insert(0, "sample", range(len(X)))
    write_csv(samples, folder / "samples.csv")
    table, second, by_year = analyse(opts, X, values, seed)
    write_csv(table, folder / "indices.csv")
    if opts["method"] == "sobol" and opts["second_order"]:
        write_csv(second, folder / "indices_s2.csv")
    write_csv(by_year, folder / "indices_by_year.csv")
    figures(opts, table, by_year, folder)
    end_folder(folder, "sensitivity", {"method": opts["method"], "runs": len(jobs)})
    ran = len(outcome.done) - outcome.skipped
    print(f"{ran} runs done, {outcome.skipped} already finished; {time.time() - started:.0f} s", file=sys.stderr)
    index = MAIN_INDEX[opts["method"]][0]
    for output in opts["outputs"]:
        top = table[table["output"] == output].sort_values(index, ascending=False).head(3)
        print(f"{output:18s} " + ", ".join(f"{p} {v:.3g}" for p, v in zip(top["parameter"], top[index])))
    print(f"results: {folder}")
    return folder


if __name__ == "__main__":
    main()
