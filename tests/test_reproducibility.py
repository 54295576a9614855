"""Same configuration and seed, same numbers: in one process, across processes, serially and in
worker processes; the config.yaml a run folder keeps reruns it exactly with one command; every
output folder records carelines' version and the package versions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

import model
from model.config import load_config_file
from model.provenance import MARKER
from research import Job, Processes, Serial, run_study

REPO = Path(__file__).resolve().parent.parent
SMALL = ["population.size=2000", "years=1", "seed=5"]


def test_serial_and_processes_give_bit_identical_tables():
    config = model.load_config("preventiefonds", SMALL)
    jobs = [Job(config, seed, "tests.test_reproducibility:tables") for seed in (5, 6)]
    serial = run_study(jobs, Serial(), progress=False)
    with Processes(workers=2) as executor:
        parallel = run_study(jobs, executor, progress=False)
    in_process = tables(model.run(config))
    for job in jobs:
        assert serial.value(job) == parallel.value(job)
    assert serial.value(jobs[0]) == in_process


def tables(results) -> tuple[bytes, bytes, str]:
    """The run's tables as CSV bytes and its summary (the reducer of the test above)."""
    return (results.timeseries.to_csv(index=False).encode(), results.ledger.to_csv(index=False).encode(),
            json.dumps(results.summary, sort_keys=True))


def test_the_saved_config_reruns_the_run_exactly(tmp_path):
    first, again = tmp_path / "first", tmp_path / "again"
    done = subprocess.run([sys.executable, "-m", "experiments.run", *SMALL, "scenario=ontschotting",
                           f"hydra.run.dir={first}"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    # the documented command (README, Reliability)
    done = subprocess.run([sys.executable, "-m", "experiments.run", "--config-file", str(first / "config.yaml"),
                           f"hydra.run.dir={again}"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    for table in ("timeseries.csv", "ledger.csv", "summary.json", "config.yaml"):
        assert (first / table).read_bytes() == (again / table).read_bytes(), table
    # in this process too: the file gives the same configuration and the same tables
    config = load_config_file(first / "config.yaml")
    assert config == model.load_config("ontschotting", SMALL)
    results = model.run(config)
    pd.testing.assert_frame_equal(results.timeseries, pd.read_parquet(first / "timeseries.parquet"),
                                  check_categorical=False, check_dtype=False)
    # the folder says what made it
    marker = json.loads((first / MARKER).read_text())
    assert marker["complete"] is True and marker["kind"] == "run"
    assert "experiments.run" in marker["command"] and marker["finished"]
    for package in ("carelines", "python", "numpy", "mesa", "numba"):
        assert marker["versions"][package] not in ("", "unknown"), package
