"""One paired comparison per mechanism: the same seed with and without the change, so the
difference is the mechanism and not noise (common random numbers).

Sizes asserted are deliberately below what the model gives (noted per test), but far above
what noise between two seeds gives, so a broken mechanism fails the test.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.engine.simulation import CarelinesModel
from tests.conftest import cached_run, config, total

BASE = ()


def lever(name, level=None):
    out = (f"policies.{name}.enabled=true",)
    return out + ((f"policies.{name}.level={level}",) if level is not None else ())


def test_baseline_all_lines_carry_clients_and_both_main_financiers_pay():
    r = cached_run(BASE)
    for line in ("nulde", "eerste", "tweede"):
        assert total(r, "clients", line=line) > 0, line
    paid = r.ledger[r.ledger["kind"] == "care"].groupby("payer", observed=True)["amount"].sum()
    assert paid["municipality"] > 0 and paid["insurer"] > 0 and paid["residents"] > 0
    assert "preventiefonds" not in set(r.ledger["payer"][r.ledger["amount"] > 0])


def test_prevention_fund_and_its_contributors_appear_in_the_ledger():
    r = cached_run(("policies.preventiefonds.enabled=true",))
    ledger = r.ledger
    contributions = ledger[ledger["kind"] == "contribution"]
    assert set(contributions["payer"]) == {"municipality", "insurer", "employers"}
    assert (contributions["payee"] == "preventiefonds").all()
    fund_care = ledger[(ledger["payer"] == "preventiefonds") & (ledger["kind"] == "care")]
    assert (fund_care["line"] == "nulde").all() and fund_care["amount"].sum() > 0
    # it spends what it receives (10 years of EUR 20 per resident; 5 simulated here)
    assert fund_care["amount"].sum() / contributions["amount"].sum() > 0.9


def test_more_social_workers_cost_more_and_act_through_what_residents_take_up():
    """Three times the social basis's staff: three times its staff cost, paid by the
    municipality, and about three times the places in community activities, which residents
    with weak networks take up; nobody's network is raised without taking part."""
    base = cached_run(BASE)
    strong = cached_run(lever("social_basis_investment", 3.0))
    cost = {name: total(r, "cost", line="nulde") for name, r in (("base", base), ("strong", strong))}
    assert cost["strong"] > 2.0 * cost["base"]
    taking_part = {name: total(r, "community_participants") for name, r in (("base", base), ("strong", strong))}
    assert 2.0 * taking_part["base"] < taking_part["strong"] < 3.5 * taking_part["base"]
    # without the ties formed by taking part, the extra places do nothing for networks
    no_ties = cached_run(lever("social_basis_investment", 3.0) + ("determinants.participation_ties=0",))
    assert total(no_ties, "community_participants") == pytest.approx(taking_part["strong"], rel=0.1)


def test_per_verrichting_gives_more_contacts_per_episode_than_budget():
    services = ("specialist_ggz", "youth_ambulant", "wmo_maatwerk", "hospital")
    fee = cached_run(tuple(f"financing.{s}.rule=per_verrichting" for s in services))
    budget = cached_run(tuple(f"financing.{s}.rule=budget" for s in services))

    def per_episode(r):
        return total(r, "contacts", line="tweede") / total(r, "new_episodes", line="tweede")

    assert per_episode(fee) > 1.08 * per_episode(budget)  # model: about +15%


def test_debt_lowers_mental_health_and_the_effect_fades_after_resolution():
    """A cohort is put in debt for two years, then freed; its twin cohort never is."""
    cfg = config(base=("population.size=6000", "years=6"))
    with_debt, without = CarelinesModel(cfg), CarelinesModel(cfg)
    cohort = np.nonzero((with_debt.res.age >= 25) & (with_debt.res.age < 55) & ~with_debt.res.debt)[0][:800]
    gaps = []
    for month in range(24 + 60):
        for sim, flag in ((with_debt, 24 <= month < 48), (without, False)):
            sim.res.debt[cohort] = flag
            sim.step()
        gaps.append(float(without.res.health[1, cohort].mean() - with_debt.res.health[1, cohort].mean()))
    peak = gaps[47]
    assert peak > 0.05  # model: about 0.1 lower mental health after two years in debt
    assert gaps[-1] < 0.4 * peak  # three years after resolution most of the gap has closed


def test_waiting_raises_crises():
    fixed = ("financing.capacity_response=0",)  # capacity stays scarce: no provider grows with its queue
    base = cached_run(fixed)
    scarce = cached_run(fixed + tuple(f"services.{s}.capacity_per_1000={v}" for s, v in (
        ("specialist_ggz", 4), ("youth_ambulant", 8), ("wmo_maatwerk", 20), ("hospital", 10))))
    assert total(scarce, "waiting", line="tweede") > 2 * total(base, "waiting", line="tweede")
    assert total(scarce, "crises") > 1.2 * total(base, "crises")  # model: about 1.7x


def test_broad_gatekeeper_sends_more_social_root_needs_to_the_nulde_lijn():
    base = cached_run(BASE)
    broad = cached_run(lever("broad_gatekeeper"))
    assert total(broad, "referrals", line="eerste", to_line="nulde") > 1.2 * total(
        base, "referrals", line="eerste", to_line="nulde")  # model: about +35%


def test_welzijn_op_recept_sends_more_gp_patients_to_social_work():
    base = cached_run(BASE)
    wor = cached_run(lever("welzijn_op_recept", 1.0))
    # eerste -> nulde also holds the wijkteam's referrals down, which the lever does not change
    assert total(wor, "referrals", line="eerste", to_line="nulde") > 1.1 * total(
        base, "referrals", line="eerste", to_line="nulde")  # model: about +18%


def test_step_down_lowers_relapse():
    none = cached_run(("gatekeeper.step_down=0",))
    most = cached_run(("gatekeeper.step_down=0.9",))

    def rate(r):
        return total(r, "relapses") / total(r, "discharges", line="tweede")

    assert rate(most) < 0.9 * rate(none)  # model: about -20%


def test_sluitpost_cuts_prevention_after_overspending():
    tight = cached_run(("financing.municipal_budget_slack=-0.2",))
    loose = cached_run(("financing.municipal_budget_slack=0.5",))
    assert total(tight, "prevention_cut") > 0.5
    # small municipalities' youth-care spending swings from year to year, so even a loose
    # budget is overspent now and then; a tight one is overspent every year
    assert total(loose, "prevention_cut") < 0.2 * total(tight, "prevention_cut")
    assert total(tight, "clients", line="nulde") < 0.9 * total(loose, "clients", line="nulde")


def test_wijkteam_light_help_prevents_escalation_to_specialist_and_residential_youth_care():
    much = cached_run(lever("wijkteam_light_help", 1.0))
    none = cached_run(lever("wijkteam_light_help", 0.0))
    assert total(much, "clients_wijkteam") > 1.4 * total(none, "clients_wijkteam")
    # light help reaches needs youth care does not yet accept; helped early, fewer escalate
    assert total(much, "youth_care_ambulant") < 0.9 * total(none, "youth_care_ambulant")  # model: 0.80
    assert total(much, "youth_care_residential") < 0.95 * total(none, "youth_care_residential")  # model: 0.84


def test_per_verrichting_providers_grow_with_their_queues_budget_providers_do_not():
    scarce = ("services.specialist_ggz.capacity_per_1000=4", "services.wijkteam.capacity_per_1000=8")
    following = cached_run(scarce)
    fixed = cached_run((*scarce, "financing.capacity_response=0"))
    # specialist GGZ (per verrichting) opens places where clients wait: more clients, shorter queue
    assert total(following, "clients_specialist_ggz") > 1.2 * total(fixed, "clients_specialist_ggz")
    assert total(following, "waiting", line="tweede", domain="mental") < \
        0.8 * total(fixed, "waiting", line="tweede", domain="mental")
    # the wijkteam (budget) keeps the capacity its budget pays for, however long its queue
    m = CarelinesModel(config(*scarce))
    m.run_model()
    for p in m.providers:
        if p.rule == "per_verrichting" and p.spec.name == "specialist_ggz":
            assert p.expansion > 1.2, p.name
        elif p.rule != "per_verrichting":
            assert p.expansion == 1.0, p.name
    # under a staff shortage few can be hired: growth of at most financing.hiring_under_shortage a
    # year, where queues ask for it (a labour market, not a freeze)
    short = CarelinesModel(config(*scarce, *lever("staff_shortage", 0.2)))
    while short.month < 0:  # warm-up: the shortage starts at month 0
        short.step()
    at_start = [p.expansion for p in short.providers]
    short.run_model()
    most = (1.0 + short.cfg.financing.hiring_under_shortage) ** short.cfg.years
    assert all(p.expansion <= before * most * (1 + 1e-9) for p, before in zip(short.providers, at_start))
    assert any(p.expansion > before for p, before in zip(short.providers, at_start))


def test_accessible_wijkteam_uncovers_latent_demand():
    near = cached_run(lever("wijkteam_coverage", 1.0))
    far = cached_run(lever("wijkteam_coverage", 0.2))
    assert total(near, "clients_wijkteam") > 1.1 * total(far, "clients_wijkteam")


def test_eigen_risico_deters_care_and_raises_crises():
    none = cached_run(("gatekeeper.zorgmijding=0",))
    strong = cached_run(("gatekeeper.zorgmijding=0.6",))
    assert total(none, "zorgmijding") == 0 and total(strong, "zorgmijding") > 0
    # the deductible deters low-income residents: their crises rise, those of high incomes do not
    low_rise = total(strong, "crises", group="income_low") / total(none, "crises", group="income_low")
    high_rise = total(strong, "crises", group="income_high") / total(none, "crises", group="income_high")
    assert low_rise > 1.04 and low_rise > high_rise  # model: +7% against -2%


def test_low_income_residents_are_less_healthy():
    r = cached_run(BASE)
    assert r.summary["health_gap_last_year"] > 0.05
