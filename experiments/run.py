"""Run one simulation (or a sweep with --multirun) and write its run folder.

    python -m experiments.run scenario=baseline population.size=20000 years=5 seed=1
    python -m experiments.run --multirun seed=1,2,3 policies.welzijn_op_recept.enabled=true,false

Each run folder holds timeseries and ledger (CSV and Parquet), summary.json, the resolved
config.yaml, overview.png and, written last, COMPLETE.json (carelines and package versions, the
command, when). `hydra.run.dir=...` (or `hydra.sweep.dir=...`) sets the folder; an existing
folder must be empty or an earlier run's. The saved config.yaml reruns the run exactly:

    python -m experiments.run --config-file <run folder>/config.yaml hydra.run.dir=<new folder>

A sweep skips runs whose folder is already complete, so an interrupted sweep resumes. Its runs
go through `research`: one after another by default, or `executor=processes|dask|slurm`
(`workers=`, `dask.address=`); a run that fails is recorded in the sweep folder (jobs/) with its
error and the others finish. Each run of a sweep keeps its overrides in .hydra/overrides.yaml.

Arguments that ask Hydra itself for something (hydra/launcher=joblib, hydra/launcher=cluster for
SLURM, other hydra.* settings, --cfg, --info) run the sweep through Hydra's launchers instead
(experiments.hydra_app). `python -m experiments.collect <sweep folder>` gathers a sweep's runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from tqdm import tqdm

import model
import model.config
from model import provenance
from analysis.figures import overview_figure
import research
from experiments import hydra_app
from experiments.cli import (check_folder, expand_sweep, fail, split_args, sweep_root, take_executor,
                             unique_run_dir)
from research import Job, run_study


def run_one(overrides: list[str], folder: Path | None, show_progress: bool = True,
            config_file: str | None = None) -> Path:
    try:
        config = (model.config.load_config_file(config_file) if config_file is not None
                  else model.load_config(overrides=overrides))
    except model.ConfigError as exc:
        fail(str(exc))
    check_folder(folder, "experiments.run", "run", own=("summary.json",))
    folder = folder or unique_run_dir("run", config.scenario_name)
    with tqdm(total=12 * config.years, desc=f"{config.scenario_name} seed {config.seed}", unit="month",
              disable=not show_progress, file=sys.stderr, leave=False) as bar:
        results = model.run(config, progress=lambda done, total: bar.update(1))
    save(results, folder)
    print(summary_table(results.summary))
    print(f"run folder: {folder}")
    return folder


def save(results, folder: str | Path, overrides: tuple[str, ...] | None = None) -> Path:
    """The run folder: tables, summary, resolved config and the overview figure. Also the
    reducer of a sweep's runs, so each worker writes its own run's folder; a sweep's run also
    keeps its overrides in .hydra/overrides.yaml, where Hydra keeps them (experiments.collect)."""
    def extra(r, into: Path) -> None:
        overview_extra(r, into)
        if overrides is not None:
            (into / ".hydra").mkdir(exist_ok=True)
            (into / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(list(overrides)))
    return results.save(folder, extra=extra)


def overview_extra(results, into: Path) -> None:
    overview_figure(results, into / "overview.png")


def summary_table(s: dict) -> str:
    """A short plain-text table of headline figures (yearly averages over the run)."""
    rows = [
        ("scenario", s["scenario"]),
        ("residents (mean)", f"{s['residents_mean']:,.0f}"),
        ("clients nulde / eerste / tweede", " / ".join(f"{s['clients'][k]:,.0f}" for k in ("nulde", "eerste", "tweede"))),
        ("cost per year, total (EUR)", f"{s['cost_per_year_total']:,.0f}"),
    ]
    rows += [(f"  paid by {k}", f"{v:,.0f}") for k, v in s["cost_per_year_by_financier"].items()]
    rows += [
        ("crises per year", f"{s['crises_per_year']:,.0f}"),
        ("waiting nulde / eerste / tweede", " / ".join(f"{s['waiting'][k]:,.0f}" for k in ("nulde", "eerste", "tweede"))),
        ("unmet need (resident-domains)", f"{s['unmet_need']:,.0f}"),
        ("health physical / mental / social", " / ".join(f"{s['health_last_year'][k]:.3f}"
                                                       for k in ("physical", "mental", "social"))),
        ("health gap high - low income", f"{s['health_gap_last_year']:.3f}"),
        ("GP consults per resident per year", f"{s['gp_consults_per_resident_per_year']:.2f}"),
        ("share of GP consults with a social cause", f"{s['gp_social_cause_share']:.1%}"),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    argv, config_file = take_config_file(argv)
    if hydra_app.wants_hydra(argv):
        return run_hydra(argv)
    args, flags = split_args(argv)
    if config_file is not None:
        if flags["multirun"] or args:
            fail(f"'--config-file': the file is the whole configuration; allowed beside it is only hydra.run.dir "
                 f"(got {(args or ['--multirun'])[0]})")
        run_one([], Path(flags["run_dir"]) if "run_dir" in flags else None, config_file=config_file)
        return
    executor, overrides = take_executor(args, default="serial")  # a sweep runs one run after another unless asked
    if not flags["multirun"]:
        given = [a.partition("=")[0] for a in args if a not in overrides]
        if given:
            fail(f"'{given[0]}': executor options are allowed only with --multirun (a sweep); one run runs here")
        run_one(overrides, Path(flags["run_dir"]) if "run_dir" in flags else None)
        return
    sweep = expand_sweep(overrides)
    configs = []
    for overrides in sweep:  # validate every run before running any
        try:
            configs.append(model.load_config(overrides=overrides))
        except model.ConfigError as exc:
            fail(str(exc))
    root = Path(flags.get("sweep_dir") or sweep_root()).resolve()
    check_folder(root, "experiments.run --multirun", "sweep", own=("jobs", "0"))
    jobs = [Job(config, config.seed, "experiments.run:save", args=(str(root / str(i)), tuple(overrides)),
                label=" ".join(overrides))
            for i, (config, overrides) in enumerate(zip(configs, sweep))]
    todo = [job for job in jobs if not provenance.is_complete(job.args[0])]
    print(f"{len(jobs)} runs in {root}; {len(jobs) - len(todo)} already complete; {executor.describe()}")
    with executor:
        outcome = run_study(todo, executor, root / "jobs")
    for i, job in enumerate(jobs):
        state = "failed" if job.key in outcome.failed else "complete"
        print(f"[{i + 1}/{len(jobs)}] {state}: {job.args[0]}  ({job.label})")
    if not outcome.ok:
        print(outcome.report(), file=sys.stderr)
        raise SystemExit(1)
    provenance.write_marker(root, "sweep", {"runs": len(jobs)})  # every run complete


def take_config_file(argv: list[str]) -> tuple[list[str], str | None]:
    """Take `--config-file <path>` (or `--config-file=<path>`) out of the arguments."""
    rest, found = [], None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--config-file":
            if i + 1 >= len(argv):
                fail("'--config-file': give a file, e.g. --config-file <run folder>/config.yaml")
            found, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--config-file="):
            found = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return rest, found


def run_hydra(argv: list[str]) -> None:
    """Hand the arguments to the Hydra app (Hydra's launchers and sweepers), after checking
    every run's overrides here, so a bad key stops the sweep before anything is launched."""
    problem = hydra_app.unsafe(argv)
    if problem:
        fail(problem)
    overrides = hydra_app.model_overrides(argv)
    options, _ = research.options.split(overrides)
    if options:
        fail(f"'{next(iter(options))}': executor options go with experiments.run's own sweeps; with a Hydra "
             "launcher (hydra/launcher=...) the launcher runs the jobs")
    for run in (expand_sweep(overrides) if "--multirun" in argv or "-m" in argv else [overrides]):
        try:
            model.load_config(overrides=run)
        except model.ConfigError as exc:
            fail(str(exc))
    hydra_app.main(argv, sweep_root(), unique_run_dir("run", "hydra"))


if __name__ == "__main__":
    main()
