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
    workers=<n>           parallel processes (default: the machine's cores)
    precision=<share>     interval half-width sought, as a share of the baseline value, for the
                          "replications needed" estimate (default 0.01)
    mechanisms=true|false for every scenario that saves, split the saving by mechanism: each
                          mechanism of analysis.mechanisms switched off in both arms, same
                          seeds (default true)
    mechanism_replications=<n>  replications of those runs, n >= 2 (default 3)
Every other key=value is a model override applied to every scenario (years=..., seed=...,
region=..., population.size=...). All configurations are checked before anything runs.

The report folder (`hydra.run.dir=...`, else a new folder under outputs/compare/) is built in
`<folder>.partial` and renamed when complete. Finished runs are cached there (runs/), so an
interrupted comparison resumes when started again with the same folder.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pandas as pd
from tqdm import tqdm

import model
from analysis.extract import extract
from experiments.cli import REPO, fail, split_args, unique_run_dir
from experiments.scenarios import describe, parse_scenarios
from model.config import available
from model.results import config_yaml

OPTIONS = ("scenarios", "replications", "lang", "crn", "workers", "precision", "mechanisms",
           "mechanism_replications")
LANGS = ("en", "nl")
MAX_SEED = 2**31 - 1


@dataclass
class Job:
    label: str          # "preventiefonds+ontschotting"
    replication: int
    config: model.Config
    cache_name: str

    @property
    def seed(self) -> int:
        return self.config.seed


def parse(argv: list[str]) -> tuple[dict, list[str], Path | None]:
    """Split the command line into comparison options, model overrides and the report folder."""
    args, flags = split_args(argv)
    if flags["multirun"]:
        fail("--multirun is not used by experiments.compare; list scenarios with scenarios=[a,b,a+b]")
    if "sweep_dir" in flags:
        fail("'hydra.sweep.dir': experiments.compare writes one report folder; use hydra.run.dir")
    opts = {"scenarios": None, "replications": 10, "lang": "en", "crn": True, "workers": os.cpu_count() or 1,
            "precision": 0.01, "mechanisms": True, "mechanism_replications": 3}
    overrides = []
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            fail(f"'{arg}': expected key=value; comparison keys are {', '.join(OPTIONS)}, "
                 "anything else is a model override")
        if key == "scenario":
            fail("'scenario': a comparison takes scenarios=[a,b,a+b]; allowed names are "
                 + ", ".join(available("scenario")))
        if key not in OPTIONS:
            overrides.append(arg)
            continue
        opts[key] = _option(key, value.strip())
    folder = Path(flags["run_dir"]) if "run_dir" in flags else None
    return opts, overrides, folder


def _option(key: str, value: str):
    if key == "scenarios":
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
    low = 2 if key in ("replications", "mechanism_replications") else 1
    if not value.isdigit() or not low <= int(value) <= 10_000:
        fail(f"'{key}': {value} is not allowed; allowed is a whole number in [{low}, 10000]")
    return int(value)


def plan(opts: dict, overrides: list[str]) -> tuple[dict, list[Job]]:
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


def job(label: str, replication: int, config: model.Config, seed: int) -> Job:
    """A run, cached under a key of its full configuration, seed and the model code."""
    key = hashlib.sha256(f"{config_yaml(config)}{MODEL_DIGEST}seed={seed}".encode()).hexdigest()[:12]
    return Job(label, replication, replace(config, seed=seed), f"{label}/r{replication:03d}_seed{seed}_{key}.parquet")


def plan_mechanisms(opts: dict, overrides: list[str], main_jobs: list[Job], saving: list[str]) -> list[Job]:
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


def model_digest() -> str:
    """A fingerprint of the model code: cached runs of older code are not reused."""
    h = hashlib.sha256()
    for path in sorted((REPO / "model").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


MODEL_DIGEST = model_digest()
BASELINE = "baseline"


def _worker_init(threads: int) -> None:
    """Runs are spread over processes; compiled kernels in each get their share of the cores."""
    import numba
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))


def run_job(config: model.Config) -> pd.DataFrame:
    """One simulation reduced to what the report needs (runs in a worker process), with the
    seconds it took (table "run"), so a resumed comparison still reports its full cost."""
    started = time.time()
    df = extract(model.run(config))
    timing = pd.DataFrame([{"table": "run", "period": -1, "metric": "seconds", "value": time.time() - started}])
    return pd.concat([df.astype({c: str for c in df.columns if c not in ("period", "value")}), timing],
                     ignore_index=True).fillna("")


def run_all(jobs: list[Job], cache: Path, workers: int) -> None:
    """Run every job that has no cached result, in parallel, with a progress bar."""
    todo = [j for j in jobs if not (cache / j.cache_name).exists()]
    done = len(jobs) - len(todo)
    bar = tqdm(total=len(jobs), initial=done, desc="runs", unit="run", file=sys.stderr, dynamic_ncols=True)
    if not todo:
        bar.close()
        return
    workers = max(1, min(workers, len(todo)))
    if workers == 1:  # in this process: no start-up cost, easier to debug
        for job in todo:
            _store(run_job(job.config), cache / job.cache_name)
            bar.update(1)
        bar.close()
        return
    # forkserver: workers start from a clean process, not a fork of this multi-threaded one
    context = multiprocessing.get_context("forkserver")
    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                             initargs=(threads,)) as pool:
        pending = {pool.submit(run_job, j.config): j for j in todo}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = pending.pop(future)
                    _store(future.result(), cache / job.cache_name)
                    bar.set_postfix_str(f"{job.label} r{job.replication}", refresh=False)
                    bar.update(1)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            bar.close()


def _store(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    df.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def gather(jobs: list[Job], cache: Path) -> pd.DataFrame:
    frames = []
    for j in jobs:
        df = pd.read_parquet(cache / j.cache_name)
        frames.append(df.assign(scenario=j.label, replication=j.replication, seed=j.seed))
    runs = pd.concat(frames, ignore_index=True)
    for col in ("table", "metric", "line", "to_line", "domain", "financier", "group", "scenario"):
        runs[col] = runs[col].astype(str)
    return runs


def runs_seconds(cache: Path, jobs: list[Job]) -> float:
    """Computing time of all runs, summed from their cached timings."""
    total = 0.0
    for j in jobs:
        df = pd.read_parquet(cache / j.cache_name, filters=[("table", "==", "run")])
        total += float(df["value"].sum())
    return total


def prepare(folder: Path) -> Path:
    """The working folder `<folder>.partial`, seeded with the cached runs of an earlier report."""
    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    if (folder / "runs").is_dir():
        shutil.copytree(folder / "runs", partial / "runs", dirs_exist_ok=True)
    return partial


def prune(cache: Path, jobs: list[Job]) -> None:
    """Drop cached runs that belong to no run of this comparison (older code or settings)."""
    keep = {cache / j.cache_name for j in jobs}
    for path in cache.rglob("*"):
        if path.is_file() and path not in keep:
            path.unlink()
    for path in sorted(cache.glob("*"), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def finish(partial: Path, folder: Path) -> None:
    """Put the complete report in place in one rename."""
    for leftover in ("report.html", "report.md"):
        if not (partial / leftover).exists():
            raise RuntimeError(f"{leftover} missing")
    if folder.exists():
        shutil.rmtree(folder)
    partial.rename(folder)


def build_report(partial: Path, configs: dict, jobs: list[Job], opts: dict, overrides: list[str],
                 runtime: float, mechanism_jobs: list[Job] = (), saving: list[str] = ()) -> None:
    """Statistics, tables, resolved configs, figures and the report, from the cached runs."""
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
        "compute_seconds": round(float(runs_seconds(partial / "runs", [*jobs, *mechanism_jobs])), 1),
        "mechanisms": bool(opts["mechanisms"] and opts["crn"]),
        "mechanism_replications": min(opts["mechanism_replications"], opts["replications"]),
        "scenario_info": {label: describe(cfg, base) for label, cfg in configs.items()},
    }
    runs = gather(jobs, partial / "runs")
    comparison = compare(runs, labels, meta, precision=opts["precision"])
    if mechanism_jobs:
        reps = meta["mechanism_replications"]
        first = runs[runs["replication"] < reps]
        # the scenarios that save over all replications, split on the first few
        comparison.mechanisms = decompose(pd.concat([first, gather(mechanism_jobs, partial / "runs")]), list(saving))
    for old in partial.iterdir():  # tables, figures and configs of an interrupted report
        if old.name != "runs":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    comparison.save(partial)
    (partial / "configs").mkdir()
    for label, cfg in configs.items():
        (partial / "configs" / f"{label}.yaml").write_text(config_yaml(cfg))
    write_report(comparison, partial, opts["lang"])


def main(argv: list[str] | None = None) -> Path:
    argv = sys.argv[1:] if argv is None else argv
    opts, overrides, folder = parse(argv)
    if folder is not None and folder.exists() and any(folder.iterdir()) and not (folder / "report.html").exists():
        fail(f"'hydra.run.dir': {folder} exists and holds no comparison report; allowed is a new folder "
             "or an earlier report's folder")
    configs, jobs = plan(opts, overrides)
    folder = (folder or unique_run_dir("compare", "report")).resolve()
    started = time.time()
    partial = prepare(folder)
    cache = partial / "runs"
    labels = list(configs)
    print(f"{len(labels)} scenarios x {opts['replications']} replications = {len(jobs)} runs "
          f"({configs['baseline'].population.size:,} residents, {configs['baseline'].years} years, "
          f"{'common' if opts['crn'] else 'independent'} random numbers, {opts['workers']} workers)",
          file=sys.stderr)
    mechanism_jobs: list[Job] = []
    saving: list[str] = []
    try:
        run_all(jobs, cache, opts["workers"])
        if opts["mechanisms"] and opts["crn"]:
            from analysis.mechanisms import saving_scenarios
            saving = saving_scenarios(gather(jobs, cache))
            mechanism_jobs = plan_mechanisms(opts, overrides, jobs, saving)
            if mechanism_jobs:
                print(f"splitting the saving of {', '.join(saving)} by mechanism: {len(mechanism_jobs)} runs",
                      file=sys.stderr)
                run_all(mechanism_jobs, cache, opts["workers"])
    except KeyboardInterrupt:
        print(f"\ninterrupted; finished runs are kept. Resume with:\n  python -m experiments.compare "
              f"{' '.join(a for a in argv if not a.startswith('hydra.run.dir='))} hydra.run.dir={folder}",
              file=sys.stderr)
        raise SystemExit(130) from None
    prune(cache, jobs + mechanism_jobs)
    build_report(partial, configs, jobs, opts, overrides, time.time() - started, mechanism_jobs, saving)
    finish(partial, folder)
    print(f"report: {folder / 'report.html'}")
    print(f"        {folder / 'report.md'}")
    return folder


if __name__ == "__main__":
    main()
