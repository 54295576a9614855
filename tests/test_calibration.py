"""Calibration targets and the calibration tool (tiny runs; the real fit is a documented command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import model
from analysis.calibration_targets import NOT_MODELLED, comparison, model_figures, objective, observed
from tests.conftest import config

REPO = Path(__file__).resolve().parent.parent


def test_every_modelled_target_has_a_finite_model_value():
    figures = model_figures(model.run(config(base=("population.size=4000", "years=2"))))
    for name in observed():
        if name in NOT_MODELLED:
            assert np.isnan(figures[name])
        else:
            assert np.isfinite(figures[name]) and figures[name] >= 0, name
    rows = comparison(figures)
    assert {r["target"] for r in rows} == set(observed())
    assert objective(figures) >= 0


def test_objective_is_zero_at_the_targets_and_grows_with_error():
    exact = {name: float(entry["value"]) for name, entry in observed().items()}
    assert objective(exact) == 0
    off = dict(exact, gp_contacts_per_resident=2 * exact["gp_contacts_per_resident"])
    assert objective(off) > 0


def test_calibrate_writes_its_outputs_and_resumes(tmp_path):
    free = tmp_path / "free.yaml"
    free.write_text("help_seeking.gp_minor_scale: [0.5, 2.0]\n")
    folder = tmp_path / "cal"
    cmd = [sys.executable, "-m", "experiments.calibrate", "population.size=1500", "years=1", "seeds=[1]",
           "maxiter=0", "popsize=5", "workers=1", f"free={free}", f"hydra.run.dir={folder}"]
    first = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-2000:]
    table = pd.read_csv(folder / "calibration.csv")
    assert list(table.columns[:4]) == ["target", "model", "observed", "relative_error"]
    fitted = (folder / "fitted.yaml").read_text()
    assert fitted.startswith("# @package _global_") and "gp_minor_scale" in fitted and "fitted_to" in fitted
    assert (folder / "calibration.png").stat().st_size > 0
    evaluated = len(pd.read_csv(folder / "evaluations.csv"))
    second = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert second.returncode == 0
    assert f"{evaluated} already evaluated" in second.stdout
    assert len(pd.read_csv(folder / "evaluations.csv")) == evaluated  # nothing simulated twice


def test_calibrate_rejects_a_free_parameter_outside_the_schema(tmp_path):
    free = tmp_path / "free.yaml"
    free.write_text("health.drift: [0.5, 3.0]\n")
    proc = subprocess.run([sys.executable, "-m", "experiments.calibrate", f"free={free}",
                           f"hydra.run.dir={tmp_path / 'cal'}"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "health.drift" in proc.stderr
    assert not (tmp_path / "cal").exists()
