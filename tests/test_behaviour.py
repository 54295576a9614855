"""Behaviour where rules used to be: budgets staff providers and ration by waiting, referrals
weigh waiting times, a need gets medical and social help at once, the effect of care depends on
the contacts given and on whether the client responds, and the integrated budget saves through
what providers do under it. Paired runs share their seed (common random numbers), so the
differences asserted are the behaviour's, not noise; sizes asserted are below what the model
gives (noted per test)."""

from __future__ import annotations

import numpy as np
import pytest

from model.money.contracts import Budget, IntegratedBudget
from model.money.financing import F
from model.people.residents import IN_CARE
from model.care.services import MENTAL, S, SOCIAL
from model.engine.simulation import CarelinesModel
from tests.conftest import cached_run, config, total

SCARCE = ("services.wijkteam.capacity_per_1000=6", "services.schuldhulp.capacity_per_1000=3",
          "services.specialist_ggz.capacity_per_1000=6")


def test_no_provider_leaves_a_place_empty_while_someone_waits_for_it():
    """Freed places are refilled from the waiting list every month, budget providers included:
    they ration by waiting, never by closing their doors once the money is spent."""
    m = CarelinesModel(config(*SCARCE))
    months_with_queue = 0
    while not m.finished:
        m.step()
        waiting = m.provider_expected_wait > 0
        full = m.provider_in_care >= np.floor(m.provider_capacity)
        assert full[waiting].all(), [m.providers[i].name for i in np.flatnonzero(waiting & ~full)]
        months_with_queue += waiting[[p.index for p in m.providers if isinstance(p.contract, Budget)]].any()
    assert months_with_queue > 12  # the scarce budget providers had queues to ration by


def test_a_budget_staffs_the_provider_planned_or_from_last_years_use():
    """By plan, the budget pays for the planned places in full; by last year's spending, a
    provider that left places idle gets fewer next year, and one that was full keeps them."""
    planned = CarelinesModel(config())
    planned.run_model()
    historic = CarelinesModel(config("financing.budget_basis=last_year_spending"))
    historic.run_model()
    slack = historic.cfg.financing.municipal_budget_slack
    shrunk = kept = 0
    for p, q in zip(planned.providers, historic.providers):
        if not isinstance(p.contract, Budget) or q.used_last_year is None:  # no places offered (Voorzorg)
            continue
        assert p.staffing == pytest.approx(1.0)
        assert q.staffing == pytest.approx(min(q.used_last_year * (1 + slack), 1 + slack), rel=1e-9)
        shrunk += q.used_last_year < 0.8 and q.staffing < 0.85
        kept += q.used_last_year > 0.97 and q.staffing > 0.99
    assert shrunk > 0 and kept > 0
    cost = {name: total(r, "cost", line="nulde") for name, r in
            (("plan", cached_run(())), ("historic", cached_run(("financing.budget_basis=last_year_spending",))))}
    assert cost["historic"] < 0.97 * cost["plan"]  # idle places are not paid for again


def test_referrals_weigh_the_waiting_time_at_the_tweede_lijn():
    """With long queues at specialist GGZ the GP keeps more borderline patients in the practice:
    fewer referrals to the tweede lijn than a GP who ignores waiting times (model: about -20%)."""
    weighing = cached_run(SCARCE)
    ignoring = cached_run((*SCARCE, "gatekeeper.waiting_weight=0"))
    up = {name: total(r, "referrals", line="eerste", to_line="tweede", domain="mental")
          for name, r in (("weighing", weighing), ("ignoring", ignoring))}
    assert up["weighing"] < 0.95 * up["ignoring"]
    assert total(weighing, "clients", line="eerste") > total(ignoring, "clients", line="eerste")


def test_a_recognised_social_root_gets_social_help_next_to_the_practices_care():
    """Under a broad gatekeeper, adults whose mental complaint has a social root get the POH and
    social work or the wijkteam at once: two episodes, one per domain."""
    m = CarelinesModel(config("policies.broad_gatekeeper.enabled=true", "policies.broad_gatekeeper.level=0.8"))
    both_seen = 0
    while not m.finished:
        m.step()
        res = m.res
        medical = np.isin(res.service[MENTAL], [S["gp"], S["poh_ggz"]]) & (res.state[MENTAL] == IN_CARE)
        social = np.isin(res.service[SOCIAL], [S["social_basis"], S["wijkteam"], S["schuldhulp"]]) & \
            (res.state[SOCIAL] > 0)
        both_seen += int((medical & social).sum())
    assert both_seen > 0
    r = cached_run(("policies.broad_gatekeeper.enabled=true", "policies.broad_gatekeeper.level=0.8"))
    assert total(r, "gp_social_help_alongside") > 50


@pytest.mark.parametrize("share", [0.6])
def test_non_responders_stay_ill_and_escalate_more(share):
    """Episodes that bring no improvement (non-responders) leave more needs unresolved: more
    escalation from light care and more crises than when everyone responds (model: +10-30%)."""
    none = cached_run(("health.care_non_response=[0,0,0]",))
    many = cached_run((f"health.care_non_response=[{share},{share},{share}]",))
    assert total(many, "referrals", line="eerste", to_line="tweede") > \
        1.03 * total(none, "referrals", line="eerste", to_line="tweede")
    assert total(many, "need_share") > total(none, "need_share")


def test_more_contacts_help_more_when_the_effect_grows_with_the_dose():
    """Per verrichting gives more contacts per month; with a dose-response the tweede lijn's
    clients recover faster than with none, so fewer of them are still in need."""
    services = ("specialist_ggz", "youth_ambulant", "wmo_maatwerk", "hospital")
    fee = tuple(f"financing.{s}.rule=per_verrichting" for s in services)
    with_dose = cached_run(fee)
    without = cached_run((*fee, "health.dose_response=0"))
    assert total(with_dose, "need_share") < total(without, "need_share")


def test_the_integrated_budget_saves_through_providers_sharing_its_savings():
    """Ontschotting with no savings shared changes nothing providers do: about the same care cost
    as today (municipalities see other bills, so their sluitpost cuts differ a little). With the
    whole surplus shared and the region's providers acting as one network, former
    per-verrichting providers stretch volume less (fewer contacts per episode) and care costs
    less even after their bonus. A provider acting alone loses only its own small part of the
    bonus when it stretches volume, so free riding keeps most of the saving away."""
    base = cached_run(())
    no_share = cached_run(("policies.ontschotting.enabled=true", "policies.ontschotting.level=0"))
    network = cached_run(("policies.ontschotting.enabled=true", "policies.ontschotting.level=1",
                          "financing.shared_savings_cooperation=1"))
    alone = cached_run(("policies.ontschotting.enabled=true", "policies.ontschotting.level=1"))
    assert total(no_share, "cost") == pytest.approx(total(base, "cost"), rel=0.01)
    assert total(network, "cost") < 0.95 * total(no_share, "cost")  # model: about -10%
    network_saving = total(no_share, "cost") - total(network, "cost")
    alone_saving = total(no_share, "cost") - total(alone, "cost")
    assert alone_saving < 0.25 * network_saving  # stakes are each provider's share of payments

    def per_episode(r):
        return total(r, "contacts", line="tweede") / total(r, "new_episodes", line="tweede")

    assert per_episode(network) < 0.97 * per_episode(base)
    m = CarelinesModel(config("policies.ontschotting.enabled=true", "policies.ontschotting.level=1"))
    m.run_model()
    assert any(isinstance(p.contract, IntegratedBudget) for p in m.providers)
    assert not any(p.rule == "per_verrichting" for p in m.providers)
    ledger = m.ledger.arrays()
    bonus = (ledger["payer"] == F["regional_budget"]) & (ledger["kind"] == 0) & (ledger["month"] % 12 == 0) & (ledger["month"] > 0)
    assert ledger["amount"][bonus].sum() > 0
