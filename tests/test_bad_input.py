"""Bad input stops with one line naming the key and what is allowed, a non-zero exit, no
traceback and no output folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import model

REPO = Path(__file__).resolve().parent.parent

CASES = [
    (["population.sizee=10"], "population.sizee", "allowed keys in population are"),
    (["population.size=-5"], "population.size", "allowed is [100"),
    (["health.drift=2"], "health.drift", "allowed is [0.0, 1.0]"),
    (["financing.hospital.rule=gratis"], "financing.hospital.rule", "allowed are per_verrichting, budget, capitation"),
    (["years=ten"], "years", ""),
    (["region=atlantis"], "region", "allowed are"),
    (["nonsense=1"], "nonsense", "allowed keys in the top level are"),
    (["population.age_shares=[0.5,0.5,0.5,0.1,0.1]"], "population.age_shares", "add up to 1"),
    (["policies.financing_switch.gp=free"], "policies.financing_switch.gp", "allowed are"),
]


@pytest.mark.parametrize("overrides,key,allowed", CASES)
def test_load_config_names_key_and_allowed_values(overrides, key, allowed):
    with pytest.raises(model.ConfigError) as err:
        model.load_config("baseline", overrides)
    message = str(err.value)
    assert "\n" not in message
    assert key in message
    assert allowed in message


def test_unknown_scenario_lists_the_scenarios():
    with pytest.raises(model.ConfigError) as err:
        model.load_config("utopia")
    assert "unknown scenario 'utopia'" in str(err.value)
    assert "baseline" in str(err.value)


@pytest.mark.parametrize("args,key", [
    (["population.size=0"], "population.size"),
    (["scenario=utopia"], "scenario"),
    (["populaton.size=100"], "populaton.size"),
    (["--fast"], "--fast"),
])
def test_cli_bad_input_exits_with_one_line_and_no_folder(tmp_path, args, key):
    folder = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "experiments.run", *args, f"hydra.run.dir={folder}"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert key in lines[0]
    assert "Traceback" not in proc.stderr
    assert not folder.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("value", ["two", "0", "999"])
def test_bad_thread_count_exits_with_one_line(tmp_path, value):
    folder = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "experiments.run", "population.size=500", "years=1",
                           f"hydra.run.dir={folder}"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "CARELINES_THREADS": value})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "CARELINES_THREADS" in lines[0] and "from 1 to" in lines[0], proc.stderr
    assert not folder.exists()


def test_sweep_with_one_bad_value_runs_nothing(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.run", "--multirun", "population.size=500,-1",
                           "years=1", f"hydra.sweep.dir={tmp_path / 'sweep'}"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "population.size" in proc.stderr
    assert not (tmp_path / "sweep").exists()
