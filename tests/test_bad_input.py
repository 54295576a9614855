"""Bad input stops with one line naming the key and what is allowed, a non-zero exit, no
traceback and no output folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import model

REPO = Path(__file__).resolve().parent.parent

CASES = [
    (["population.sizee=10"], "population.sizee", "allowed keys in population are"),
    (["population.size=-5"], "population.size", "allowed is [100"),
    (["health.drift=2"], "health.drift", "allowed is [0.0, 1.0]"),
    (["financing.hospital.rule=gratis"], "financing.hospital.rule", "allowed are per_verrichting, budget, capitation"),
    (["years=ten"], "years", ""),
    (["region=atlantis"], "region", "allowed are"),
    (["nonsense=1"], "nonsense", "allowed keys in the top level are"),
    (["population.age_shares=[0.5,0.5,0.5,0.1,0.1]"], "population.age_shares", "add up to 1"),
    (["policies.financing_switch.gp=free"], "policies.financing_switch.gp", "allowed are"),
]


@pytest.mark.parametrize("overrides,key,allowed", CASES)
def test_load_config_names_key_and_allowed_values(overrides, key, allowed):
    with pytest.raises(model.ConfigError) as err:
        model.load_config("baseline", overrides)
    message = str(err.value)
    assert "\n" not in message
    assert key in message
    assert allowed in message


def test_unknown_scenario_lists_the_scenarios():
    with pytest.raises(model.ConfigError) as err:
        model.load_config("utopia")
    assert "unknown scenario 'utopia'" in str(err.value)
    assert "baseline" in str(err.value)


@pytest.mark.parametrize("args,key", [
    (["population.size=0"], "population.size"),
    (["scenario=utopia"], "scenario"),
    (["populaton.size=100"], "populaton.size"),
    (["--fast"], "--fast"),
])
def test_cli_bad_input_exits_with_one_line_and_no_folder(tmp_path, args, key):
    folder = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "experiments.run", *args, f"hydra.run.dir={folder}"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert key in lines[0]
    assert "Traceback" not in proc.stderr
    assert not folder.exists()
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("value", ["two", "0", "999"])
def test_bad_thread_count_exits_with_one_line(tmp_path, value):
    folder = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "experiments.run", "population.size=500", "years=1",
                           f"hydra.run.dir={folder}"], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "CARELINES_THREADS": value})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "CARELINES_THREADS" in lines[0] and "from 1 to" in lines[0], proc.stderr
    assert not folder.exists()


def test_sweep_with_one_bad_value_runs_nothing(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.run", "--multirun", "population.size=500,-1",
                           "years=1", f"hydra.sweep.dir={tmp_path / 'sweep'}"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    assert "population.size" in proc.stderr
    assert not (tmp_path / "sweep").exists()


# ---------------------------------------------------------------------------------------------
# Every way input enters, in one table: command-line overrides and options of each command, a
# config file, a registry or free-parameter file, an output folder. Each case goes through the
# function the command line calls (its `main`) and must stop with exit status 2 and one line
# `error: '<key>' ... allowed ...`, without a traceback and without writing an output folder.

import dataclasses  # noqa: E402

from experiments import calibrate, compare, cpb_wijkteam, explore, run, sensitivity  # noqa: E402

FILES = {
    "malformed.yaml": "seed: 1\npopulation: {size: 2000\nyears: [1\n",
    "target.yaml": "seed: 1\npopulation:\n  _target_: os.system\n",
    "env.yaml": "seed: 1\nregion:\n  name: ${oc.env:HOME}\n",
    "unknown.yaml": "seed: 1\npopulaton: {size: 2000}\n",
    "list.yaml": "years: [1, 2]\n",
    "nan.yaml": "health: {drift: .nan}\n",
    "scalar.yaml": "just a sentence\n",
    "python.yaml": "seed: !!python/object/apply:os.system ['true']\n",
    "registry_malformed.yaml": "health.drift: {kind: uncertainty, range: [0, 0.5\n",
    "registry_outside.yaml": "health.drift:\n  kind: uncertainty\n  range: [0.0, 5.0]\n  label: {en: d, nl: d}\n",
    "free_outside.yaml": "health.drift: [0.5, 3.0]\n",
    "free_malformed.yaml": "health.drift: [0.1, 0.2\n",
    "free_nan.yaml": "health.drift: [.nan, 0.2]\n",
}
SMALL_RUN = ["population.size=2000", "years=1"]

# (command, arguments, key named in the message, what the message says is allowed)
BAD = [
    # wrong type
    (run, ["population.size=ten"], "population.size", "whole number in [100, 20000000]"),
    (run, ["years=2.5"], "years", "whole number in [1, 100]"),
    (run, ["policies.preventiefonds.enabled=maybe"], "policies.preventiefonds.enabled", "allowed are true, false"),
    (run, ["health.coupling=abc"], "health.coupling", "allowed"),
    # out of range
    (run, ["population.size=50"], "population.size", "allowed is [100, 20000000]"),
    (run, ["years=0"], "years", "allowed is [1, 100]"),
    (run, ["years=101"], "years", "allowed is [1, 100]"),
    (run, ["seed=-1"], "seed", "allowed is [0, 2147483647]"),
    (run, ["gatekeeper.step_down=1.5"], "gatekeeper.step_down", "allowed is [0.0, 1.0]"),
    (run, ["start_year=1800"], "start_year", "allowed is [1990, 2100]"),
    # NaN and infinity
    (run, ["health.drift=nan"], "health.drift", "not a finite number; allowed is [0.0, 1.0]"),
    (run, ["health.drift=inf"], "health.drift", "not a finite number"),
    (run, ["services.gp.tariff=-inf"], "services.gp.tariff", "not a finite number"),
    (run, ["population.age_shares=[0.2,0.2,nan,0.2,0.2]"], "population.age_shares", "not a finite number"),
    # shares that do not add up
    (run, ["population.age_shares=[0.3,0.3,0.3,0.3,0.3]"], "population.age_shares", "add up to 1"),
    (run, ["policies.preventiefonds.shares=[0.5,0.5,0.5]"], "policies.preventiefonds.shares", "add up to 1"),
    (run, ["population.low_income_share=0.7", "population.high_income_share=0.6"], "population.low_income_share",
     "at most 1"),
    (run, ["social_work.casework_share=0.9", "social_work.group_work_share=0.9"], "social_work", "at most 1"),
    # unknown key, scenario, region, financing rule, lever
    (run, ["populaton.size=2000"], "populaton.size", "allowed keys in the top level"),
    (run, ["health.drfit=0.1"], "health.drfit", "allowed keys in health"),
    (run, ["scenario=utopia"], "scenario", "allowed are"),
    (run, ["scenario=[preventiefonds,utopia]"], "scenario", "allowed are"),
    (run, ["region=atlantis"], "region", "allowed are"),
    (run, ["financing.gp.rule=free"], "financing.gp.rule", "allowed are per_verrichting"),
    (run, ["policies.financing_switch.hospital=gratis"], "policies.financing_switch.hospital", "allowed are"),
    (run, ["policies.magic.enabled=true"], "policies.magic.enabled", "allowed keys in policies"),
    # a lever starting after the horizon
    (run, ["years=2", "policies.voorzorg.enabled=true", "policies.voorzorg.start_month=24"],
     "policies.voorzorg.start_month", "after the horizon"),
    (run, ["years=1", "policies.preventiefonds.enabled=true", "policies.preventiefonds.start_month=12"],
     "policies.preventiefonds.start_month", "allowed is [0, 11]"),
    (run, ["years=1", "policies.financing_switch.enabled=true", "policies.financing_switch.start_month=600"],
     "policies.financing_switch.start_month", "allowed is [0, 11]"),
    # an empty region, a municipality without residents
    (run, ["region.municipalities=[]"], "region", "region.generated_count > 0"),
    (run, ["region.municipalities.2.population_share=0"], "region.municipalities.2.population_share",
     "without residents; allowed is a share in (0, 1]"),
    (run, ["population.size=100", "region.municipalities.5.population_share=0.001"],
     "region.municipalities.5.population_share", "at least one resident"),
    # zero or negative capacity, negative budget or tariff, a fund with no contributors
    (run, ["services.hospital.capacity_per_1000=0"], "services.hospital.capacity_per_1000", "allowed is a number in (0"),
    (run, ["services.wijkteam.capacity_per_1000=-5"], "services.wijkteam.capacity_per_1000", "allowed is [0.0, 1000.0]"),
    (run, ["financing.wijkteam.budget_per_resident=-10"], "financing.wijkteam.budget_per_resident", "allowed is [0.0"),
    (run, ["financing.gp.capitation_per_resident=-1"], "financing.gp.capitation_per_resident", "allowed is [0.0"),
    (run, ["services.gp.tariff=-1"], "services.gp.tariff", "allowed is [0.0, 20000.0]"),
    (run, ["policies.preventiefonds.shares=[0,0,0]"], "policies.preventiefonds.shares", "no contributors"),
    (run, ["policies.preventiefonds.contribution_per_resident=-20"],
     "policies.preventiefonds.contribution_per_resident", "allowed is [0.0, 1000.0]"),
    # a list where a number belongs, and the other way round
    (run, ["population.size=[1,2]"], "population.size", "whole number"),
    (run, ["health.drift=[0.1]"], "health.drift", "allowed is a number in [0.0, 1.0]"),
    (run, ["population.age_shares=0.5"], "population.age_shares", "allowed is a list of numbers"),
    (run, ["health.shock_rate=[0.1,0.1]"], "health.shock_rate", "needs 3 values"),
    # overrides that would do more than set a value
    (run, ["seed=${oc.env:HOME}"], "seed", "interpolations"),
    (run, ["region.name=${oc.env:PATH}"], "region.name", "interpolations"),
    (run, ["_target_=os.system"], "_target_", "keys starting with '_'"),
    (run, ["+health.extra=1"], "+health.extra=1", "only plain key=value overrides are allowed"),
    (run, ["~health.drift"], "~health.drift", "only plain key=value overrides are allowed"),
    (run, ["hydra.callbacks.x.cls=os.system"], "hydra.callbacks", "not allowed"),
    (run, ["hydra/launcher=joblib", "hydra.launcher._target_=os.system"], "hydra.launcher._target_",
     "keys starting with '_'"),
    (run, ["--config-dir", "/tmp", "seed=1"], "--config-dir", "allowed are --multirun"),
    (run, ["hydra/launcher=joblib", "--config-dir", "/tmp"], "--config-dir", "not allowed"),
    (run, ["--experimental-rerun", "/tmp/config.pickle"], "--experimental-rerun", "allowed are --multirun"),
    (run, ["hydra/launcher=joblib", "--experimental-rerun", "/tmp/config.pickle"], "--experimental-rerun",
     "not allowed"),
    (run, ["hydra.searchpath=[file:///tmp]", "hydra/launcher=joblib"], "hydra.searchpath", "not allowed"),
    # the command line itself
    (run, ["seed=1,2"], "seed", "sweeps need --multirun"),
    (run, ["executor=processes"], "executor", "allowed only with --multirun"),
    (run, ["--fast"], "--fast", "allowed are --multirun"),
    # a config file passed in
    (run, ["--config-file", "{inputs}/malformed.yaml"], "--config-file", "not valid YAML at line"),
    (run, ["--config-file", "{inputs}/target.yaml"], "population._target_", "keys starting with '_'"),
    (run, ["--config-file", "{inputs}/env.yaml"], "region.name", "interpolations"),
    (run, ["--config-file", "{inputs}/unknown.yaml"], "populaton", "allowed keys in the top level"),
    (run, ["--config-file", "{inputs}/list.yaml"], "years", "whole number in [1, 100]"),
    (run, ["--config-file", "{inputs}/nan.yaml"], "health.drift", "not a finite number"),
    (run, ["--config-file", "{inputs}/scalar.yaml"], "--config-file", "must map parameter names"),
    (run, ["--config-file", "{inputs}/python.yaml"], "--config-file", "not valid YAML"),
    (run, ["--config-file", "{inputs}/missing.yaml"], "--config-file", "no such file"),
    (run, ["--config-file", "{inputs}/list.yaml", "seed=2"], "--config-file", "allowed beside it is only"),
    # an output folder that exists and holds something else
    (run, [*SMALL_RUN, "hydra.run.dir={inputs}"], "hydra.run.dir", "allowed is a new or empty folder"),
    (sensitivity, ["parameters=[health.dose_response]", "hydra.run.dir={inputs}"], "hydra.run.dir",
     "allowed is a new or empty folder"),
    (cpb_wijkteam, ["replications=2", "hydra.run.dir={inputs}"], "hydra.run.dir", "allowed is a new or empty folder"),
    (compare, [*SMALL_RUN, "hydra.run.dir={inputs}"], "hydra.run.dir", "allowed is a new folder"),
    # comparisons
    (compare, ["scenarios=[preventiefonds,preventiefonds]"], "scenarios", "named twice"),
    (compare, ["scenarios=[preventiefonds,utopia]"], "scenarios", "allowed are"),
    (compare, ["replications=1"], "replications", "allowed is a whole number in [2, 10000]"),
    (compare, ["lang=fr"], "lang", "allowed are en, nl"),
    (compare, ["scenarios=[preventiefonds]", "health.drift=2"], "health.drift", "allowed is [0.0, 1.0]"),
    # registry-driven studies and the calibration's free parameters
    (sensitivity, ["registry={inputs}/registry_malformed.yaml"], "registry", "not valid YAML"),
    (sensitivity, ["registry={inputs}/registry_outside.yaml"], "health.drift", "allowed"),
    (sensitivity, ["parameters=[health.not_there]"], "parameters", "allowed are"),
    (sensitivity, ["method=sobel"], "method", "allowed are morris, sobol"),
    (sensitivity, ["method=sobol", "samples=3", "parameters=[health.dose_response,gatekeeper.step_down]"], "samples",
     "allowed is a power of 2"),
    (sensitivity, ["parameters=[health.dose_response,health.dose_response]"], "parameters", "named twice"),
    (explore, ["policies=[baseline,preventiefonds,preventiefonds]"], "policies", "named twice"),
    (explore, ["recovered=-1"], "recovered", "allowed is a number in [0.0, 100.0]"),
    (explore, ["parameters=[policies.schuldhulp.level]"], "parameters", "allowed are the registry's uncertainties"),
    (calibrate, ["free={inputs}/free_outside.yaml"], "health.drift", "allowed is [0.0, 1.0]"),
    (calibrate, ["free={inputs}/free_malformed.yaml"], "free", "not valid YAML"),
    (calibrate, ["free={inputs}/free_nan.yaml"], "health.drift", "give [low, high]"),
    (calibrate, ["maxiter=-1"], "maxiter", ">= 0"),
    (cpb_wijkteam, ["replications=0"], "replications", "whole number of at least 1"),
]


def _case_id(case) -> str:
    command, args, key, _ = case
    return f"{command.__name__.split('.')[-1]}:{' '.join(args)}"[:80]


@pytest.mark.parametrize("case", BAD, ids=[_case_id(c) for c in BAD])
def test_every_bad_input_is_refused_in_one_line(tmp_path, capsys, case):
    command, args, key, allowed = case
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name, text in FILES.items():
        (inputs / name).write_text(text)
    args = [a.replace("{inputs}", str(inputs)) for a in args]
    out = tmp_path / "out"
    if not any(a.startswith("hydra.run.dir=") for a in args) and args[:1] != ["--experimental-rerun"]:
        args.append(f"hydra.run.dir={out}")
    before = sorted(p.name for p in inputs.iterdir())
    with pytest.raises(SystemExit) as stop:
        command.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert f"'{key}" in lines[0] or key in lines[0], err
    assert allowed in lines[0], err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs"]  # no output folder
    assert sorted(p.name for p in inputs.iterdir()) == before       # nothing written beside the inputs


def test_the_table_has_at_least_fifty_distinct_cases():
    assert len({(c[0].__name__, tuple(c[1])) for c in BAD}) >= 50


def test_a_run_too_large_for_this_machine_is_refused_with_the_figure(monkeypatch, capsys, tmp_path):
    from model import config as config_module
    monkeypatch.setattr(config_module, "memory_available", lambda: 2 * 2**30)
    with pytest.raises(model.ConfigError) as err:
        model.load_config("baseline", ["population.size=5000000", "years=100"])
    message = str(err.value)
    assert "'population.size' x 'years'" in message and "GiB" in message and "at most" in message
    assert "\n" not in message
    with pytest.raises(SystemExit):
        run.main(["population.size=20000000", "years=50", f"hydra.run.dir={tmp_path / 'out'}"])
    line, = capsys.readouterr().err.strip().splitlines()
    assert "need about" in line and "this machine has 2.0 GiB" in line
    assert not (tmp_path / "out").exists()
    # the estimate holds the measured peak of the whole Netherlands (3.7 GiB for 10 years)
    monkeypatch.undo()
    small = model.load_config("baseline", SMALL_RUN)
    netherlands = dataclasses.replace(small, years=10, population=dataclasses.replace(small.population,
                                                                                      size=17_811_291))
    assert config_module.memory_needed(netherlands) >= 3.7 * 2**30


@pytest.mark.parametrize("values,key", [
    ({"years": 2.5}, "years"),
    ({"policies.preventiefonds.enabled": "yes"}, "policies.preventiefonds.enabled"),
    ({"health.drift": float("nan")}, "health.drift"),
    ({"health.drift": float("inf")}, "health.drift"),
    ({"population.size": [1, 2]}, "population.size"),
    ({"health.dirft": 0.1}, "health.dirft"),
    ({"health.shock_rate.7": 0.1}, "health.shock_rate.7"),
    ({"services.gp.capacity_per_1000": 0.0}, "services.gp.capacity_per_1000"),
])
def test_set_values_refuses_what_load_config_refuses(values, key):
    from model.config import set_values
    base = model.load_config("baseline", SMALL_RUN)
    with pytest.raises(model.ConfigError) as err:
        set_values(base, values)
    assert key in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("args,key", [
    (["seed=${oc.env:HOME}"], "seed"),
    (["--config-file", "malformed.yaml"], "--config-file"),
])
def test_cli_refuses_code_and_malformed_files_with_exit_status_2(tmp_path, args, key):
    (tmp_path / "malformed.yaml").write_text(FILES["malformed.yaml"])
    args = [str(tmp_path / a) if a.endswith(".yaml") else a for a in args]
    folder = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "experiments.run", *args, f"hydra.run.dir={folder}"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    line, = proc.stderr.strip().splitlines()
    assert key in line and "allowed" in line and "Traceback" not in proc.stderr
    assert not folder.exists()


def test_compare_refuses_a_duplicate_scenario_with_exit_status_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.compare", "scenarios=[schuldhulp,schuldhulp]",
                           f"hydra.run.dir={tmp_path / 'cmp'}"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 2
    line, = proc.stderr.strip().splitlines()
    assert "'scenarios': 'schuldhulp' is named twice" in line
    assert not list(tmp_path.iterdir())
