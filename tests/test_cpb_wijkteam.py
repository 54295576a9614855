"""The CPB (2020) wijkteam comparison, replayed at reduced size with fixed seeds: the calibrated
model must stay within the tolerances of the observed growth, so that later changes cannot
silently break it. The full-size replay is a documented command (README, "The CPB wijkteam
replay"). Residential youth care is rare: at 1,000,000 residents residential growth per group
varies by 3 to 4 points between replications, so four replications (about 20 seconds) are the
least that tells a broken mechanism from noise.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.calibration_targets import CPB_TOLERANCE, cpb_targets

REPO = Path(__file__).resolve().parent.parent
KEYS = ("residential_growth_high", "residential_growth_low", "nonresidential_growth_high",
        "nonresidential_growth_low", "specialist_growth_all")


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cpb")
    proc = subprocess.run([sys.executable, "-m", "experiments.cpb_wijkteam", "replications=4",
                           "population.size=1000000", "seed=11", f"hydra.run.dir={folder}"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return folder, json.loads((folder / "summary.json").read_text())


def test_summary_has_every_growth_with_its_interval(replay):
    folder, summary = replay
    for key in KEYS:
        assert summary[f"{key}_low"] <= summary[key] <= summary[f"{key}_high"], key
    assert summary["replications"] == 4
    growth = pd.read_csv(folder / "growth.csv")
    assert len(growth) == 4 and growth["high_help_municipalities"].iloc[0] + growth["low_help_municipalities"].iloc[0] >= 40
    assert (folder / "cpb.png").stat().st_size > 0


def test_calibrated_model_reproduces_the_cpb_growth_within_tolerance(replay):
    _, summary = replay
    observed = cpb_targets()
    for key, tolerance in CPB_TOLERANCE.items():
        assert abs(summary[key] - observed[key]) <= tolerance, (key, summary[key], observed[key])


def test_wijkteam_help_matters_more_for_residential_than_for_other_specialist_care(replay):
    _, summary = replay
    residential_gap = summary["residential_growth_low"] - summary["residential_growth_high"]
    other_gap = summary["nonresidential_growth_low"] - summary["nonresidential_growth_high"]
    assert residential_gap > 0.08
    assert abs(other_gap) < residential_gap
