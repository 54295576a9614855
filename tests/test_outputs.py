"""The tidy timeseries: every breakdown has its total rows, totals of counts are the sums of
their parts, totals of means are weighted means, and the yearly youth-care and GP figures
for equity questions add up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import model
from model.care import eerste_lijn
from model.people import help_seeking
from model.engine.outcomes import DIMENSIONS, GROUP_NAMES, MEAN_METRICS, OVERLAPPING, _totals
from model.people.residents import GP_MENTAL_ADULT, GP_SOCIAL_ADULT
from model.engine.results import select
from model.care.services import MENTAL, PHYSICAL, SOCIAL
from model.engine.simulation import CarelinesModel
from tests.conftest import config

BASE = ("population.size=4000", "years=2", "seed=5")
RUNS = {"baseline": (), "pots": ("policies.preventiefonds.enabled=true", "policies.ontschotting.enabled=true",
                                 "policies.ontschotting.start_month=6")}
KEYS = ["metric", "municipality", "month"]
# set per municipality (`Outcomes.set_value`): the region holds their mean, not their sum
SET_PER_MUNICIPALITY = {"municipal_overspend"}
YOUTH = ("jeugdhulp_clients_year", "youth_residential_clients_year", "youth_ambulant_clients_year",
         "youth_specialist_clients_year")
GP = "gp_mental_social_adults_year"


@pytest.fixture(scope="module", params=list(RUNS))
def table(request) -> pd.DataFrame:
    """The timeseries of a small run with plain string columns."""
    ts = model.run(config(*RUNS[request.param], base=BASE)).timeseries
    return ts.assign(**{c: ts[c].astype(str) for c in ("metric", "municipality", *DIMENSIONS)})


def _partitions(dim: str):
    """The value sets that add up to a dimension's total (None: all values)."""
    return [GROUP_NAMES[:3], GROUP_NAMES[3:]] if dim == "group" else [None]


def _parts_and_totals(rows: pd.DataFrame, dim: str, part) -> pd.DataFrame:
    """Rows of `dim`'s values in `part`, added up per total they belong to, beside that total's
    value (NaN where the total row is missing)."""
    parts = rows[rows[dim] != ""] if part is None else rows[rows[dim].isin(part)]
    other = [d for d in DIMENSIONS if d != dim]
    added = parts.groupby(KEYS + other, observed=True)["value"].sum().rename("parts").reset_index()
    return added.assign(**{dim: ""}).merge(rows, on=KEYS + list(DIMENSIONS), how="left")


def test_every_breakdown_has_its_total_rows(table):
    """For every row and every dimension it is broken down by, the row with that dimension
    empty exists (so, one dimension after another, every total of every set of dimensions)."""
    checked = 0
    for dim in DIMENSIONS:
        for part in _partitions(dim):
            merged = _parts_and_totals(table, dim, part)
            missing = merged[merged["value"].isna()]
            assert missing.empty, f"no total over {dim} for {missing[['metric', *DIMENSIONS]].drop_duplicates()}"
            checked += merged["metric"].nunique()
    assert checked > 20


def test_totals_of_counts_are_the_sums_of_their_parts(table):
    sums = table[~table["metric"].isin(MEAN_METRICS)]
    for dim in DIMENSIONS:
        rows = sums[~sums["metric"].isin([m for m, d in OVERLAPPING.items() if d == dim])]
        for part in _partitions(dim):
            merged = _parts_and_totals(rows, dim, part)
            assert len(merged) > 0
            np.testing.assert_allclose(merged["value"], merged["parts"], rtol=1e-9, atol=1e-6,
                                       err_msg=f"totals over {dim} ({part})")


def test_region_is_the_sum_of_the_municipalities(table):
    sums = table[~table["metric"].isin(MEAN_METRICS | SET_PER_MUNICIPALITY)]
    rows = ["metric", "month", *DIMENSIONS]
    region = sums[sums["municipality"] == "region"].set_index(rows)["value"]
    municipalities = sums[sums["municipality"] != "region"].groupby(rows, observed=True)["value"].sum()
    assert len(region) > 100
    np.testing.assert_allclose(region.sort_index(), municipalities.reindex(region.sort_index().index),
                               rtol=1e-9, atol=1e-6)


def _wide(table, metric, dim, **dims) -> pd.DataFrame:
    """(month, municipality) x values of `dim` ("" for the total), at the given other dimensions."""
    sel = table["metric"] == metric
    for d in DIMENSIONS:
        if d != dim:
            sel &= table[d] == dims.get(d, "")
    return table[sel].pivot_table(index=["month", "municipality"], columns=dim, values="value", observed=True)


def test_totals_of_means_are_weighted_means(table):
    residents = _wide(table, "residents", "group")
    for metric in ("health", "need_share"):
        for domain in ("", "physical", "mental", "social"):
            # over groups: weighted by the residents of each income group (and of each benefit status)
            values = _wide(table, metric, "group", domain=domain)
            for part in _partitions("group"):
                weights = residents[list(part)]
                expected = (values[list(part)] * weights).sum(axis=1) / weights.sum(axis=1)
                np.testing.assert_allclose(values[""], expected, rtol=1e-9)
        for group in ("", *GROUP_NAMES):
            # over domains: every domain is over the same residents
            values = _wide(table, metric, "domain", group=group)
            np.testing.assert_allclose(values[""], values[["physical", "mental", "social"]].mean(axis=1), rtol=1e-6)
    # waiting months over lines: weighted by those waiting in each line
    waiting, months = _wide(table, "waiting", "line"), _wide(table, "waiting_months", "line")
    lines = [c for c in months.columns if c != ""]
    waited = (months[lines] * waiting[lines].fillna(0.0)).sum(axis=1)
    expected = np.where(waiting[lines].sum(axis=1) > 0, waited / waiting[lines].sum(axis=1).where(lambda x: x > 0), 0.0)
    np.testing.assert_allclose(months[""], expected, rtol=1e-9)
    # the region's health: the residents' mean, so the municipalities weighted by their residents
    health = _wide(table, "health", "domain").unstack("municipality")[""]
    people = residents[""].unstack("municipality")
    municipalities = [m for m in health.columns if m != "region"]
    expected = (health[municipalities] * people[municipalities]).sum(axis=1) / people[municipalities].sum(axis=1)
    np.testing.assert_allclose(health["region"], expected, rtol=1e-6)


def test_youth_care_clients_by_group_add_up_to_the_total(table):
    for metric in YOUTH:
        values = _wide(table, metric, "group")
        assert set(GROUP_NAMES) <= set(values.columns), metric
        for part in _partitions("group"):
            np.testing.assert_array_equal(values[list(part)].sum(axis=1), values[""], err_msg=metric)
        per_municipality = values.drop(index="region", level="municipality").groupby(level="month").sum()
        np.testing.assert_array_equal(per_municipality.to_numpy(), values.xs("region", level="municipality")
                                      .loc[per_municipality.index, per_municipality.columns].to_numpy())
        assert sorted(values.index.get_level_values("month").unique()) == [11, 23]  # December only
    jeugdhulp = _wide(table, "jeugdhulp_clients_year", "group")
    assert jeugdhulp.loc[(slice(None), "region"), ""].min() > 0
    assert jeugdhulp.loc[(slice(None), "region"), "income_low"].min() > 0


def test_gp_mental_social_adults_are_adults_counted_once(table):
    december = table[table["month"] % 12 == 11]
    total = select(december, GP).set_index(["month", "municipality"])["value"]
    adults = (select(december, "residents").set_index(["month", "municipality"])["value"]
              - select(december, "children").set_index(["month", "municipality"])["value"])
    mental = select(december, GP, domain="mental").set_index(["month", "municipality"])["value"]
    social = select(december, GP, domain="social").set_index(["month", "municipality"])["value"]
    assert len(total) == len(adults) == len(mental) == len(social) > 0
    assert total.loc[:, "region"].min() > 0 and mental.loc[:, "region"].min() > 0 and social.loc[:, "region"].min() > 0
    assert (total <= adults).all()
    assert (mental <= total).all() and (social <= total).all()
    assert (mental + social >= total).all()
    assert (mental + social > total).any(), "nobody consulted for both: the test would not see double counting"
    assert set(table.loc[table["metric"] == GP, "domain"]) == {"", "mental", "social"}


def test_gp_contact_for_a_mental_or_social_need_marks_adults_only():
    sim = CarelinesModel(config(base=("population.size=2000", "years=1", "seed=2")))
    sim.step()
    res = sim.res
    res.care_this_year[:] = 0
    ids = np.flatnonzero(res.alive)[:400]
    adult = res.age[ids] >= 18
    assert adult.any() and (~adult).any()
    no_cause = np.zeros(len(ids), dtype=bool)
    # minor complaints and physical needs bring residents to the GP without setting the bits
    help_seeking.minor_gp_contacts(sim)
    eerste_lijn.record_gp_contact(sim, ids, PHYSICAL, no_cause)
    assert res.gp_contact_this_year.any()
    assert not (res.care_this_year & (GP_MENTAL_ADULT | GP_SOCIAL_ADULT)).any()
    eerste_lijn.record_gp_contact(sim, ids[:200], MENTAL, no_cause[:200])
    eerste_lijn.record_gp_contact(sim, ids[100:], SOCIAL, no_cause[100:])
    bits = res.care_this_year[ids]
    assert ((bits & GP_MENTAL_ADULT) > 0).tolist() == (adult & (np.arange(len(ids)) < 200)).tolist()
    assert ((bits & GP_SOCIAL_ADULT) > 0).tolist() == (adult & (np.arange(len(ids)) >= 100)).tolist()
    sim.month = 12  # a new year clears them
    sim.new_year()
    assert not res.care_this_year.any()


def test_totals_add_up_one_partition_of_each_dimension():
    """Recorded rows of sums -> their totals: group adds up income or benefit status, never
    both; means and OVERLAPPING metrics are left to record their own totals."""
    n = -1
    row = np.ones((2, 3))
    data = {("x", n, n, n, n, g): row * (g + 1) for g in range(5)}  # income 1 + 2 + 3, benefit 4 + 5
    data.update({("y", ln, n, d, n, n): row for ln in range(3) for d in range(4)})
    data.update({("health", n, n, d, n, n): row for d in range(3)})
    data.update({(GP, n, n, d, n, n): row for d in (MENTAL, SOCIAL)} | {(GP, n, n, n, n, n): row})
    totals = _totals(data)
    assert set(totals) == {("x", n, n, n, n, n), *(("y", ln, n, n, n, n) for ln in range(3)),
                           *(("y", n, n, d, n, n) for d in range(4)), ("y", n, n, n, n, n)}
    assert (totals[("x", n, n, n, n, n)] == 6).all()
    assert (totals[("y", 0, n, n, n, n)] == 4).all() and (totals[("y", n, n, 1, n, n)] == 3).all()
    assert (totals[("y", n, n, n, n, n)] == 12).all()
