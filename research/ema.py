"""carelines as an EMA Workbench model, run through the one executor.

The EMA Workbench (`ema_workbench`) is the standard for exploratory modelling and scenario
discovery. This adapter gives it the model's uncertainties and levers from the parameter
registry (configs/registry.yaml) and the outcomes of `analysis.explore`, while every run stays a
`research.Job` run by `research.run_study`: stored per job, resumable, on any executor
(serial, processes, Dask, SLURM). EMA's own evaluators are not used for the batch; EMA samples
the experiments and analyses the results.

    >>> from research import ema, Serial
    >>> model = ema.build_model(["population.size=2000", "years=2"])
    >>> scenarios = ema.sample_scenarios(model, 6, seed=1)           # Latin hypercube
    >>> policies = ema.policies(["baseline", "preventiefonds"])      # scenario files as policies
    >>> experiments, outcomes = ema.perform(model, scenarios, policies, Serial(), "out/jobs")

`experiments` and `outcomes` have the shapes `ema_workbench.perform_experiments` returns (a
DataFrame with one column per uncertainty, `scenario`, `policy`, `model`; a dict of arrays), so
EMA's analysis (PRIM, CART, feature scoring, pairs plots) reads them as they are.

Names: EMA wants Python identifiers, so a registry entry `health.shock_rate.1` is the EMA
parameter `health__shock_rate__1`, with the dotted name as its `variable_name` (`name_of`,
`path_of`).

Common random numbers: each scenario (a row of uncertain values) runs once per policy and once
as baseline with the same seed, so the net result of a policy against baseline comes from the
policy alone (`net_result`).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.stats as stats

import model as carelines
from analysis.sensitivity import OUTPUTS
from model.config import schema_type, set_values
from research import registry
from research.executors import Executor, Serial
from research.jobs import Job
from research.study import Outcome, run_study

REDUCER = "analysis.explore:outcomes"
BASELINE = "baseline"
# outcomes: the sensitivity outputs (run means), then the money over the horizon against baseline
MONEY = ("care_cost", "fund_cost", "avoided_care_cost", "net_benefit", "pays_for_itself")
OUTCOMES = (*OUTPUTS, *MONEY)
MONEY_MEANING = {
    "care_cost": "care paid over the horizon by everyone but the preventiefonds (euro)",
    "fund_cost": "contributions into the preventiefonds over the horizon (euro)",
    "avoided_care_cost": "baseline care_cost - this policy's care_cost, same seed and uncertain values (euro)",
    "net_benefit": "avoided_care_cost - fund_cost (euro)",
    "pays_for_itself": "1 when avoided_care_cost >= fund_cost (policies other than baseline), else 0",
}


def _workbench():
    """ema_workbench, imported without its note on optional parallel backends (ipyparallel),
    which this adapter does not use."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import ema_workbench
    return ema_workbench


class AdapterError(ValueError):
    """A bad policy or parameter, in one line naming it and what is allowed."""


def name_of(path: str) -> str:
    """The EMA name (a Python identifier) of a registry entry's dotted name."""
    return path.replace(".", "__")


def path_of(name: str) -> str:
    return name.replace("__", ".")


def parameter(entry: registry.Entry):
    """The EMA parameter of a registry entry: CategoricalParameter for levels, IntegerParameter
    for whole-number parameters, RealParameter otherwise (from a scipy distribution when the
    registry gives a triangular or loguniform one)."""
    ema = _workbench()

    name = name_of(entry.path)
    if entry.levels:
        return ema.CategoricalParameter(name, list(entry.levels), variable_name=entry.path)
    if schema_type(entry.path) is int:
        return ema.IntegerParameter(name, int(entry.low), int(entry.high), variable_name=entry.path)
    if entry.distribution == "triangular":
        width = entry.high - entry.low
        dist = stats.triang((entry.mode - entry.low) / width, loc=entry.low, scale=width)
        return ema.RealParameter.from_dist(name, dist, variable_name=entry.path)
    if entry.distribution == "loguniform":
        return ema.RealParameter.from_dist(name, stats.loguniform(entry.low, entry.high), variable_name=entry.path)
    return ema.RealParameter(name, entry.low, entry.high, variable_name=entry.path)


def scenario_files() -> list[str]:
    """The scenario names a policy can be (configs/scenario/*.yaml)."""
    return sorted(p.stem for p in (Path(registry.DEFAULT_FILE).parent / "scenario").glob("*.yaml"))


def policies(names: Sequence[str], levers: Sequence[dict] = ()) -> list:
    """EMA policies (`Sample`s) named after scenario files; `levers` optionally gives each the
    registry lever values (by EMA name) it sets on top of its scenario."""
    Sample = _workbench().Sample

    known = scenario_files()
    out = []
    for i, name in enumerate(names):
        if name not in known:
            raise AdapterError(f"'policies': '{name}' is not allowed; allowed are scenario files: {', '.join(known)}")
        out.append(Sample(name=name, **(dict(levers[i]) if i < len(levers) else {})))
    return out


class Carelines:
    """The function EMA's `Model` calls for one experiment (uncertain and lever values as
    keyword arguments by EMA name): the policy run (baseline with the levers) and its baseline
    (the uncertain values alone), both through `run_study` with the store in `folder`, so EMA's
    own evaluators also store and resume runs. Batches go through `perform` instead."""

    def __init__(self, overrides: Sequence[str] = (), folder: str | Path | None = None):
        self.overrides = list(overrides)
        self.folder = folder

    def __call__(self, **values) -> dict:
        base = carelines.load_config(BASELINE, self.overrides)
        uncertain = {path_of(k): v for k, v in values.items()}
        levers = {e.path: e for e in registry.load() if e.kind == "lever"}
        switches = {levers[p].switch: True for p in uncertain if p in levers and levers[p].switch}
        plain = {p: v for p, v in uncertain.items() if p not in levers}
        jobs = [Job(set_values(base, plain), base.seed, REDUCER, label=BASELINE),
                Job(set_values(base, {**uncertain, **switches}), base.seed, REDUCER, label="levers")]
        outcome = run_study(jobs, Serial(), self.folder, progress=False)
        if not outcome.ok:
            raise RuntimeError(outcome.report())
        return outcomes_row(outcome.value(jobs[1]), outcome.value(jobs[0]), "levers")


def build_model(overrides: Sequence[str] = (), entries: Sequence[registry.Entry] | None = None,
                folder: str | Path | None = None):
    """carelines as an `ema_workbench.Model`: uncertainties and levers from the registry
    (default: all its entries), ScalarOutcomes `OUTCOMES`; its function is `Carelines`."""
    ema = _workbench()

    entries = list(registry.load() if entries is None else entries)
    model = ema.Model("carelines", function=Carelines(overrides, folder))
    model.uncertainties = [parameter(e) for e in entries if e.kind == "uncertainty"]
    model.levers = [parameter(e) for e in entries if e.kind == "lever"]
    model.outcomes = [ema.ScalarOutcome(name) for name in OUTCOMES]
    model.overrides = list(overrides)
    model.entries = entries
    return model


def sample_scenarios(model, n: int, seed: int):
    """n scenarios over the model's uncertainties, Latin hypercube (EMA's LHSSampler)."""
    _workbench()
    from ema_workbench.em_framework.samplers import LHSSampler

    return LHSSampler().generate_samples(model.uncertainties, n, rng=np.random.default_rng(seed))


def scenario_values(model, scenario) -> dict:
    """The config values (dotted name -> value) of one EMA scenario."""
    return {p.variable_name[0]: (scenario[p.name].item() if hasattr(scenario[p.name], "item") else scenario[p.name])
            for p in model.uncertainties}


def plan(model, scenarios, policies_: Sequence) -> tuple[list[Job], list[tuple[int, str, Job, Job]]]:
    """The jobs (each scenario under each policy, and under baseline for the comparison; a
    baseline policy is that same job) and per experiment (scenario index, policy name, its job,
    its baseline job)."""
    lever_entries = {e.path: e for e in model.entries if e.kind == "lever"}
    bases = {}
    jobs, experiments = [], []
    for s, scenario in enumerate(scenarios):
        values = scenario_values(model, scenario)
        for policy in policies_:
            key = policy.name
            if key not in bases:
                bases[key] = carelines.load_config(key, model.overrides)
            levers = {path_of(k): v for k, v in policy.items()}
            for p in levers:
                if p not in lever_entries:
                    raise AdapterError(f"policy '{key}': '{p}' is not a lever of the registry")
            switches = {lever_entries[p].switch: True for p in levers if lever_entries[p].switch}
            config = set_values(bases[key], {**values, **levers, **switches})
            job = Job(config, config.seed, REDUCER, label=f"scenario {s} {key}")
            if BASELINE not in bases:
                bases[BASELINE] = carelines.load_config(BASELINE, model.overrides)
            base_job = Job(set_values(bases[BASELINE], values), config.seed, REDUCER, label=f"scenario {s} baseline")
            jobs += [job, base_job]
            experiments.append((s, key, job, base_job))
    return jobs, experiments


def net_result(policy: dict, baseline: dict, is_baseline: bool) -> dict:
    """The money outcomes of a policy run against its baseline run (same seed and uncertain values)."""
    avoided = baseline["care_cost"] - policy["care_cost"]
    fund = policy["fund_contributions"]
    return {"care_cost": policy["care_cost"], "fund_cost": fund, "avoided_care_cost": avoided,
            "net_benefit": avoided - fund, "pays_for_itself": int(not is_baseline and avoided >= fund)}


def outcomes_row(policy: dict, baseline: dict, policy_name: str = "", *, policy_is_baseline: bool | None = None) \
        -> dict:
    is_base = policy_name == BASELINE if policy_is_baseline is None else policy_is_baseline
    return {**{k: policy["run"][k] for k in OUTPUTS}, **net_result(policy, baseline, is_base)}


def perform(model, scenarios, policies_: Sequence, executor: Executor | None = None,
            folder: str | Path | None = None, desc: str = "explore") -> tuple[pd.DataFrame, dict, Outcome]:
    """Run every scenario under every policy through `research.run_study` and return what
    `ema_workbench.perform_experiments` would (experiments DataFrame, outcomes dict of arrays),
    and the study's `Outcome` (failed runs are left out of the tables; check `outcome.ok`)."""
    jobs, experiments = plan(model, scenarios, policies_)
    outcome = run_study(jobs, executor or Serial(), folder, desc=desc)
    rows, results = [], {name: [] for name in OUTCOMES}
    scenario_list = list(scenarios)
    for s, name, job, base_job in experiments:
        if job.key not in outcome.done or base_job.key not in outcome.done:
            continue
        scenario = scenario_list[s]
        row = {p.name: scenario[p.name] for p in model.uncertainties}
        rows.append({**row, "scenario": s, "policy": name, "model": model.name})
        for k, v in outcomes_row(outcome.value(job), outcome.value(base_job), name).items():
            results[k].append(v)
    columns = [p.name for p in model.uncertainties] + ["scenario", "policy", "model"]
    frame = pd.DataFrame(rows, columns=columns)
    for p in model.uncertainties:
        if type(p).__name__ == "RealParameter":
            frame[p.name] = frame[p.name].astype(float)
    return frame, {k: np.asarray(v, dtype=float) for k, v in results.items()}, outcome
