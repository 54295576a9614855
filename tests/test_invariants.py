"""Invariants that must hold in every run: residents conserved, every euro accounted for once
(care cost, contributions, shared savings and productivity loss each in their own metric),
health in [0, 1], consistent episodes and queues, and no one in paid work outside ages 18-66
or on a benefit."""

from __future__ import annotations

import numpy as np
import pytest

import model
from model.care import episodes
from model.money.financing import KINDS
from model.engine.outcomes import LEDGER_METRICS
from model.people.residents import IN_CARE, NO_SERVICE, NONE, WAITING
from model.engine.results import select
from model.engine.simulation import CarelinesModel
from tests.conftest import config

SCENARIOS = {
    "baseline": (),
    "preventiefonds": ("policies.preventiefonds.enabled=true",),
    "ontschotting": ("policies.ontschotting.enabled=true", "policies.ontschotting.start_month=6"),
    "financing_switch": ("policies.financing_switch.enabled=true", "policies.financing_switch.start_month=12",
                         "policies.financing_switch.specialist_ggz=budget",
                         "policies.financing_switch.youth_ambulant=budget",
                         "policies.financing_switch.hospital=capitation"),
    "risk_cases": ("policies.social_basis_cut.enabled=true", "policies.substitution_without_funds.enabled=true",
                   "financing.municipal_budget_slack=-0.2"),
    "all_levers": tuple(f"policies.{lever}.enabled=true" for lever in (
        "wijkteam_light_help", "wijkteam_coverage", "poh_jeugd", "poh_ggz", "welzijn_op_recept",
        "social_basis_investment", "broad_gatekeeper", "schuldhulp", "voorzorg", "workforce_shift",
        "staff_shortage")),
}


def check_state(sim: CarelinesModel) -> None:
    res = sim.res
    assert np.all((res.health >= 0) & (res.health <= 1)), "health left [0, 1]"
    assert np.all((res.network >= 0) & (res.network <= 1))
    no_episode = res.service == NO_SERVICE
    assert np.all(no_episode == (res.state == NONE)), "episode state and service disagree"
    assert np.all(np.isin(res.state, (NONE, WAITING, IN_CARE)))
    assert np.all(res.months >= 0), "negative waiting or care months"
    assert not np.any(res.service[:, ~res.alive] != NO_SERVICE), "the dead hold episodes"
    assert not np.any(res.in_voorzorg & ~res.alive)
    assert not np.any(res.employed & (res.benefit | res.lost_work | ~res.alive | (res.age < 18) | (res.age >= 67)))
    assert np.all(res.absence_months[~res.employed] == 0), "an absence spell outside paid work"
    assert np.all(sim.provider_capacity >= 0)
    # the episode lists kept up to date from the changes are the lists a scan of everyone gives
    kept = episodes.episode_lists(sim)
    for k, v in zip(kept, episodes._episode_lists.serial(res.state)):
        assert np.array_equal(k, v), "the kept episode lists differ from the episodes"


def run_checking_every_month(cfg) -> CarelinesModel:
    """Run a configuration month by month, checking the state after each month, and check that
    residents are conserved (start + births - deaths = alive, and the outcome counts agree)."""
    sim = CarelinesModel(cfg)
    start_alive = sim.res.alive_count
    births = deaths = 0
    while not sim.finished:
        before_n = sim.res.n
        alive_before = sim.res.alive_count
        sim.step()
        check_state(sim)
        born = sim.res.n - before_n
        died = alive_before + born - sim.res.alive_count
        assert died >= 0
        births += born
        deaths += died
    assert sim.res.alive_count == start_alive + births - deaths
    recorded = sim.outcomes.data
    rec_births = recorded[("births", -1, -1, -1, -1, -1)][:, -1].sum()
    rec_deaths = recorded[("deaths", -1, -1, -1, -1, -1)][:, -1].sum()
    residents = recorded[("residents", -1, -1, -1, -1, -1)][:, -1]
    assert residents[-1] - residents[0] == rec_births - rec_deaths - (
        recorded[("births", -1, -1, -1, -1, -1)][0, -1] - recorded[("deaths", -1, -1, -1, -1, -1)][0, -1])
    return sim


def check_every_euro(results) -> None:
    """Every payment in the ledger is positive, and care payments appear once in the cost
    metric: in total, per line and financier, per municipality, per payer and per line."""
    ledger, ts = results.ledger, results.timeseries
    assert (ledger["amount"] > 0).all(), "a payment without a positive amount"
    care = ledger[ledger["kind"] == "care"]
    cost = ts[(ts["metric"] == "cost")]
    region = cost[cost["municipality"] == "region"]
    municipal = cost[cost["municipality"] != "region"]
    total = care["amount"].sum()
    assert total > 0
    # the rows per line and financier, each total row, and the totals per municipality
    detailed = (region["line"] != "") & (region["financier"] != "")
    assert region.loc[detailed, "value"].sum() == pytest.approx(total, rel=1e-9)
    assert select(region, "cost")["value"].sum() == pytest.approx(total, rel=1e-9)
    assert select(municipal, "cost")["value"].sum() == pytest.approx(total, rel=1e-9)
    ledger_by_payer = care.groupby("payer", observed=True)["amount"].sum()
    for payer, amount in ledger_by_payer.items():
        if amount:
            assert select(region, "cost", financier=payer)["value"].sum() == pytest.approx(amount, rel=1e-9)
    ledger_by_line = care.groupby("line", observed=True)["amount"].sum()
    for line, amount in ledger_by_line.items():
        assert select(region, "cost", line=line)["value"].sum() == pytest.approx(amount, rel=1e-9)
    assert sum(results.summary["cost_per_year_by_financier"].values()) == pytest.approx(
        results.summary["cost_per_year_total"], rel=1e-9)
    # every euro of the ledger is in exactly one metric, by its kind: productivity loss (the
    # employers', no line) is never care cost
    assert set(ledger["kind"].astype(str)) <= set(KINDS)
    everything = ts[ts["municipality"] == "region"]
    for kind, metric in LEDGER_METRICS:
        booked = ledger.loc[ledger["kind"] == KINDS[kind], "amount"].sum()
        assert select(everything, metric)["value"].sum() == pytest.approx(booked, rel=1e-9, abs=1e-6), metric
    assert sum(select(everything, metric)["value"].sum() for _, metric in LEDGER_METRICS) == pytest.approx(
        ledger["amount"].sum(), rel=1e-9)
    loss = ledger[ledger["kind"] == "productivity_loss"]
    assert len(loss) > 0 and (loss["payer"] == "employers").all() and (loss["line"] == "").all()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_invariants_hold_every_month(name):
    run_checking_every_month(config(*SCENARIOS[name], base=("population.size=6000", "years=3")))


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_euro_is_accounted_for_once(name):
    check_every_euro(model.run(config(*SCENARIOS[name], base=("population.size=6000", "years=3"))))


def test_prevention_fund_balances():
    """What the fund received minus what it spent is what it holds."""
    sim = CarelinesModel(config("policies.preventiefonds.enabled=true",
                                base=("population.size=6000", "years=3")))
    sim.run_model()
    a = sim.ledger.arrays()
    fund_index = len(sim.providers) + 3
    recorded = a["month"] >= -100
    received = a["amount"][recorded & (a["payee"] == fund_index) & (a["kind"] == 1)].sum()
    spent = a["amount"][recorded & (a["payer"] == 3)].sum()
    assert received > 0 and spent > 0
    assert received - spent == pytest.approx(sim.fund.balance, rel=1e-9, abs=1e-6)


def test_regional_budget_balances():
    """Under ontschotting: contributions in, care paid and savings shared out (a deficit topped up
    as contributions); the books close with the run, so nothing is left in the pot: every euro the
    financiers put in is care paid or came back to them."""
    sim = CarelinesModel(config("policies.ontschotting.enabled=true", "policies.ontschotting.start_month=6",
                                base=("population.size=6000", "years=3")))
    sim.run_model()
    a = sim.ledger.arrays()
    budget = 5  # financing.F["regional_budget"]
    budget_payee = len(sim.providers) + budget
    received = a["amount"][(a["payee"] == budget_payee) & (a["kind"] == 1)].sum()
    care = a["amount"][(a["payer"] == budget) & (a["kind"] == 0)].sum()
    shared = a["amount"][(a["payer"] == budget) & (a["kind"] == 2)].sum()
    assert received > 0 and care > 0
    assert sim.regional_budget.balance == 0.0
    assert received - care - shared == pytest.approx(0.0, abs=1e-6 * received)
    # shared savings are what was left after care, not the contributions themselves
    assert shared < 0.5 * received
