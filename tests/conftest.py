"""Shared helpers: small, fast configurations and cached runs."""

from __future__ import annotations

import functools

import pytest

import model
from model.engine.results import select

SMALL = ("population.size=8000", "years=3")
MEDIUM = ("population.size=20000", "years=5")


def config(*overrides, scenario="baseline", base=SMALL):
    return model.load_config(scenario, [*base, *overrides])


@functools.lru_cache(maxsize=64)
def cached_run(overrides: tuple, scenario="baseline", base=MEDIUM):
    return model.run(config(*overrides, scenario=scenario, base=base))


def total(results, metric, **dims) -> float:
    """Sum over the whole run of a region-level metric, for the given dimension values and the
    total over the dimensions not given."""
    return float(select(results.timeseries, metric, "region", **dims)["value"].sum())


@pytest.fixture
def small_config():
    return config()


# The longest test files start first, so that `make test` (files spread over two processes)
# does not end with one process running them alone while the other waits.
LONGEST_FIRST = ("test_cpb_wijkteam.py", "test_calibration.py", "test_scenarios.py", "test_classroom.py",
                 "test_fault_injection.py", "test_mechanism_split.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order
