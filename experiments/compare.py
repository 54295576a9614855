"""Compare named policy scenarios with baseline and write the analyst's report.

    python -m experiments.compare                                   # every scenario
    python -m experiments.compare scenarios=[sociale_basis,preventiefonds+ontschotting] \
        replications=10 years=10 lang=nl population.size=50000 hydra.run.dir=results/vergelijking

Keys of the comparison itself:
    scenarios=[a,b,a+b]   scenario names from configs/scenario; a+b combines two (default: all)
    replications=<n>      runs per scenario, n >= 2 (default 10)
    lang=en|nl            language of the report (default en)
    crn=true|false        common random numbers (default true): replication r uses seed
                          seed + r in every scenario; false gives each scenario its own seeds
    executor=serial|processes|dask|slurm  where the runs go (default: processes, serial with
                          workers=1); dask.address=tcp://host:port uses a running Dask
                          scheduler, slurm.config=<file> a SLURM cluster (research.options)
    workers=<n>           worker processes (default: the machine's cores)
    precision=<share>     interval half-width sought, as a share of the baseline value, for the
                          "replications needed" estimate (default 0.01)
    mechanisms=true|false for every scenario that saves, split the saving by mechanism: each
                          mechanism of analysis.mechanisms switched off in both arms, same
                          seeds (default true)
    mechanism_replications=<n>  replications of those runs, n >= 2 (default 3)
Every other key=value is a model override applied to every scenario (years=..., seed=...,
region=..., population.size=...). All configurations are checked before anything runs.

The report folder (`hydra.run.dir=...`, else a new folder under outputs/compare/) is built in
`<folder>.partial` and renamed when complete, with COMPLETE.json written last. Finished runs are kept there (jobs/, one file
per run, `research`), so an interrupted comparison resumes when started again with the same
folder; a run that fails is recorded there with its error, the others finish, and the report
waits until a rerun has them all.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

import model
import research
from experiments.cli import (fail, resumable, resume_command, split_args, stop_unless_done, take_executor,
                             unique_run_dir)
from experiments.scenarios import describe, parse_scenarios
from model import provenance
from model.config import available
from model.engine.results import config_yaml

OPTIONS = ("scenarios", "replications", "lang", "crn", "precision", "mechanisms", "mechanism_replications")
LANGS = ("en", "nl")
MAX_SEED = 2**31 - 1
REDUCER = "analysis.extract:extract"  # what the report needs of a run, reduced in its worker


@dataclass
class Run:
    """One run of the comparison: a scenario (or a scenario with a mechanism off) and replication."""
    label: str          # "preventiefonds+ontschotting"
    replication: int
    job: research.Job

    @property
    def seed(self) -> int:
        return self.job.seed


def parse(argv: list[str]) -> tuple[dict, list[str], Path | None, research.Executor]:
    """Split the command line into comparison options, model overrides, the report folder and
    the executor (not started)."""
    args, flags = split_args(argv)
    if flags["multirun"]:
        fail("--multirun is not used by experiments.compare; list scenarios with scenarios=[a,b,a+b]")
    if "sweep_dir" in flags:
        fail("'hydra.sweep.dir': experiments.compare writes one report folder; use hydra.run.dir")
    opts = {"scenarios": None, "replications": 10, "lang": "en", "crn": True, "precision": 0.01,
            "mechanisms": True, "mechanism_replications": 3}
    overrides = []
    executor, args = take_executor(args)
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            fail(f"'{arg}': expected key=value; comparison keys are {', '.join(OPTIONS + research.KEYS)}, "
                 "anything else is a model override")
        if key == "scenario":
            fail("'scenario': a comparison takes scenarios=[a,b,a+b]; allowed names are "
                 + ", ".join(available("scenario")))
        if key not in OPTIONS:
            overrides.append(arg)
            continue
        opts[key] = _option(key, value.strip())
    folder = Path(flags["run_dir"]) if "run_dir" in flags else None
    return opts, overrides, folder, executor


def _option(key: str, value: str):
    if key == "scenarios":
        items = [x.strip() for x in value.strip("[]").split(",") if x.strip()]
        twice = next((x for i, x in enumerate(items) if x in items[:i]), None)
        if twice is not None:
            fail(f"'scenarios': '{twice}' is named twice; name each scenario once")
        try:
            return parse_scenarios(value)
        except ValueError as exc:
            fail(str(exc))
    if key == "lang":
        if value not in LANGS:
            fail(f"'lang': '{value}' is not allowed; allowed are {', '.join(LANGS)}")
        return value
    if key in ("crn", "mechanisms"):
        if value.lower() not in ("true", "false"):
            fail(f"'{key}': '{value}' is not allowed; allowed are true, false")
        return value.lower() == "true"
    if key == "precision":
        try:
            share = float(value)
        except ValueError:
            share = -1.0
        if not 0 < share <= 1:
            fail(f"'precision': {value} is not allowed; allowed is a share in (0, 1]")
        return share
    if not value.isdigit() or not 2 <= int(value) <= 10_000:
        fail(f"'{key}': {value} is not allowed; allowed is a whole number in [2, 10000]")
    return int(value)


def plan(opts: dict, overrides: list[str]) -> tuple[dict, list[Run]]:
    """Load and check every scenario's configuration, then list the runs (nothing runs yet)."""
    combos = opts["scenarios"] or parse_scenarios("all")
    configs = {}
    for names in combos:
        try:
            configs["+".join(names)] = model.load_config(names, overrides)
        except model.ConfigError as exc:
            fail(str(exc))
    labels = list(configs)
    reps = opts["replications"]
    base_seed = configs["baseline"].seed
    last_seed = base_seed + (reps if opts["crn"] else reps * len(labels)) - 1
    if last_seed > MAX_SEED:
        fail(f"'seed': {base_seed} leaves no room for {reps} replications; allowed is at most "
             f"{MAX_SEED - (last_seed - base_seed)}")
    jobs = []
    for r in range(reps):
        for i, label in enumerate(labels):
            seed = base_seed + r if opts["crn"] else base_seed + i * reps + r
            jobs.append(job(label, r, configs[label], seed))
    return configs, jobs


def job(label: str, replication: int, config: model.Config, seed: int) -> Run:
    """A run, stored under the key of its full configuration, seed and the model code."""
    return Run(label, replication, research.Job(config, seed, REDUCER, label=f"{label} r{replication}"))


def plan_mechanisms(opts: dict, overrides: list[str], main_jobs: list[Run], saving: list[str]) -> list[Run]:
    """Runs with one mechanism switched off in baseline and in every scenario that saves, on the
    seeds of the first replications (common random numbers)."""
    from analysis.mechanisms import MECHANISMS, label

    reps = min(opts["mechanism_replications"], opts["replications"])
    seeds = {(j.label, j.replication): j.seed for j in main_jobs}
    jobs = []
    for m in MECHANISMS:
        for scenario in [BASELINE, *saving]:
            config = model.load_config(scenario.split("+"), [*overrides, *m.off])
            for r in range(reps):
                jobs.append(job(label(scenario, m.name), r, config, seeds[(scenario, r)]))
    return jobs


BASELINE = "baseline"


def run_all(runs: list[Run], jobs: Path, executor: research.Executor) -> research.Outcome:
    """Run every run not yet finished in the folder `jobs`, on the executor, with a progress bar."""
    return research.run_study([r.job for r in runs], executor, jobs, desc="runs")


def gather(runs: list[Run], outcome: research.Outcome) -> pd.DataFrame:
    """The reduced runs in one table, with their scenario, replication and seed."""
    frames = []
    for r in runs:
        df = outcome.value(r.job)
        frames.append(df.astype({c: str for c in df.columns if c not in ("period", "value")})
                      .assign(scenario=r.label, replication=r.replication, seed=r.seed))
    runs = pd.concat(frames, ignore_index=True)
    for col in ("table", "metric", "line", "to_line", "domain", "financier", "group", "scenario"):
        runs[col] = runs[col].astype(str)
    return runs


def prepare(folder: Path) -> Path:
    """The working folder `<folder>.partial`, seeded with the finished runs of an earlier report."""
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    if (folder / JOBS).is_dir():
        shutil.copytree(folder / JOBS, partial / JOBS, dirs_exist_ok=True)
    return partial


JOBS = "jobs"  # the report folder's store of finished runs (research.Store)


def finish(partial: Path, folder: Path) -> None:
    """Put the complete report in place in one rename."""
    for leftover in ("report.html", "report.md"):
        if not (partial / leftover).exists():
            raise RuntimeError(f"{leftover} missing")
    provenance.write_marker(partial, "compare")  # last: the report is complete
    if folder.exists():
        shutil.rmtree(folder)
    partial.rename(folder)


def build_report(partial: Path, configs: dict, jobs: list[Run], opts: dict, overrides: list[str],
                 runtime: float, outcome: research.Outcome, mechanism_jobs: list[Run] = (),
                 saving: list[str] = ()) -> None:
    """Statistics, tables, resolved configs, figures and the report, from the finished runs."""
    from analysis.comparison import compare
    from analysis.mechanisms import decompose
    from analysis.report import write_report

    labels = list(configs)
    base = configs["baseline"]
    meta = {
        "region": base.region.name, "population": base.population.size, "years": base.years,
        "start_year": base.start_year, "replications": opts["replications"], "crn": opts["crn"],
        "base_seed": base.seed, "seeds": sorted({j.seed for j in jobs}), "overrides": overrides,
        "netherlands_population": base.region.netherlands_population, "lang": opts["lang"],
        "discount_rate": base.evaluation.discount_rate_costs,
        "created": datetime.now().strftime("%Y-%m-%d %H:%M"), "scenarios": labels,
        "runtime_seconds": round(runtime, 1),
        "compute_seconds": round(sum(outcome.seconds(r.job) for r in [*jobs, *mechanism_jobs]), 1),
        "mechanisms": bool(opts["mechanisms"] and opts["crn"]),
        "mechanism_replications": min(opts["mechanism_replications"], opts["replications"]),
        "scenario_info": {label: describe(cfg, base) for label, cfg in configs.items()},
    }
    runs = gather(jobs, outcome)
    comparison = compare(runs, labels, meta, precision=opts["precision"])
    if mechanism_jobs:
        reps = meta["mechanism_replications"]
        first = runs[runs["replication"] < reps]
        # the scenarios that save over all replications, split on the first few
        comparison.mechanisms = decompose(pd.concat([first, gather(mechanism_jobs, outcome)]), list(saving))
    for old in partial.iterdir():  # tables, figures and configs of an interrupted report
        if old.name != JOBS:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    comparison.save(partial)
    (partial / "configs").mkdir()
    for label, cfg in configs.items():
        (partial / "configs" / f"{label}.yaml").write_text(config_yaml(cfg))
    write_report(comparison, partial, opts["lang"])


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    opts, overrides, folder, executor = parse(argv)
    if folder is not None and folder.exists() and (not folder.is_dir() or any(folder.iterdir())) and not (
            provenance.is_complete(folder, "compare") or (folder / "report.html").exists()):
        fail(f"'hydra.run.dir': {folder} exists and holds no comparison report; allowed is a new folder "
             "or an earlier report's folder")
    configs, jobs = plan(opts, overrides)
    folder = (folder or unique_run_dir("compare", "report")).resolve()
    started = time.time()
    partial = prepare(folder)
    store = partial / JOBS
    labels = list(configs)
    print(f"{len(labels)} scenarios x {opts['replications']} replications = {len(jobs)} runs "
          f"({configs['baseline'].population.size:,} residents, {configs['baseline'].years} years, "
          f"{'common' if opts['crn'] else 'independent'} random numbers; {executor.describe()})",
          file=sys.stderr)
    mechanism_jobs: list[Run] = []
    saving: list[str] = []
    resume = resume_command("compare", argv, folder)
    with resumable(resume), executor:
        outcome = run_all(jobs, store, executor)
        if outcome.ok and opts["mechanisms"] and opts["crn"]:
            from analysis.mechanisms import saving_scenarios
            saving = saving_scenarios(gather(jobs, outcome))
            mechanism_jobs = plan_mechanisms(opts, overrides, jobs, saving)
            if mechanism_jobs:
                print(f"splitting the saving of {', '.join(saving)} by mechanism: {len(mechanism_jobs)} runs",
                      file=sys.stderr)
                outcome.extend(run_all(mechanism_jobs, store, executor))
    stop_unless_done(outcome, resume, "report")
    research.Store(store).prune({r.job.key for r in jobs + mechanism_jobs})  # runs of older code or settings
    build_report(partial, configs, jobs, opts, overrides, time.time() - started, outcome, mechanism_jobs, saving)
    finish(partial, folder)
    print(f"report: {folder / 'report.html'}")
    print(f"        {folder / 'report.md'}")
    return folder


if __name__ == "__main__":
    main()
