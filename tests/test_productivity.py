"""Work and productivity loss (`model.people.productivity`): only employed residents are charged, a spell
never costs more than the friction period allows, the ledger's productivity rows are the
productivity_loss metric, employment starts at the sourced rate, and the same seed gives the
same result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import model
from model.people import productivity
from model.money.financing import KINDS
from model.engine.results import select
from model.engine.simulation import CarelinesModel
from tests.conftest import config

BASE = ("population.size=5000", "years=3", "seed=11")


@pytest.fixture(scope="module")
def stepped():
    """A small run stepped month by month, keeping what each month charged and the state it
    was charged in."""
    sim = CarelinesModel(config(base=BASE))
    cfg = sim.cfg.work
    friction = productivity.friction_months(cfg)
    months = []
    spell_total = np.zeros(0)
    longest_spell = 0.0
    while not sim.finished:
        sim.step()
        res = sim.res
        ids, amount = sim.productivity_charges
        if len(spell_total) < res.n:
            spell_total = np.concatenate([spell_total, np.zeros(res.n - len(spell_total))])
        # what an absence spell has cost so far; a month without absence ends the spell
        spell_total[res.absence_months[: res.n] == 0] = 0.0
        np.add.at(spell_total, ids, amount)
        longest_spell = max(longest_spell, float(spell_total.max(initial=0.0)))
        months.append({
            "month": sim.month - 1, "ids": ids.copy(), "amount": amount.copy(),
            "employed": res.employed[ids].copy(), "benefit": res.benefit[ids].copy(),
            "lost_work": res.lost_work[ids].copy(), "age": res.age[ids].copy(),
            "severity": sim.severity[:, ids].max(axis=0) if len(ids) else np.zeros(0),
            "absence": res.absence_months[ids].copy(),
            "past_friction": int((res.absence_months >= friction + 1).sum()),
            "counts": sim.work_counts.sum(axis=1).copy(),
            "not_employed_ids": np.flatnonzero(~res.employed & res.alive),
        })
    return sim, months, longest_spell


def test_nobody_out_of_paid_work_is_charged(stepped):
    sim, months, _ = stepped
    charged = sum(len(m["ids"]) for m in months)
    assert charged > 100, "too few absences to test anything"
    for m in months:
        assert m["employed"].all(), f"month {m['month']}: a resident not in paid work was charged"
        assert not m["benefit"].any() and not m["lost_work"].any()
        assert ((m["age"] >= 18) & (m["age"] < 67)).all()
        assert (m["severity"] >= sim.cfg.work.absence_severity).all(), "charged without a severe need"
        assert np.intersect1d(m["ids"], m["not_employed_ids"]).size == 0


def test_a_spell_never_costs_more_than_the_friction_period(stepped):
    sim, months, longest_spell = stepped
    cfg = sim.cfg.work
    cap = productivity.max_loss_per_spell(cfg)
    month_value = cfg.hours_per_month * cfg.productivity_cost_per_hour
    assert cap == pytest.approx(120.7 / (365.25 / 12) * 117.0 * 39.88)
    for m in months:
        assert (m["amount"] > 0).all() and (m["amount"] <= month_value * (1 + 1e-12)).all()
        # month k of a spell counts the part of that month within the friction period
        np.testing.assert_allclose(m["amount"], productivity.spell_share(m["absence"],
                                                                          productivity.friction_months(cfg))
                                   * month_value)
    assert longest_spell <= cap * (1 + 1e-12)
    # the cap binds: some spells outlast the friction period and reach it
    assert longest_spell == pytest.approx(cap, rel=1e-9)
    assert max(m["past_friction"] for m in months) > 0


def test_the_ledger_books_every_charge_as_the_employers_cost(stepped):
    sim, months, _ = stepped
    a = sim.ledger.arrays()
    rows = (a["kind"] == KINDS.index("productivity_loss")) & (a["month"] >= 0)
    assert (a["payer"][rows] == 4).all(), "productivity loss is paid by employers"      # financing.F["employers"]
    assert (a["payee"][rows] == productivity.NO_PAYEE).all() and (a["line"][rows] == -1).all()
    charged = sum(m["amount"].sum() for m in months if m["month"] >= 0)
    assert a["amount"][rows].sum() == pytest.approx(charged, rel=1e-12)
    # the metric is the ledger, month by month and per municipality
    metric = sim.outcomes.data[("productivity_loss", -1, -1, -1, 4, -1)]
    booked = np.zeros_like(metric)
    np.add.at(booked, (a["month"][rows].astype(int), a["municipality"][rows].astype(int)), a["amount"][rows])
    booked[:, -1] = booked[:, :-1].sum(axis=1)
    np.testing.assert_allclose(metric, booked, rtol=1e-12)


def test_employment_starts_at_the_sourced_rate_and_follows_benefits(stepped):
    sim, months, _ = stepped
    first = next(m for m in months if m["month"] == 0)["counts"]   # 18-66, employed, absent, out of work ill
    assert first[1] / first[0] == pytest.approx(sim.cfg.work.employment_rate, abs=0.015)
    res = sim.res
    assert not (res.employed & res.benefit).any(), "a benefit recipient in paid work"
    assert not (res.employed & ((res.age < 18) | (res.age >= 67))).any()
    assert not (res.employed & ~res.alive).any()
    # low income works less often than mid and high income (work.low_income_employment)
    free = res.alive & (res.age >= 18) & (res.age < 67) & ~res.benefit & ~res.lost_work
    low, other = free & (res.income == 0), free & (res.income > 0)
    assert res.employed[low].mean() < res.employed[other].mean()
    # some leave work through a long absence, and some of them come back
    assert max(m["counts"][3] for m in months) > 0


def test_results_keep_productivity_out_of_care_cost():
    results = model.run(config(base=("population.size=4000", "years=2", "seed=3")))
    ledger, ts = results.ledger, results.timeseries
    region = ts[ts["municipality"] == "region"]
    loss = ledger[ledger["kind"] == "productivity_loss"]
    assert len(loss) > 0 and (loss["payer"] == "employers").all() and loss["payee"].isna().all()
    assert (loss["provider_type"] == "").all() and (loss["line"] == "").all()
    assert select(region, "productivity_loss", financier="employers")["value"].sum() == pytest.approx(
        loss["amount"].sum(), rel=1e-9)
    assert results.summary["productivity_loss_per_year"] == pytest.approx(loss["amount"].sum() / 2, rel=1e-9)
    care = ledger[ledger["kind"] == "care"]["amount"].sum()
    assert select(region, "cost")["value"].sum() == pytest.approx(care, rel=1e-9)
    assert results.summary["cost_per_year_total"] == pytest.approx(care / 2, rel=1e-9)


def test_same_seed_same_productivity_and_employment():
    def run(seed):
        r = model.run(config(f"seed={seed}", base=("population.size=3000", "years=2")))
        ts = r.timeseries
        keep = ts["metric"].isin(["productivity_loss", *productivity.WORK_METRICS])
        return ts[keep].reset_index(drop=True), r.ledger[r.ledger["kind"] == "productivity_loss"].reset_index(drop=True)

    a, b, c = run(8), run(8), run(9)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[0]["value"].equals(c[0]["value"])
