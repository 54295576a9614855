"""Regression check: a fixed-seed run must reproduce the committed reference figures.

Speed work must not change results. `tests/data/regression_reference.json` holds the summary
and the region total of every metric over the run for a small baseline run and for a run with
every lever on. A change in results, such as a different use of the random streams, shows
here. Where a change is intended, rewrite the
reference deliberately and say why in the commit:

    python -m tests.test_regression --write
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

import model
from tests.conftest import config

REFERENCE = Path(__file__).resolve().parent / "data" / "regression_reference.json"
BASE = ("population.size=5000", "years=3", "seed=11")
LEVERS = tuple(f"policies.{lever}.enabled=true" for lever in (
    "wijkteam_light_help", "wijkteam_coverage", "poh_jeugd", "poh_ggz", "welzijn_op_recept",
    "social_basis_investment", "broad_gatekeeper", "schuldhulp", "voorzorg", "preventiefonds", "ontschotting"))
RUNS = {"baseline": (), "all_levers": LEVERS}
# summation order may change in float64 sums; anything beyond that is a change in results
REL_TOL = 1e-9


def figures(overrides: tuple) -> dict:
    """The summary and, per metric and dimension, the region total over all months."""
    results = model.run(config(*overrides, base=BASE))
    ts = results.timeseries
    region = ts[ts["municipality"] == "region"]
    dims = ["metric", "line", "to_line", "domain", "financier", "group"]
    totals = region.groupby(dims, observed=True)["value"].sum()
    return {"summary": results.summary,
            "region_totals": {"/".join(str(k) for k in key): float(v) for key, v in totals.items()},
            "ledger_rows": int(len(results.ledger)),
            "ledger_total": float(results.ledger["amount"].sum())}


def _compare(expected, actual, path=""):
    """Paths where `actual` differs from `expected` beyond REL_TOL."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(expected) != set(actual):
            return [f"{path}: keys differ"]
        return [p for k in expected for p in _compare(expected[k], actual[k], f"{path}/{k}")]
    if isinstance(expected, float) or isinstance(actual, float):
        if expected is None or actual is None:
            return [] if expected is actual else [f"{path}: {expected} != {actual}"]
        if math.isnan(expected) and math.isnan(actual):
            return []
        return [] if math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=1e-12) else \
            [f"{path}: {expected!r} != {actual!r}"]
    return [] if expected == actual else [f"{path}: {expected!r} != {actual!r}"]


@pytest.mark.parametrize("name", list(RUNS))
def test_results_match_the_reference(name):
    reference = json.loads(REFERENCE.read_text())[name]
    differences = _compare(reference, json.loads(json.dumps(figures(RUNS[name]))))
    assert not differences, f"{len(differences)} figures changed, first: {differences[:10]}"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_regression --write")
    REFERENCE.write_text(json.dumps({name: figures(o) for name, o in RUNS.items()}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {REFERENCE}")
