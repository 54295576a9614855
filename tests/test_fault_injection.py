"""Killed at any moment, a long command leaves a folder that is either complete (COMPLETE.json,
written last) or clearly unfinished (no marker), and the same command started again finishes
with exactly the results of a run that was never interrupted.

Each command (scenario comparison, CPB replay, sensitivity study, calibration) runs once
uninterrupted at a tiny size and, at the same time, in a new folder where it is killed (SIGKILL
to its whole process group) at moments drawn from a seeded generator (between start-up and the
time a tiny run takes), restarted each time, and finally run to the end. Its result tables must
equal the uninterrupted run's byte for byte.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from model.provenance import MARKER

REPO = Path(__file__).resolve().parent.parent
KILLS = 2          # kill points per command
SEED = 20260514    # the kill moments are drawn from this seed
WINDOW = (1.5, 9.0)  # seconds after the start: from loading the code to writing the results

COMMANDS = {
    "compare": (["experiments.compare", "scenarios=[preventiefonds]", "replications=2", "mechanisms=false",
                 "population.size=2000", "years=1", "executor=serial"],
                ("differences.csv", "who_pays.csv", "roi.csv", "yearly.csv", "monthly.csv", "replications.csv",
                 "measures.csv")),
    "cpb_wijkteam": (["experiments.cpb_wijkteam", "replications=2", "population.size=2000", "executor=serial"],
                     ("growth.csv", "municipalities.csv", "summary.json")),
    "sensitivity": (["experiments.sensitivity", "method=morris", "samples=2", "parameters=[health.dose_response]",
                     "population.size=2000", "years=1", "executor=serial"],
                    ("samples.csv", "indices.csv", "indices_by_year.csv", "parameters.csv")),
    "calibrate": (["experiments.calibrate", "population.size=1000", "years=1", "seeds=[1]", "maxiter=0",
                   "popsize=2", "executor=serial", "free={free}"],
                  ("evaluations.csv", "calibration.csv", "fitted.yaml")),
}


def start(args: list[str], folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args, f"hydra.run.dir={folder}"], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)


def run_to_end(args: list[str], folder: Path) -> float:
    began = time.perf_counter()
    proc = start(args, folder)
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return time.perf_counter() - began


def kill_after(args: list[str], folder: Path, seconds: float) -> bool:
    """Start the command and SIGKILL its process group after `seconds`; True if it was killed
    (False if it finished first)."""
    proc = start(args, folder)
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True
    finally:
        proc.stderr.close()


def check_complete_or_marked(folder: Path, tables) -> None:
    """A folder with the marker holds every table; without it, it is unfinished by definition
    (and a comparison's folder does not exist until it is complete)."""
    if (folder / MARKER).exists():
        assert json.loads((folder / MARKER).read_text())["complete"] is True
        for name in tables:
            assert (folder / name).is_file(), name
    elif folder.name == "compare":
        assert not folder.exists()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_killed_command_resumes_to_the_uninterrupted_result(tmp_path, name):
    free = tmp_path / "free.yaml"
    free.write_text("help_seeking.gp_minor_scale: [0.5, 2.0]\n")
    args, tables = COMMANDS[name]
    args = [a.format(free=free) for a in args]
    reference = tmp_path / "reference" / name
    uninterrupted = start(args, reference)  # beside the interrupted one: the two cores share the work

    folder = tmp_path / "killed" / name
    rng = random.Random(f"{SEED}-{name}")
    killed = 0
    for _ in range(KILLS):
        killed += kill_after(args, folder, rng.uniform(*WINDOW))
        check_complete_or_marked(folder, tables)
    run_to_end(args, folder)
    assert (folder / MARKER).is_file()
    _, err = uninterrupted.communicate(timeout=600)
    assert uninterrupted.returncode == 0, err[-3000:]
    assert (reference / MARKER).is_file()
    assert killed >= 1, "every kill came after the command had finished"
    for table in tables:
        assert (folder / table).read_bytes() == (reference / table).read_bytes(), table
