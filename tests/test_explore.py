"""Scenario discovery with the EMA Workbench (research.ema, experiments.explore)."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments import explore
from research import Serial, ema, registry

TINY = ["scenarios=6", "population.size=2000", "years=2", "executor=serial", "seed=1"]


def test_adapter_builds_uncertainties_and_levers_from_the_registry():
    entries = registry.load()
    mdl = ema.build_model(["population.size=2000", "years=2"])
    for kind, params in (("uncertainty", mdl.uncertainties), ("lever", mdl.levers)):
        wanted = [e for e in entries if e.kind == kind]
        assert [p.variable_name[0] for p in params] == [e.path for e in wanted]
        for p, e in zip(params, wanted):
            assert p.name.isidentifier() and ema.path_of(p.name) == e.path
            assert (p.lower_bound, p.upper_bound) == (e.low, e.high), e.path
    assert [o.name for o in mdl.outcomes] == list(ema.OUTCOMES)
    assert {"fund_cost", "avoided_care_cost", "net_benefit", "pays_for_itself", "crises"} <= set(ema.OUTCOMES)
    # a Latin hypercube over the uncertainties, inside their ranges; the same seed, the same sample
    a, b = ema.sample_scenarios(mdl, 5, seed=3), ema.sample_scenarios(mdl, 5, seed=3)
    assert (a.samples == b.samples).all() and a.samples.shape == (5, len(mdl.uncertainties))
    for j, p in enumerate(mdl.uncertainties):
        assert (p.lower_bound <= a.samples[:, j]).all() and (a.samples[:, j] <= p.upper_bound).all()


def test_net_result_against_the_same_seed_baseline():
    policy = {"care_cost": 900.0, "fund_contributions": 80.0}
    baseline = {"care_cost": 1000.0, "fund_contributions": 0.0}
    got = ema.net_result(policy, baseline, is_baseline=False)
    assert got == {"care_cost": 900.0, "fund_cost": 80.0, "avoided_care_cost": 100.0, "net_benefit": 20.0,
                   "pays_for_itself": 1}
    assert ema.net_result(baseline, baseline, is_baseline=True)["pays_for_itself"] == 0


def test_tiny_explore_writes_runs_boxes_and_figures_and_resumes(tmp_path, capsys):
    folder = tmp_path / "explore"
    argv = [*TINY, f"hydra.run.dir={folder}"]
    explore.main(argv)
    err = capsys.readouterr().err
    assert "12 runs done, 0 already finished" in err
    runs = pd.read_csv(folder / "experiments.csv")
    assert len(runs) == 12  # 6 scenarios x (baseline, preventiefonds)
    assert set(runs["policy"]) == {"baseline", "preventiefonds"}
    uncertain = [e.path for e in registry.load() if e.kind == "uncertainty"]
    assert {*uncertain, *ema.OUTCOMES, "scenario", "of_interest"} <= set(runs.columns)
    # common random numbers: each scenario has the same uncertain values under both policies
    assert (runs.groupby("scenario")[uncertain].nunique() == 1).all().all()
    base = runs[runs["policy"] == "baseline"]
    assert (base["fund_cost"] == 0).all() and (base["avoided_care_cost"] == 0).all()
    fund = runs[runs["policy"] == "preventiefonds"]
    assert (fund["fund_cost"] > 0).all()
    assert (fund["net_benefit"] == fund["avoided_care_cost"] - fund["fund_cost"]).all()
    assert (fund["pays_for_itself"] == (fund["avoided_care_cost"] >= fund["fund_cost"]).astype(int)).all()
    boxes = pd.read_csv(folder / "prim_boxes.csv")
    assert list(boxes.columns) == explore.BOX_COLUMNS
    for name in ("tradeoffs.png", "prim_tradeoff.png"):
        assert (folder / name).stat().st_size > 1000

    # the same folder: no new runs; a lower bar for the case of interest changes only the analysis
    explore.main([*argv, "recovered=0.0"])
    captured = capsys.readouterr()
    assert "0 runs done, 12 already finished" in captured.err
    again = pd.read_csv(folder / "experiments.csv")
    assert (again["of_interest"] == (again["policy"] != "baseline").astype(int)
            * (again["avoided_care_cost"] >= 0).astype(int)).all()
    boxes = pd.read_csv(folder / "prim_boxes.csv")
    assert list(boxes.columns) == explore.BOX_COLUMNS
    assert boxes[["coverage", "density", "mass"]].apply(lambda c: c.between(0, 1)).all().all()


def test_perform_returns_what_ema_analysis_reads(tmp_path):
    mdl = ema.build_model(["population.size=2000", "years=2"], registry.select(registry.load(),
                                                                               ["health.shock_rate.1"]))
    experiments, outcomes, outcome = ema.perform(mdl, ema.sample_scenarios(mdl, 2, seed=1),
                                                 ema.policies(["baseline", "preventiefonds"]), Serial(),
                                                 tmp_path / "jobs")
    assert outcome.ok and len(outcome.done) == 4  # the baseline policy is the comparison run itself
    assert list(experiments.columns) == ["health__shock_rate__1", "scenario", "policy", "model"]
    assert set(outcomes) == set(ema.OUTCOMES) and all(len(v) == 4 for v in outcomes.values())


@pytest.mark.parametrize("args, words", [
    (["scenarios=1"], "'scenarios': 1 is not allowed; allowed is a whole number >= 2"),
    (["policies=[baseline,nowhere]"], "'policies': 'nowhere' is not allowed; allowed are scenario files"),
    (["policies=[baseline]"], "'policies': give at least one policy besides baseline"),
    (["recovered=lots"], "'recovered': lots is not allowed; allowed is a number in [0.0, 100.0]"),
    (["threshold=2"], "'threshold': 2 is not allowed; allowed is a number in [0.0, 1.0]"),
    (["parameters=[policies.schuldhulp.level]"], "'parameters': 'policies.schuldhulp.level' is a lever"),
    (["parameters=[health.nothing]"], "'parameters': 'health.nothing' is not in the registry"),
    (["executor=cloud"], "'executor': 'cloud' is not allowed"),
    (["scenario=preventiefonds"], "'scenario': experiments.explore runs scenario files as policies"),
    (["population.size=-5"], "population.size"),
])
def test_bad_options_are_refused_in_one_line(tmp_path, capsys, args, words):
    with pytest.raises(SystemExit) as exc:
        explore.main([*TINY, *args, f"hydra.run.dir={tmp_path / 'never'}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and words in err, err
    assert not (tmp_path / "never").exists()
