"""Calibration targets and the calibration tool (tiny runs; the real fit is a documented command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import model
from analysis.calibration_targets import (CPB_TOLERANCE, NOT_MODELLED, comparison, cpb_targets, fitted_targets,
                                         model_figures, objective, observed, tolerance)
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


def test_targets_outside_the_model_scope_are_reported_but_not_fitted():
    exact = {name: float(entry["value"]) for name, entry in observed().items()}
    # a lower bound (general hospitals only) is reported as a check, not fitted
    assert "hospital_patient_share" not in fitted_targets()
    assert objective(dict(exact, hospital_patient_share=0.01)) == 0
    rows = {r["target"]: r for r in comparison(dict(exact, hospital_patient_share=0.01))}
    assert not rows["hospital_patient_share"]["fitted"] and rows["hospital_patient_share"]["why_not_fitted"]
    assert rows["gp_contacts_per_resident"]["fitted"] and rows["gp_contacts_per_resident"]["within_tolerance"]


def test_the_whole_cost_base_is_fitted():
    """Every pot the model pays from is in the objective: hospital, wijkverpleging, Wmo, the nulde lijn."""
    for name in ("cost_msz_per_resident", "cost_wijkverpleging_per_resident", "cost_wmo_per_resident",
                 "cost_nulde_lijn_per_resident", "wmo_clients_per_1000", "wijkverpleging_users_per_1000"):
        assert name in fitted_targets(), name


def test_a_miss_of_a_targets_own_tolerance_weighs_as_a_15_percent_miss():
    exact = {name: float(entry["value"]) for name, entry in observed().items()}
    loose = "cost_wmo_per_resident"  # tolerance 0.25
    assert tolerance(observed()[loose]) == 0.25
    at_tolerance = objective(dict(exact, cost_wmo_per_resident=1.25 * exact[loose]))
    strict_at_15 = objective(dict(exact, gp_contacts_per_resident=1.15 * exact["gp_contacts_per_resident"]))
    assert at_tolerance == pytest.approx(strict_at_15)
    rows = {r["target"]: r for r in comparison(dict(exact, cost_wmo_per_resident=1.2 * exact[loose]))}
    assert rows[loose]["within_tolerance"]


def test_cpb_terms_count_in_units_of_their_tolerance():
    exact = {name: float(entry["value"]) for name, entry in observed().items()}
    cpb = {k: float(cpb_targets()[k]) for k in CPB_TOLERANCE}
    on_target = dict(exact, **cpb, nonresidential_growth_low=0.10, nonresidential_growth_high=0.05)
    assert objective(on_target) == 0
    one_tolerance_off = dict(on_target, residential_growth_low=cpb["residential_growth_low"] + 0.04)
    twice_off = dict(on_target, residential_growth_low=cpb["residential_growth_low"] + 0.08)
    assert objective(twice_off) == pytest.approx(4 * objective(one_tolerance_off))
    # a non-residential group difference larger than the residential one is penalised
    assert objective(dict(on_target, nonresidential_growth_low=0.40)) > 0


def test_calibrate_writes_its_outputs_and_resumes(tmp_path):
    free = tmp_path / "free.yaml"
    free.write_text("help_seeking.gp_minor_scale: [0.5, 2.0]\n")
    folder = tmp_path / "cal"
    cmd = [sys.executable, "-m", "experiments.calibrate", "population.size=1500", "years=1", "seeds=[1]",
           "maxiter=0", "popsize=5", "workers=1", "cpb_size=20000", f"free={free}", f"hydra.run.dir={folder}"]
    first = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-2000:]
    table = pd.read_csv(folder / "calibration.csv")
    assert list(table.columns[:4]) == ["target", "model", "observed", "relative_error"]
    assert {f"cpb_{k}" for k in CPB_TOLERANCE} <= set(table["target"])  # the CPB replay is in the fit
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
