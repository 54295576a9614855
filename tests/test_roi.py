"""The return on investment (`analysis.roi`): discounting by the guideline, the ROI by year and
cumulatively, 'not applicable' where the nulde lijn does not clearly spend more, the baseline's
drift, and the same result from the same runs. On made-up runs whose answers are known in
closed form; a small comparison end to end is in tests/test_compare.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import roi
from model.parameters import EvaluationConfig

RATE = 0.03
YEARS = 6
REPS = 5


def test_the_discount_rate_is_the_guideline_rate_in_one_place():
    assert roi.DISCOUNT_RATE == EvaluationConfig().discount_rate_costs == 0.03
    np.testing.assert_allclose(roi.discount_factors(3), [1.0, 1 / 1.03, 1 / 1.03 ** 2])


@pytest.mark.parametrize("rate", [0.0, 0.015, 0.03, 0.04])
def test_a_constant_yearly_saving_gives_the_closed_form_present_value(rate):
    saving, years = 1000.0, 10
    closed = saving * years if rate == 0 else saving * (1 + rate) * (1 - (1 + rate) ** -years) / rate
    assert roi.present_value(np.full(years, saving), rate) == pytest.approx(closed, rel=1e-12)
    # the first year is not discounted
    assert roi.present_value([saving], rate) == saving


def _runs(yearly: dict[str, dict[str, np.ndarray]]) -> pd.DataFrame:
    """Runs in the tidy form of `analysis.extract`: per scenario, quantity -> (replications, years)."""
    rows = []
    keys = {"nulde": ("cost", "nulde", ""), "eerste": ("cost", "eerste", ""), "tweede": ("cost", "tweede", ""),
            "productivity_loss": ("productivity_loss", "", "employers")}
    for scenario, quantities in yearly.items():
        for name, values in quantities.items():
            metric, line, financier = keys[name]
            for r, by_year in enumerate(values):
                for year, v in enumerate(by_year):
                    rows.append(("yearly", year, metric, line, "", "", financier, "", float(v), scenario, r, r))
    return pd.DataFrame(rows, columns=["table", "period", "metric", "line", "to_line", "domain", "financier", "group",
                                       "value", "scenario", "replication", "seed"])


def _world(extra, avoided_care, avoided_loss, noise=0.0, seed=0):
    """Baseline with growing cost; a scenario that spends `extra` more in the nulde lijn each year
    and avoids `avoided_care` tweede-lijn cost and `avoided_loss` productivity loss (arrays per
    year); the extra spending varies over replications, with standard deviation about `noise`,
    around exactly `extra`."""
    rng = np.random.default_rng(seed)
    growth = 1.0 + 0.05 * np.arange(YEARS)
    base = {"nulde": np.tile(1e6 * growth, (REPS, 1)), "eerste": np.tile(2e6 * growth, (REPS, 1)),
            "tweede": np.tile(8e6 * growth, (REPS, 1)), "productivity_loss": np.tile(3e6 * growth, (REPS, 1))}
    base = {k: v + rng.normal(0, 1e4, v.shape) for k, v in base.items()}

    def shaped(x):
        return np.broadcast_to(np.asarray(x, dtype=float), (REPS, YEARS))

    jitter = rng.normal(0, noise, (REPS, YEARS))
    jitter -= jitter.mean(axis=0)                             # the mean difference is exactly `extra`
    scenario = {"nulde": base["nulde"] + shaped(extra) + jitter,
                "eerste": base["eerste"].copy(), "tweede": base["tweede"] - shaped(avoided_care),
                "productivity_loss": base["productivity_loss"] - shaped(avoided_loss)}
    return _runs({"baseline": base, "invest": scenario})


def test_cumulative_roi_is_the_discounted_ratio_and_the_year_roi_the_plain_one():
    extra = np.array([500.0, 0, 0, 0, 0, 0]) * 1e3           # spend once, in the first year
    care = np.full(YEARS, 60e3)                               # save the same every year
    loss = np.full(YEARS, 40e3)
    by_year = roi.roi_by_year(_world(extra, care, loss), ["invest"], RATE, 2025)
    annuity = (1 + RATE) * (1 - (1 + RATE) ** -YEARS) / RATE
    last = by_year.iloc[-1]
    assert last["calendar_year"] == 2025 + YEARS - 1
    assert last["cum_avoided_care_mean"] == pytest.approx(60e3 * annuity, rel=1e-9)
    assert last["cum_avoided_productivity_mean"] == pytest.approx(40e3 * annuity, rel=1e-9)
    assert last["roi_cumulative"] == pytest.approx(100e3 * annuity / 500e3, rel=1e-9)
    assert by_year["roi_cumulative"].is_monotonic_increasing
    # the first year: undiscounted; its own ROI is (care + loss) / extra
    first = by_year.iloc[0]
    assert first["discount_factor"] == 1.0 and first["roi_year"] == pytest.approx(100e3 / 500e3, rel=1e-9)
    # later years spend nothing extra: their own ROI is not applicable, the cumulative one is
    assert not by_year["applicable_year"].iloc[1:].any() and by_year["applicable_cumulative"].all()
    assert (by_year["reason_year"].iloc[1:] == "not_clear").all()
    assert by_year["roi_year"].iloc[1:].isna().all()
    # the interval of a ratio of exact constants is the ratio itself
    assert last["roi_cumulative_low"] == pytest.approx(last["roi_cumulative"], rel=1e-6)
    horizon = roi.roi_over_horizon(by_year, _world(extra, care, loss), ["invest"], RATE, 2025).iloc[0]
    assert horizon["horizon_years"] == YEARS and horizon["first_year"] == 2025 and horizon["last_year"] == 2030
    assert horizon["discount_rate"] == RATE and horizon["roi"] == last["roi_cumulative"]
    assert horizon["roi_undiscounted"] == pytest.approx(100e3 * YEARS / 500e3, rel=1e-9)
    assert horizon["roi"] < horizon["roi_undiscounted"]       # savings come later than the spending


def test_the_roi_interval_covers_the_point_and_widens_with_noise():
    runs = _world(np.full(YEARS, 200e3), np.full(YEARS, 150e3), np.full(YEARS, 50e3), noise=40e3, seed=3)
    by_year = roi.roi_by_year(runs, ["invest"], RATE, 2025)
    ok = by_year[by_year["applicable_cumulative"]]
    assert len(ok) == YEARS
    assert (ok["roi_cumulative_low"] <= ok["roi_cumulative"]).all()
    assert (ok["roi_cumulative"] <= ok["roi_cumulative_high"]).all()
    assert (ok["roi_cumulative_high"] > ok["roi_cumulative_low"]).all()


@pytest.mark.parametrize("extra,reason", [(-100e3, "negative"), (0.0, "not_clear")])
def test_no_roi_where_the_nulde_lijn_does_not_clearly_spend_more(extra, reason):
    runs = _world(np.full(YEARS, extra), np.full(YEARS, 80e3), np.full(YEARS, 10e3), noise=30e3, seed=1)
    by_year = roi.roi_by_year(runs, ["invest"], RATE, 2025)
    assert by_year["roi_year"].isna().all() and by_year["roi_cumulative"].isna().all()
    assert by_year["roi_cumulative_low"].isna().all() and not by_year["applicable_cumulative"].any()
    assert (by_year["reason_cumulative"] == reason).all()
    horizon = roi.roi_over_horizon(by_year, runs, ["invest"], RATE, 2025).iloc[0]
    assert not horizon["applicable"] and horizon["reason"] == reason
    assert np.isnan(horizon["roi"]) and np.isnan(horizon["roi_undiscounted"])
    assert reason in roi.REASONS


def test_baseline_drift_is_the_change_from_the_first_to_the_last_year():
    drift = roi.baseline_drift(_world(np.full(YEARS, 1.0), 0.0, 0.0), 2025).set_index(["metric", "line"])
    tweede = drift.loc[("cost", "tweede")]
    assert tweede["first_year"] == 2025 and tweede["last_year"] == 2025 + YEARS - 1
    assert tweede["change_share"] == pytest.approx(0.05 * (YEARS - 1), abs=0.01)
    assert tweede["change_low"] <= tweede["change_mean"] <= tweede["change_high"]
    assert set(drift.index) == {("cost", "nulde"), ("cost", "eerste"), ("cost", "tweede"), ("productivity_loss", "")}


def test_a_steady_effect_on_a_growing_baseline_keeps_its_share():
    """Avoiding 2% of a growing tweede lijn: the avoided euros grow, their share does not."""
    growth = 1.0 + 0.05 * np.arange(YEARS)
    runs = _world(np.full(YEARS, 300e3), 0.02 * 8e6 * growth, 0.0)
    by_year = roi.roi_by_year(runs, ["invest"], RATE, 2025)
    assert by_year["avoided_care_mean"].iloc[-1] > by_year["avoided_care_mean"].iloc[0]
    share = by_year["avoided_care_share"]
    assert share.max() - share.min() < 0.001 and share.iloc[0] == pytest.approx(0.02 * 8 / 10, abs=0.001)


def test_same_runs_same_result():
    runs = _world(np.full(YEARS, 200e3), np.full(YEARS, 150e3), np.full(YEARS, 50e3), noise=40e3, seed=3)
    a = roi.roi_by_year(runs, ["invest"], RATE, 2025)
    b = roi.roi_by_year(runs.sample(frac=1.0, random_state=1), ["invest"], RATE, 2025)
    pd.testing.assert_frame_equal(a, b)
