"""Calibrate free parameters to Dutch base rates with differential evolution.

    python -m experiments.calibrate population.size=20000 years=4 seeds=[1,2] maxiter=8 popsize=5
    python -m experiments.calibrate free=configs/calibration/free_parameters.yaml install=true
    python -m experiments.calibrate cpb_size=1000000 free=...   # the CPB replay in the objective too
    python -m experiments.calibrate free=my_subset.yaml keep=true install=true  # refit a subset
    python -m experiments.calibrate check=true population.size=50000 years=3   # the installed fit, no fitting

Free parameters and their search ranges are listed in a YAML file (`free=`, default
configs/calibration/free_parameters.yaml). Every candidate is simulated with the same seeds
(common random numbers), so the objective changes only with the parameters. The objective
(analysis.calibration_targets.objective) covers the base rates in data/targets.yaml and, with
`cpb_size=N` (N residents), the CPB (2020) wijkteam comparison: each candidate is also run
through the CPB replay (experiments.cpb_wijkteam, 60 municipalities, 2013-2018, the first seed),
so one parameter set is fitted to both. Residential youth care is rare, so the replay's growth
figures vary between replications by up to 11 points at 300,000 residents and 3 to 4 at
1,000,000 (standard deviation of residential growth per group): below about a million
residents the CPB terms fit noise.

Candidates run through `research` (`executor=serial|processes|dask|slurm`, `workers=`,
`dask.address=`; default: one process per core), one job per seed (and one for the CPB replay),
each kept in the run folder's jobs/ as it finishes. A candidate whose run fails scores as
infinitely bad for this calibration, is not written to evaluations.csv and is run again when
the command is started again; the number that failed is printed at the end.

The run folder (`hydra.run.dir=...`) receives evaluations.csv (every candidate and its
objective: rerunning in the same folder reuses them, so an interrupted calibration resumes),
fitted.yaml (the best values with provenance: targets, date, objective, seeds), calibration.csv
(target, model, observed, relative_error) and calibration.png, each written whole
(`model.provenance.write_atomic`), then COMPLETE.json (versions, the command). `install=true` copies
fitted.yaml to configs/calibration/fitted.yaml, which every run then loads; with `keep=true`
the parameters this fit leaves out keep their installed values (a subset is refitted).
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import differential_evolution
from tqdm import tqdm

import model
from analysis.calibration_targets import CPB_TOLERANCE, comparison, fitted_targets, objective
from experiments import cpb_wijkteam
from experiments.cli import begin_folder, check_folder, end_folder, fail, split_args, take_executor, unique_run_dir
from model import paths
from model.config import ConfigError, get_value, parse_overrides
from research import Executor, Job, run_study
from model.provenance import write_atomic

OPTIONS = {"seeds": "[1,2]", "maxiter": "6", "popsize": "4", "free": "configs/calibration/free_parameters.yaml",
           "install": "false", "keep": "false", "check": "false", "cpb_size": "0"}
INSTALLED = paths.config_dir() / "calibration" / "fitted.yaml"
DEFAULT_MODEL = ["population.size=20000", "years=4"]


FIGURES = "analysis.calibration_targets:model_figures"  # base rates of one run, reduced in its worker
CPB_GROWTH = "experiments.cpb_wijkteam:growth"          # growth by wijkteam-help group of one replay


def parse(argv: list[str]) -> tuple[dict, list[str], dict, Executor]:
    overrides, flags = split_args(argv)
    executor, overrides = take_executor(overrides)
    options, rest = dict(OPTIONS), []
    for text in overrides:
        key, _, value = text.partition("=")
        if key in OPTIONS:
            options[key] = value
        else:
            rest.append(text)
    try:
        seeds = [int(s) for s in options["seeds"].strip("[]").split(",") if s.strip()]
        maxiter, popsize = int(options["maxiter"]), int(options["popsize"])
        cpb_size = int(options["cpb_size"])
    except ValueError:
        fail("'seeds', 'maxiter', 'popsize' and 'cpb_size' must be whole numbers, e.g. seeds=[1,2] maxiter=6")
    if not seeds or maxiter < 0 or popsize < 1 or cpb_size < 0:
        fail("'seeds' needs at least one seed; 'maxiter' >= 0, 'popsize' >= 1, 'cpb_size' >= 0")
    for flag in ("install", "keep", "check"):
        if options[flag] not in ("true", "false"):
            fail(f"'{flag}': '{options[flag]}' is not allowed; allowed are true, false")
    opts = {"seeds": seeds, "maxiter": maxiter, "popsize": popsize,
            "install": options["install"] == "true", "keep": options["keep"] == "true",
            "check": options["check"] == "true",
            "free": Path(options["free"]), "cpb_size": cpb_size}
    return opts, DEFAULT_MODEL + rest, flags, executor


def load_free(path: Path, base: list[str]) -> dict[str, tuple[float, float]]:
    """Free parameters with bounds; each must be a known key and its bounds inside the schema range."""
    file = path if path.is_absolute() or path.exists() else paths.root() / path  # cwd, else beside configs/
    if not file.exists():
        fail(f"'free': no such file {path}")
    try:
        free = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        fail(f"'free': {path} is not valid YAML{f' at line {mark.line + 1}' if mark else ''}; allowed is a "
             "mapping of parameter names to [low, high]")
    if not isinstance(free, dict):
        fail(f"'free': {path} must map parameter names to [low, high]")
    for name, bounds in free.items():
        if not (isinstance(bounds, list) and len(bounds) == 2
                and all(isinstance(b, (int, float)) and not isinstance(b, bool) and np.isfinite(b) for b in bounds)
                and bounds[0] < bounds[1]):
            fail(f"'{name}' in {path}: give [low, high] with low < high")
        for value in bounds:
            try:
                model.load_config("baseline", [*base, f"{name}={value}"])
            except ConfigError as exc:
                fail(f"free parameter {exc}")
    return {name: (float(lo), float(hi)) for name, (lo, hi) in free.items()}


def candidate_jobs(overrides: list[str], candidate: list[str], seeds: list[int], cpb_size: int) -> list[Job]:
    """The runs one candidate needs: the base rates on every seed and, with a CPB size, one
    CPB replay (growth by wijkteam-help group) on the first seed."""
    jobs = [Job(tuple(overrides), s, FIGURES, label=f"seed {s}") for s in seeds]
    if cpb_size:
        replay = (*cpb_wijkteam.SETUP, f"population.size={cpb_size}", *candidate)
        jobs.append(Job(replay, seeds[0], CPB_GROWTH, label=f"CPB replay seed {seeds[0]}"))
    return jobs


def combine(figures: list[dict], growth: dict | None) -> dict:
    """A candidate's figures: the mean of each base rate over the seeds, then the replay's growth."""
    out = {k: float(np.mean([f[k] for f in figures])) for k in figures[0]}  # nan stays nan (not modelled)
    if growth is not None:
        out.update(growth)
    return out


def evaluate(candidates: list[tuple[list[str], list[str]]], seeds: list[int], cpb_size: int, executor: Executor,
             store: Path, progress: bool = False) -> list[dict | None]:
    """Figures of every candidate (model overrides, the candidate's own values), its runs spread
    over the executor; None for a candidate one of whose runs failed (its error is in `store`)."""
    plans = [candidate_jobs(overrides, candidate, seeds, cpb_size) for overrides, candidate in candidates]
    outcome = run_study([job for jobs in plans for job in jobs], executor, store, desc="runs", progress=progress)
    out = []
    for jobs in plans:
        if any(job.key not in outcome.done for job in jobs):
            out.append(None)
            continue
        values = [outcome.value(job) for job in jobs]
        out.append(combine(values[:len(seeds)], values[len(seeds)] if cpb_size else None))
    return out


class Calibration:
    """Objective with a persistent cache, evaluated in parallel for a whole population."""

    def __init__(self, folder: Path, names, base, seeds, executor: Executor, cpb_size):
        self.folder, self.names, self.base, self.seeds, self.cpb_size = folder, names, base, seeds, cpb_size
        self.cache_file = folder / "evaluations.csv"
        self.cache: dict[tuple, dict] = {}
        self.rows: list[dict] = []
        if self.cache_file.exists():
            earlier = pd.read_csv(self.cache_file)
            self.rows = earlier.to_dict("records")
            for _, row in earlier.iterrows():
                self.cache[self.key(row[names].to_numpy(float))] = json.loads(row["figures"])
        self.executor = executor
        self.failed = 0  # candidates with a failed run (scored as infinitely bad; retried on a rerun)
        self.bar = None

    @staticmethod
    def key(x) -> tuple:
        return tuple(round(float(v), 10) for v in x)

    def candidate(self, x) -> list[str]:
        return [f"{name}={value!r}" for name, value in zip(self.names, map(float, x))]

    def map(self, _func, population) -> list[float]:
        """Called by differential_evolution with the whole population (updating='deferred')."""
        population = [np.asarray(x) for x in population]
        todo = list({self.key(x): x for x in population if self.key(x) not in self.cache}.values())
        candidates = [([*self.base, *c], c) for c in map(self.candidate, todo)]
        failed = set()
        for x, figures in zip(todo, evaluate(candidates, self.seeds, self.cpb_size, self.executor,
                                             self.folder / "jobs")):
            if figures is None:
                failed.add(self.key(x))
                continue
            self.cache[self.key(x)] = figures
            self.save_row(x, figures)
        self.failed += len(failed)
        scores = [np.inf if self.key(x) in failed else objective(self.cache[self.key(x)]) for x in population]
        if self.bar is not None:
            self.bar.update(len(population))
            best = min((objective(f) for f in self.cache.values()), default=np.inf)
            self.bar.set_postfix_str(f"best={best:.4f}" + (f", {self.failed} failed" if self.failed else ""))
        return scores

    def save_row(self, x, figures) -> None:
        """Add a candidate to evaluations.csv: the file is rewritten whole and renamed into place,
        so a calibration killed while writing leaves the previous file, never half a row."""
        row = dict(zip(self.names, map(float, x)), objective=objective(figures), figures=json.dumps(figures))
        self.rows.append(row)
        table = pd.DataFrame(self.rows)
        write_atomic(self.cache_file, lambda tmp: table.to_csv(tmp, index=False))


def current_value(config, name: str) -> float:
    """The value a dotted name (list elements by index) has in a config."""
    return float(get_value(config, name))


def fitted_yaml(names, x, base_config, info: dict, kept: dict | None = None) -> str:
    """A `# @package _global_` config setting the fitted values, with provenance; `kept` (a tree
    of earlier fitted values) is kept where this fit does not set a value."""
    tree: dict = {"calibration": info}
    for section, values in (kept or {}).items():
        if section != "calibration":
            tree[section] = json.loads(json.dumps(values))
    for name, value in zip(names, x):
        parts = name.split(".")
        if parts[-1].isdigit():  # an element of a list: write the whole list
            values = list(get_value(base_config, ".".join(parts[:-1])))
            values[int(parts[-1])] = float(value)
            parts, value = parts[:-1], values
        node = tree
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value if isinstance(value, list) else float(value)
    header = ("# @package _global_\n# Calibrated values written by experiments.calibrate; the `calibration`\n"
              "# block says what they were fitted to.\n")
    return header + yaml.safe_dump(tree, sort_keys=False)


def figure(rows: list[dict], path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in rows if np.isfinite(r["relative_error"])]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.5), constrained_layout=True)
    errors = [100 * r["relative_error"] for r in rows]
    colours = ["#adb5bd" if not r["fitted"] else "#2a9d8f" if r["within_tolerance"] else "#e76f51" for r in rows]
    ax.barh([r["target"] for r in rows], errors, color=colours)
    ax.axvspan(-15, 15, color="#2a9d8f", alpha=0.1)
    ax.axvline(0, color="black", lw=0.8)
    ax.set(xlabel="model vs observed (%)")
    fig.suptitle("Calibration: relative error per target\ngreen: within tolerance (15% for base rates unless "
                 "data/targets.yaml says otherwise,\n4 or 3 points of growth for CPB); grey: reported, not fitted",
                 fontsize=10)
    ax.invert_yaxis()
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    opts, base, flags, executor = parse(sys.argv[1:] if argv is None else argv)
    try:
        parse_overrides(base)
        base_config = model.load_config("baseline", base)
    except ConfigError as exc:
        fail(str(exc))
    folder = Path(flags["run_dir"]) if "run_dir" in flags else unique_run_dir("calibrate", "baseline")
    check_folder(folder, "experiments.calibrate", "calibrate", own=("jobs", "evaluations.csv"))
    if opts["check"]:
        with executor:
            return check(folder, base, opts["seeds"], executor)
    free = load_free(opts["free"], base)
    names = list(free)
    begin_folder(folder)
    calibration = Calibration(folder, names, base, opts["seeds"], executor, opts["cpb_size"])
    population = 2 ** int(np.ceil(np.log2(opts["popsize"] * len(names))))  # scipy's Sobol start: a power of 2
    total = (opts["maxiter"] + 1) * population
    targets = [*fitted_targets(), *(f"cpb_{n}" for n in CPB_TOLERANCE if opts["cpb_size"])]
    print(f"calibrating {len(names)} parameters on {len(targets)} targets; {total} candidates at most, "
          f"{len(calibration.cache)} already evaluated in {folder}")
    with executor, tqdm(total=total, desc="calibration", unit="candidate", file=sys.stderr) as bar:
        calibration.bar = bar
        # start from the installed values too, so a refit is never worse than what it replaces
        start = np.clip([current_value(base_config, n) for n in names], *np.array([free[n] for n in names]).T)
        differential_evolution(lambda x: 0.0, bounds=[free[n] for n in names], seed=0, x0=start,
                                        maxiter=opts["maxiter"], popsize=opts["popsize"], polish=False,
                                        updating="deferred", workers=calibration.map, init="sobol")
    if calibration.failed:
        print(f"{calibration.failed} candidates had a failed run (errors in {folder / 'jobs'}/*.error.json); "
              "they were scored as infinitely bad and are run again when this command is started again",
              file=sys.stderr)
    if not calibration.cache:
        print("every candidate failed; nothing to report", file=sys.stderr)
        raise SystemExit(1)
    best_key = min(calibration.cache, key=lambda k: objective(calibration.cache[k]))
    x, figures = np.array(best_key), calibration.cache[best_key]
    cpb_note = f"; CPB replay at {opts['cpb_size']} residents, seed {opts['seeds'][0]}" if opts["cpb_size"] else ""
    info = {"fitted_to": ", ".join(targets), "date": date.today().isoformat(),
            "objective": f"{objective(figures):.5f} (analysis.calibration_targets.objective; {len(calibration.cache)} "
                         "candidates)",
            "seeds": ",".join(map(str, opts["seeds"])) + f" at {base_config.population.size} residents, "
                                                          f"{base_config.years} years" + cpb_note,
            "method": "scipy differential_evolution (sobol init, deferred updating, common random numbers)"}
    kept = None
    if opts["keep"]:  # refit a subset: the installed values of the other parameters stay
        kept = yaml.safe_load(INSTALLED.read_text())
        earlier = kept.get("calibration", {})
        info["method"] += (f"; parameters not in this fit keep the values fitted on {earlier.get('date', '?')} "
                           f"to {earlier.get('fitted_to', '?')} ({earlier.get('seeds', '?')})")
    text = fitted_yaml(names, x, base_config, info, kept)
    write_atomic(folder / "fitted.yaml", lambda tmp: Path(tmp).write_text(text))
    if opts["install"]:
        write_atomic(INSTALLED, lambda tmp: shutil.copy(folder / "fitted.yaml", tmp))
    report(figures, folder)
    end_folder(folder, "calibrate", {"candidates": len(calibration.cache)})


def report(figures: dict, folder: Path) -> None:
    """calibration.csv and calibration.png in the run folder, and the comparison printed."""
    rows = comparison(figures)
    table = pd.DataFrame(rows)[["target", "model", "observed", "relative_error", "tolerance", "within_tolerance",
                                "fitted", "why_not_fitted", "unit", "source"]]
    write_atomic(folder / "calibration.csv", lambda tmp: table.to_csv(tmp, index=False))
    write_atomic(folder / "calibration.png", lambda tmp: figure(rows, tmp))
    for r in rows:
        flag = "" if r["within_tolerance"] or not np.isfinite(r["model"]) else "  (outside tolerance)"
        flag += "" if r["fitted"] else "  (reported, not fitted)"
        print(f"{r['target']:40s} model {r['model']:10.3f}  observed {r['observed']:10.3f}  "
              f"{100 * r['relative_error']:+6.1f}%{flag}")
    print(f"objective {objective(figures):.5f}; results in {folder}")


def check(folder: Path, base: list[str], seeds: list[int], executor: Executor) -> None:
    """The installed calibration against every target, without fitting: the mean over the seeds."""
    begin_folder(folder)
    print(f"checking the installed calibration on seeds {', '.join(map(str, seeds))}")
    figures, = evaluate([(base, [])], seeds, 0, executor, folder / "jobs", progress=True)
    if figures is None:
        print(f"a run failed; its error is in {folder / 'jobs'} (rerun to retry)", file=sys.stderr)
        raise SystemExit(1)
    report(figures, folder)
    end_folder(folder, "calibrate", {"check": True})


if __name__ == "__main__":
    main()
