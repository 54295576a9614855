"""Shared helpers: small, fast configurations and cached runs."""

from __future__ import annotations

import functools

import pytest

import model

SMALL = ("population.size=8000", "years=3")
MEDIUM = ("population.size=20000", "years=5")


def config(*overrides, scenario="baseline", base=SMALL):
    return model.load_config(scenario, [*base, *overrides])


@functools.lru_cache(maxsize=64)
def cached_run(overrides: tuple, scenario="baseline", base=MEDIUM):
    return model.run(config(*overrides, scenario=scenario, base=base))


def total(results, metric, **dims) -> float:
    """Sum of a region-level metric over the whole run, for the given dimension values."""
    dims.setdefault("group", "")  # group rows are breakdowns of the same events
    ts = results.timeseries
    sel = (ts["metric"] == metric) & (ts["municipality"] == "region")
    for key, value in dims.items():
        sel &= ts[key] == value
    return float(ts.loc[sel, "value"].sum())


@pytest.fixture
def small_config():
    return config()
