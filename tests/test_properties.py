"""Property-based: random valid configurations never crash and keep every invariant.

Hypothesis draws a scenario, a seed, a tiny population and values for up to five entries of
the parameter registry (configs/registry.yaml, inside their registry ranges, levers switched
on) plus two parameters straight from their schema ranges. Each configuration runs one year
month by month with the checks of tests/test_invariants.py: nobody lost or duplicated, health
in [0, 1], consistent episodes, and every euro of the ledger in exactly one metric; no NaN or
infinity anywhere in the tables.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import model
from model.config import available, schema_field, set_values
from model.engine.results import Results, summarise
from research import registry
from tests.test_invariants import check_every_euro, run_checking_every_month

EXAMPLES = 30
ENTRIES = registry.load()
SCHEMA_DRAWN = ("health.drift", "gatekeeper.renege_rate")  # drawn from the schema's own ranges


@functools.cache
def base(scenario: str, size: int) -> model.Config:
    return model.load_config(scenario, [f"population.size={size}", "years=1"])


@st.composite
def configs(draw) -> model.Config:
    scenario = draw(st.sampled_from(available("scenario")))
    size = draw(st.sampled_from((2000, 3000)))
    chosen = draw(st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=5, unique_by=lambda e: e.path))
    row = [draw(st.floats(*e.salib()[0][:2], exclude_max=bool(e.levels), allow_nan=False)) for e in chosen]
    values = registry.values(chosen, row)
    for name in SCHEMA_DRAWN:
        low, high = schema_field(name).metadata["range"]
        values[name] = draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
    values["seed"] = draw(st.integers(0, 2**31 - 1))
    return set_values(base(scenario, size), values)


def results_of(sim) -> Results:
    """The run's tables, made as `model.run` makes them."""
    ts = sim.outcomes.to_frame(sim.region.names)
    ledger = sim.ledger.to_frame(sim)
    ledger = ledger[ledger["month"] >= 0].reset_index(drop=True)
    return Results(ts, ledger, summarise(ts, ledger, sim.cfg), sim.cfg)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(configs())
def test_random_valid_configurations_keep_every_invariant(config):
    sim = run_checking_every_month(config)  # residents conserved, health in [0, 1], episodes consistent
    results = results_of(sim)
    assert np.isfinite(results.timeseries["value"].to_numpy(float)).all(), "NaN or infinity in the timeseries"
    assert np.isfinite(results.ledger["amount"].to_numpy(float)).all(), "NaN or infinity in the ledger"
    counts = results.timeseries[results.timeseries["metric"].isin(("residents", "clients", "waiting", "contacts"))]
    assert (counts["value"] >= 0).all()
    check_every_euro(results)  # every euro once, in its metric, per payer and line
