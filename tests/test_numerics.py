"""Numerical robustness: a century of simulated months and extreme but valid values keep health
in [0, 1], counts non-negative and every figure finite; the dtypes of counters and totals hold
the whole Netherlands over the longest run the schema allows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import model
from model.config import schema_field
from model.people.residents import DOMAIN_FIELDS, PERSON_FIELDS
from model.engine.simulation import CarelinesModel
from tests.test_invariants import check_state
from tests.test_properties import results_of

NETHERLANDS = 17_811_291
MEANS = {"health", "need_share"}  # per-group means


def finite_and_non_negative(results) -> None:
    ts, ledger = results.timeseries, results.ledger
    values = ts["value"].to_numpy(float)
    assert not np.isinf(values).any(), "infinity in the timeseries"
    # a mean over a group nobody is in (few residents, a small municipality) is undefined: NaN
    # there and nowhere else
    missing = ts[np.isnan(values)]
    assert set(missing["metric"].astype(str)) <= MEANS, set(missing["metric"].astype(str)) - MEANS
    assert np.isfinite(ledger["amount"].to_numpy(float)).all(), "NaN or infinity in the ledger"
    counts = ts[ts["metric"].isin(("residents", "clients", "waiting", "contacts", "new_episodes", "crises",
                                   "births", "deaths", "gp_consults"))]
    assert (counts["value"] >= 0).all(), "a negative count"
    health = ts[ts["metric"] == "health"]["value"].dropna()
    assert ((health >= 0) & (health <= 1)).all(), "health left [0, 1]"


def run_and_check(overrides) -> None:
    sim = CarelinesModel(model.load_config("baseline", overrides))
    sim.run_model()
    check_state(sim)
    finite_and_non_negative(results_of(sim))


def test_a_century_stays_in_range():
    run_and_check(["population.size=200", "years=100"])


@pytest.mark.parametrize("extreme", [
    ("health.drift=1", "gatekeeper.step_down=1", "financing.supply_elasticity=1", "financing.capacity_response=1",
     "services.gp.tariff=20000", "services.hospital.capacity_per_1000=1000", "financing.sluitpost_cut=10",
     "health.waiting_deterioration=0.1", "gatekeeper.renege_rate=1", "policies.schuldhulp.enabled=true",
     "policies.schuldhulp.level=20", "policies.preventiefonds.enabled=true",
     "policies.preventiefonds.contribution_per_resident=1000"),
    ("health.drift=0", "gatekeeper.step_down=0", "financing.supply_elasticity=0", "financing.capacity_response=0",
     "services.hospital.capacity_per_1000=0.001", "services.gp.tariff=0", "financing.municipal_budget_slack=-0.5",
     "financing.budget_basis=last_year_spending", "policies.staff_shortage.enabled=true",
     "policies.staff_shortage.level=1", "population.debt_share=0.5"),
], ids=["highest", "lowest"])
def test_extreme_valid_values_stay_in_range(extreme):
    run_and_check(["population.size=2000", "years=2", *extreme])


def test_counter_and_total_dtypes_hold_the_netherlands_for_a_century():
    """The largest values the schema allows, against the dtypes that hold them."""
    years = schema_field("years").metadata["range"][1]
    months = 12 * years
    residents = schema_field("population.size").metadata["range"][1]  # 20 million, above the Netherlands
    assert residents >= NETHERLANDS
    # per resident: months of waiting, care, debt, absence and since discharge count to at most the run
    for name in ("debt_months", "absence_months"):
        assert np.iinfo(PERSON_FIELDS[name]).max >= months, name
    for name in ("months", "length", "since_discharge"):
        assert np.iinfo(DOMAIN_FIELDS[name]).max >= months, name
    # municipality and wijk numbers
    municipalities = schema_field("region.generated_count").metadata["range"][1]
    wijken = municipalities * schema_field("region.wijken_per_municipality").metadata["range"][1]
    assert np.iinfo(PERSON_FIELDS["municipality"]).max >= municipalities
    assert np.iinfo(PERSON_FIELDS["wijk"]).max >= wijken
    # GP contacts in a year: at most every month's contacts at the highest rate
    contacts_a_year = 12 * schema_field("services.gp.contacts_per_month").metadata["range"][1]
    assert np.iinfo(PERSON_FIELDS["gp_contacts_year"]).max >= contacts_a_year
    # the bits of the kinds of care a resident had this year
    from model.people import residents as r
    assert np.iinfo(PERSON_FIELDS["care_this_year"]).max >= 2 * r.WIJKTEAM_JEUGDHULP - 1
    # every resident ever (the start plus births over a century, at most 3% a year) fits an int32 id
    assert residents * 1.03 ** years < np.iinfo(np.int64).max
    # monthly and run totals are float64: whole numbers exact up to 2**53. Contacts of everyone
    # at the highest rate every month of a century stay far below that
    all_contacts = residents * 1.03 ** years * schema_field("services.gp.contacts_per_month").metadata["range"][1]
    assert all_contacts * months < 2**53
    # euro: the whole Dutch care spending (about EUR 100 billion a year) over a century keeps a
    # float64 total exact to well below a cent
    total = 100e9 * years
    assert total < 2**53 and np.spacing(total) < 0.01


def test_tables_use_float64_for_totals_and_int64_counters():
    sim = CarelinesModel(model.load_config("baseline", ["population.size=500", "years=1"]))
    sim.run_model()
    assert all(a.dtype == np.float64 for a in sim.outcomes.data.values())
    results = results_of(sim)
    assert results.ledger["amount"].dtype == np.float64
    assert results.timeseries["value"].dtype == np.float64
