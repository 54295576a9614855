"""Financing rules as contract classes (`model.money.contracts`): every registered rule can be
configured and runs with the invariants holding, and a rule added as one subclass with a name
is accepted by config validation and used by the providers."""

from __future__ import annotations

import numpy as np
import pytest

import model
from model.money import contracts
from model.parameters import FINANCING_RULES
from model.care.services import DIRECT_SERVICES, SERVICE_NAMES, S
from model.engine.simulation import CarelinesModel
from tests.conftest import config
from tests.test_invariants import check_every_euro, run_checking_every_month

TINY = ("population.size=2000", "years=1")
REGISTERED = list(contracts.RULES)


def test_the_rule_names_are_the_registry():
    assert REGISTERED[:3] == ["per_verrichting", "budget", "capitation"]
    assert list(FINANCING_RULES) == REGISTERED
    for name, cls in contracts.RULES.items():
        assert issubclass(cls, contracts.Contract) and cls.name == name


@pytest.mark.parametrize("rule", REGISTERED)
def test_every_rule_runs_for_every_service_with_the_invariants(rule):
    """Every provider under the rule from the start; then every provider switched to it in
    month 6 by the financing switch."""
    everywhere = tuple(f"financing.{s}.rule={rule}" for s in SERVICE_NAMES)
    cfg = config(*everywhere, base=TINY)
    sim = run_checking_every_month(cfg)
    assert all(type(p.contract) is contracts.RULES[rule] and p.rule == rule for p in sim.providers)
    check_every_euro(model.run(cfg))

    switched = ("policies.financing_switch.enabled=true", "policies.financing_switch.start_month=6",
                *(f"policies.financing_switch.{s}={rule}" for s in SERVICE_NAMES))
    cfg = config(*switched, base=TINY)
    sim = run_checking_every_month(cfg)
    assert all(type(p.contract) is contracts.RULES[rule] for p in sim.providers)
    check_every_euro(model.run(cfg))


@pytest.fixture
def toy_rule():
    """A rule added the way a new one is: a subclass of `Contract` with a name. It pays each
    provider a flat EUR 1,000 a month and halves its episodes; it is unregistered afterwards."""
    assert "toy_flat" not in contracts.RULES

    class FlatSum(contracts.Contract):
        name = "toy_flat"

        def monthly_payment(self, residents: float) -> float:
            return 1000.0

        def length_factor(self) -> float:
            return 0.5

    try:
        yield FlatSum
    finally:
        contracts.RULES.pop("toy_flat", None)


def test_a_bad_rule_name_gives_one_line_listing_the_rules():
    with pytest.raises(model.ConfigError) as err:
        model.load_config("baseline", ["financing.wijkteam.rule=toy_flat"])
    message = str(err.value)
    assert "\n" not in message
    assert "financing.wijkteam.rule" in message and "allowed are per_verrichting, budget, capitation" in message


def test_a_rule_added_as_one_class_is_validated_and_used_by_the_providers(toy_rule):
    assert "toy_flat" in FINANCING_RULES
    with pytest.raises(model.ConfigError) as err:  # a bad name now lists the new rule too
        model.load_config("baseline", ["financing.wijkteam.rule=gratis"])
    assert str(err.value).endswith(", integrated_budget, toy_flat")  # every rule, the new one last

    cfg = config("financing.wijkteam.rule=toy_flat", "policies.financing_switch.enabled=true",
                 "policies.financing_switch.start_month=3", "policies.financing_switch.hospital=toy_flat",
                 base=TINY)
    sim = CarelinesModel(cfg)
    wijkteam = [p for p in sim.providers if p.service == S["wijkteam"]]
    hospital = [p for p in sim.providers if p.service == S["hospital"]]
    assert all(isinstance(p.contract, toy_rule) and p.rule == "toy_flat" for p in wijkteam)
    assert not any(isinstance(p.contract, toy_rule) for p in hospital)
    while sim.month < 3:
        sim.step()
    assert not any(isinstance(p.contract, toy_rule) for p in hospital)
    sim.step()  # month 3
    assert all(isinstance(p.contract, toy_rule) for p in hospital)  # the switch gave them the new rule
    assert np.all(sim.provider_length_factor[[p.index for p in wijkteam + hospital]] == np.float32(0.5))

    results = model.run(cfg)
    check_every_euro(results)
    ledger = results.ledger
    paid = ledger[(ledger["kind"] == "care") & (ledger["provider_type"] == "wijkteam")]
    months = results.config.years * 12
    assert len(paid) == months * len(wijkteam)  # one lump sum a month, no fees
    assert (paid["amount"] == 1000.0).all()
    hospital_paid = ledger[(ledger["kind"] == "care") & (ledger["provider_type"] == "hospital")]
    assert (hospital_paid.loc[hospital_paid["month"] >= 3, "amount"] == 1000.0).all()


def test_a_rule_name_is_registered_once(toy_rule):
    with pytest.raises(ValueError, match="defined twice"):
        class Again(contracts.Contract):
            name = "toy_flat"


def test_a_staff_shortage_limits_hiring_instead_of_freezing_it():
    """Under a staff cut a provider paid per verrichting still grows towards its queue, by at
    most financing.hiring_under_shortage a year; shrinking is not limited."""
    sim = CarelinesModel(model.load_config("baseline", ["population.size=2000", "years=1"]))
    provider = next(p for p in sim.providers if p.rule == "per_verrichting" and p.service not in DIRECT_SERVICES)
    response = sim.cfg.financing.capacity_response
    for demand, staff_cut, expected in ((200.0, True, 1.0 + sim.cfg.financing.hiring_under_shortage),
                                        (200.0, False, 1.0 + response),
                                        (50.0, True, 1.0 - 0.5 * response)):
        provider.expansion = 1.0
        provider.contract.respond_to_demand(demand=demand, capacity=100.0, staff_cut=staff_cut)
        assert provider.expansion == pytest.approx(expected), (demand, staff_cut)
