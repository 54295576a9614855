"""The executor for many runs (research): every backend gives the same numbers, a study
resumes, a failing job is recorded without stopping the others, results are written
atomically, and the SLURM settings become a job script with the resources asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import research
from research import Dask, Job, OptionError, Processes, Serial, Store, make_executor, run_study, slurm
from tests.conftest import config

REPO = Path(__file__).resolve().parent.parent
TINY = ("population.size=2000", "years=1")
CALLS = {"n": 0}


def counted(results) -> float:
    """A reducer that counts its calls (in this process: serial executor)."""
    CALLS["n"] += 1
    return float(results.summary["cost_per_year_total"])


def fails_on_seed_2(results) -> float:
    if results.config.seed == 2:
        raise ValueError("seed 2 is cursed")
    return float(results.summary["cost_per_year_total"])


def tiny_jobs(reducer: str, seeds=(1, 2, 3)) -> list[Job]:
    base = config(base=TINY)
    return [Job(base, s, reducer, label=f"baseline r{s}") for s in seeds]


def test_every_backend_gives_bit_identical_results():
    jobs = [*tiny_jobs("analysis.extract:extract", seeds=(1, 2)),
            Job((*TINY, "scenario=sociale_basis"), 1, "research.reducers:summary", label="overrides")]
    outcomes = {}
    for executor in (Serial(), Processes(2), Dask(2)):
        with executor:
            outcomes[executor.name] = run_study(jobs, executor, progress=False)
        assert outcomes[executor.name].ok, outcomes[executor.name].report()
    for job in jobs:
        serial = outcomes["serial"].value(job)
        for name in ("processes", "dask"):
            other = outcomes[name].value(job)
            if isinstance(serial, pd.DataFrame):
                pd.testing.assert_frame_equal(serial, other, check_exact=True)
            else:
                assert json.dumps(serial, sort_keys=True) == json.dumps(other, sort_keys=True), name
    # a config and the overrides that build it are the same run
    assert outcomes["serial"].value(jobs[0]).equals(
        run_study([Job(TINY, 1, "analysis.extract:extract")], progress=False).done.popitem()[1].value)


def test_a_rerun_skips_finished_jobs(tmp_path):
    jobs = tiny_jobs(f"{__name__}:counted", seeds=(1, 2))
    CALLS["n"] = 0
    first = run_study(jobs, Serial(), tmp_path, progress=False)
    assert CALLS["n"] == 2 and first.skipped == 0
    more = jobs + tiny_jobs(f"{__name__}:counted", seeds=(3,))
    second = run_study(more, Serial(), tmp_path, progress=False)
    assert CALLS["n"] == 3 and second.skipped == 2
    assert [second.value(j) for j in jobs] == [first.value(j) for j in jobs]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{j.key}.pkl" for j in more)


def test_keys_are_stable_and_tell_jobs_apart():
    a, b = tiny_jobs("research.reducers:summary", seeds=(1, 2))
    assert a.key == tiny_jobs("research.reducers:summary", seeds=(1,))[0].key  # a fresh config, same key
    assert a.key != b.key
    assert a.key != Job(a.config, 1, "research.reducers:nothing").key
    assert a.key != Job(config("years=2", base=TINY), 1, "research.reducers:summary").key
    with pytest.raises(ValueError, match="module:function"):
        Job(a.config, 1, "summary")


def test_a_failing_job_is_recorded_and_the_others_finish(tmp_path):
    jobs = tiny_jobs(f"{__name__}:fails_on_seed_2")
    outcome = run_study(jobs, Serial(), tmp_path, progress=False)  # the worker side is the same everywhere
    assert len(outcome.done) == 2 and not outcome.ok
    (job, failed), = outcome.failures()
    assert job.seed == 2 and failed.error == "ValueError: seed 2 is cursed"
    record = json.loads((tmp_path / f"{job.key}.error.json").read_text())
    assert record["error"] == failed.error and record["seed"] == 2 and "Traceback" in record["traceback"]
    assert "1 of 3 runs failed" in outcome.report() and "seed 2 is cursed" in outcome.report()
    assert not Store(tmp_path).finished(job.key)
    # a rerun tries the failed job again, and only that one
    again = run_study(jobs, Serial(), tmp_path, progress=False)
    assert again.skipped == 2 and len(again.failed) == 1


def test_a_partly_written_result_never_counts_as_finished(tmp_path, monkeypatch):
    job = tiny_jobs("research.reducers:summary", seeds=(1,))[0]
    store = Store(tmp_path)
    done = research.Done(job.key, {"big": list(range(1000))}, 1.0)

    def crash(*args):  # the machine stops between writing and renaming
        raise KeyboardInterrupt

    monkeypatch.setattr("research.store.os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.save(done)
    assert not store.finished(job.key) and not list(tmp_path.glob("*.pkl"))
    monkeypatch.undo()
    (tmp_path / f".{job.key}.pkl.abc{'.tmp'}").write_bytes(b"half a pick")  # a temporary file left by a kill
    assert not store.finished(job.key)
    store.save(done)
    assert store.finished(job.key) and store.load(job.key).value == done.value
    store.prune({job.key})
    assert [p.name for p in tmp_path.iterdir()] == [f"{job.key}.pkl"]


def test_slurm_settings_become_a_job_script_with_the_resources_asked_for(tmp_path):
    file = tmp_path / "slurm.yaml"
    file.write_text("queue: genoa\naccount: proj42\ncores: 8\nmemory: 16GB\nwalltime: '01:30:00'\njobs: 3\n"
                    "job_extra: ['--qos=short']\nprologue: ['source .venv/bin/activate']\n")
    settings = slurm.load(file)
    assert settings.workers == 24
    cluster = slurm.cluster(settings)  # no sbatch: nothing is submitted until it is scaled
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in ("#SBATCH -p genoa", "#SBATCH -A proj42", "#SBATCH --cpus-per-task=8", "#SBATCH -t 01:30:00",
                 "#SBATCH --qos=short", "source .venv/bin/activate", "--nthreads 1", "--nworkers 8"):
        assert line in script, line
    assert "#SBATCH --mem=" in script
    executor = make_executor({"executor": "slurm", "slurm.config": str(file)})
    assert executor.workers == 24 and executor._cluster is None  # made on first use only
    assert slurm.load(slurm.DEFAULT_FILE).cores >= 1  # the documented file is valid


@pytest.mark.parametrize("options,key", [
    ({"executor": "threads"}, "'executor'"),
    ({"workers": "0"}, "'workers'"),
    ({"workers": "two"}, "'workers'"),
    ({"executor": "processes", "dask.address": "tcp://h:8786"}, "'dask.address'"),
    ({"dask.address": "not an address"}, "'dask.address'"),
    ({"executor": "slurm", "slurm.config": "/nonexistent.yaml"}, "'slurm.config'"),
    ({"executor": "serial", "slurm.config": "x.yaml"}, "'slurm.config'"),
])
def test_bad_executor_options_are_refused_in_one_line(options, key):
    with pytest.raises(OptionError) as info:
        make_executor(options)
    assert key in str(info.value) and "allowed" in str(info.value) and "\n" not in str(info.value)


def test_bad_slurm_settings_name_the_key(tmp_path):
    file = tmp_path / "slurm.yaml"
    for text, key in (("queue: q\ncores: 4\nmemory: 8GB\nwalltime: '1:00:00'\nnodes: 2\n", "'nodes'"),
                      ("queue: q\ncores: 0\nmemory: 8GB\nwalltime: '1:00:00'\n", "'cores'"),
                      ("queue: q\ncores: 4\nmemory: lots\nwalltime: '1:00:00'\n", "'memory'"),
                      ("cores: 4\nmemory: 8GB\nwalltime: '1:00:00'\n", "'queue'")):
        file.write_text(text)
        with pytest.raises(ValueError, match=key):
            slurm.load(file)


def test_defaults_and_choices():
    assert isinstance(make_executor({"workers": "1"}), Serial)
    assert isinstance(make_executor({"workers": "2"}), Processes)
    dask = make_executor({"dask.address": "tcp://10.0.0.5:8786"})
    assert isinstance(dask, Dask) and dask.address == "tcp://10.0.0.5:8786"


def test_model_and_analysis_never_import_research_or_experiments():
    for package in ("model", "analysis", "research"):
        for path in (REPO / package).rglob("*.py"):
            text = path.read_text()
            forbidden = ("experiments",) if package == "research" else ("research", "experiments")
            for name in forbidden:
                assert f"import {name}" not in text and f"from {name}" not in text, (path, name)


def test_a_command_refuses_a_bad_executor_in_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.cpb_wijkteam", "executor=threads",
                           f"hydra.run.dir={tmp_path / 'cpb'}"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: 'executor': 'threads' is not allowed; allowed are serial, processes, dask, slurm"]
    assert not (tmp_path / "cpb").exists()


def test_a_sweep_defaults_to_one_run_after_another_unless_asked():
    assert isinstance(make_executor({}, default="serial"), Serial)
    assert isinstance(make_executor({"workers": "2"}, default="serial"), Processes)
    assert make_executor({"executor": "processes"}, default="serial").workers == (os.cpu_count() or 1)
