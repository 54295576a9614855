"""Residents as arrays, readable one at a time."""

from __future__ import annotations

import pytest

from model.engine.simulation import CarelinesModel
from tests.conftest import config


def test_resident_view_reads_the_row():
    sim = CarelinesModel(config(base=("population.size=2000", "years=1")))
    for _ in range(30):
        sim.step()
    res = sim.res
    i = int(res.alive.nonzero()[0][5])
    person = res.view(i)
    assert person.age == pytest.approx(float(res.age[i]))
    assert person.health["mental"] == pytest.approx(float(res.health[1, i]))
    assert person.debt == bool(res.debt[i])
    assert f"Resident {i}" in repr(person)
    with pytest.raises(IndexError):
        res.view(res.n)


def test_stepping_past_the_end_is_an_error():
    sim = CarelinesModel(config(base=("population.size=500", "years=1")))
    sim.run_model()
    with pytest.raises(RuntimeError):
        sim.step()
