"""Every named scenario loads, runs ten years without breaking an invariant, and the risk
scenarios do what their mechanisms imply. Runs are at reduced size and spread over the
machine's cores (one module-level batch), so the whole file stays fast."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import model
from experiments.scenarios import describe, parse_scenarios
from model.config import available
from model.engine.simulation import CarelinesModel
from tests.test_invariants import check_state

SIZE = ("population.size=3000", "years=10")
SCENARIOS = available("scenario")
REQUIRED = ("baseline", "sociale_basis", "wijkteam_licht", "welzijn_op_recept", "poh_jeugd", "brede_poortwachter",
            "preventiefonds", "budgetfinanciering", "ontschotting", "schuldhulp", "voorzorg",
            "sociaal_werk_personeel", "bezuiniging_sociale_basis", "substitutie_zonder_middelen")
RISK = ("bezuiniging_sociale_basis", "substitutie_zonder_middelen")
RISK_SEEDS = (1, 2, 3)


def checked_run(job: tuple[str, int]) -> dict:
    """Step one scenario month by month, checking the state; return the conservation and
    ledger figures and the outcomes of low-income residents."""
    name, seed = job
    sim = CarelinesModel(model.load_config(name, [*SIZE, f"seed={seed}"]))
    start = sim.res.alive_count
    births = deaths = 0
    problem = ""
    while not sim.finished:
        n_before, alive_before = sim.res.n, sim.res.alive_count
        sim.step()
        born = sim.res.n - n_before
        births += born
        deaths += alive_before + born - sim.res.alive_count
        try:
            check_state(sim)
        except AssertionError as exc:
            problem = problem or f"month {sim.month}: {exc}"
    ledger = sim.ledger.arrays()
    recorded = ledger["month"] >= 0
    care = float(ledger["amount"][recorded & (ledger["kind"] == 0)].sum())
    data = sim.outcomes.data
    def region_total(metric, group=-1):  # the row over all lines, domains and financiers
        row = data.get((metric, -1, -1, -1, -1, group))
        return 0.0 if row is None else float(row[:, -1].sum())

    cost = region_total("cost")

    def low_income(metric):
        return region_total(metric, group=0)

    return {"start": start, "births": births, "deaths": deaths, "alive": sim.res.alive_count, "problem": problem,
            "care": care, "cost": cost, "unmet_low": low_income("unmet_need"), "crises_low": low_income("crises")}


@pytest.fixture(scope="module")
def runs() -> dict:
    jobs = [(name, 1) for name in SCENARIOS] + [(name, s) for name in ("baseline", *RISK) for s in RISK_SEEDS[1:]]
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
        return dict(zip(jobs, pool.map(checked_run, jobs)))


def test_the_required_scenarios_exist_with_titles_and_a_description():
    assert set(REQUIRED) <= set(SCENARIOS)
    base = model.load_config("baseline", SIZE)
    for name in SCENARIOS:
        cfg = model.load_config(name, SIZE)
        info = cfg.scenario[name]
        assert info.title_nl and info.title_en and len(info.description.split()) >= 20, name
        if name != "baseline":
            assert describe(cfg, base)["levers"], f"{name} changes no lever"


def test_scenarios_combine_from_the_command_line_syntax():
    combos = parse_scenarios("[preventiefonds,preventiefonds+ontschotting,baseline+schuldhulp,preventiefonds]")
    assert combos == [["baseline"], ["preventiefonds"], ["preventiefonds", "ontschotting"], ["schuldhulp"]]
    cfg = model.load_config(combos[2], SIZE)
    assert cfg.policies.preventiefonds.enabled and cfg.policies.ontschotting.enabled
    assert cfg.scenario_name == "preventiefonds+ontschotting"
    with pytest.raises(ValueError, match="unknown scenario 'utopia'.*allowed are"):
        parse_scenarios("[preventiefonds+utopia]")


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_runs_ten_years_without_breaking_an_invariant(runs, name):
    r = runs[(name, 1)]
    assert r["problem"] == ""
    assert r["alive"] == r["start"] + r["births"] - r["deaths"], "residents not conserved"
    assert r["care"] > 0
    assert r["cost"] == pytest.approx(r["care"], rel=1e-9), "ledger and cost metric disagree"


@pytest.mark.parametrize("name", RISK)
def test_risk_scenarios_raise_unmet_need_or_crises_among_low_income_residents(runs, name):
    """Paired with baseline on the same seeds, summed over seeds and ten years. The model
    gives +3% to +12% unmet need and +15% to +30% crises; asserted: a clear rise in either."""
    unmet = np.array([runs[(name, s)]["unmet_low"] - runs[("baseline", s)]["unmet_low"] for s in RISK_SEEDS])
    crises = np.array([runs[(name, s)]["crises_low"] - runs[("baseline", s)]["crises_low"] for s in RISK_SEEDS])
    base_unmet = sum(runs[("baseline", s)]["unmet_low"] for s in RISK_SEEDS)
    base_crises = sum(runs[("baseline", s)]["crises_low"] for s in RISK_SEEDS)
    assert unmet.sum() > 0.01 * base_unmet or crises.sum() > 0.05 * base_crises, (unmet, crises)
