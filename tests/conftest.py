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
