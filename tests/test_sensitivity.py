"""The parameter registry and the global sensitivity study (experiments.sensitivity)."""

from __future__ import annotations

import pandas as pd
import pytest

import model
from experiments import sensitivity
from model.config import ConfigError, get_value, schema_field, set_values
from research import registry

INERT = "evaluation.discount_rate_costs"  # read only by the scenario comparison, never by a model rule
STRONG = "health.shock_rate.1"
TINY = ["population.size=2000", "years=1", "executor=serial", "samples=2"]
ENTRY = "  kind: uncertainty\n  range: [{low}, {high}]\n  label: {{en: A, nl: B}}\n"


def write_registry(tmp_path, entries: dict[str, str]):
    path = tmp_path / "registry.yaml"
    path.write_text("".join(f"{name}:\n{body}" for name, body in entries.items()))
    return path


def test_installed_registry_validates_and_gives_its_ranges_as_salib_bounds():
    entries = registry.load()
    assert 15 <= len(entries) <= 40  # 20 uncertainties and 9 levers today
    assert {e.kind for e in entries} == {"uncertainty", "lever"}
    problem = registry.problem(entries)
    assert problem["num_vars"] == len(entries)
    assert problem["names"] == [e.path for e in entries]
    assert problem["bounds"] == [[e.low, e.high] for e in entries]
    assert "dists" not in problem  # all uniform
    installed = model.load_config("baseline", [])
    for e in entries:
        low, high = schema_field(e.path).metadata["range"]
        assert low <= e.low < e.high <= high, e.path
        assert e.value == get_value(installed, e.path)  # read from the installed configs, not copied
        assert e.text("en") and e.text("nl") and e.unit and e.source
    # a calibrated value is the one runs use, with the schema default beside it
    shock = next(e for e in entries if e.path == "health.shock_rate.1")
    assert shock.value == installed.health.shock_rate[1] and shock.default == 0.008
    # varying a lever switches it on
    lever = next(e for e in entries if e.path == "policies.schuldhulp.level")
    assert registry.values([lever], [2.5]) == {"policies.schuldhulp.level": 2.5, "policies.schuldhulp.enabled": True}


@pytest.mark.parametrize("name, body, words", [
    ("health.no_such_thing", ENTRY.format(low=0, high=1), "no such parameter"),
    ("health.demand_trend", ENTRY.format(low=0.0, high=0.5), "outside the allowed [-0.1, 0.2]"),
    ("health.demand_trend", ENTRY.format(low=0.1, high=0.05), "low must be below high"),
    ("health.demand_trend", "  kind: hunch\n  range: [0, 0.1]\n  label: {en: A, nl: B}\n", "kind 'hunch'"),
    ("health.demand_trend", "  kind: uncertainty\n  range: [0, 0.1]\n  label: {en: A}\n", "label"),
    ("health.shock_rate.5", ENTRY.format(low=0, high=0.1), "no element 5"),
    ("financing.budget_basis", ENTRY.format(low=0, high=1), "not a numeric parameter"),
])
def test_bad_registry_entry_is_refused_naming_it(tmp_path, name, body, words):
    path = write_registry(tmp_path, {"gatekeeper.step_down": ENTRY.format(low=0.1, high=0.5), name: body})
    with pytest.raises(registry.RegistryError) as exc:
        registry.load(path)
    message = str(exc.value)
    assert "\n" not in message and f"'{name}'" in message and words in message


def test_one_way_to_get_and_set_by_dotted_name():
    base = model.load_config("baseline", ["population.size=2000"])
    new = set_values(base, {"health.shock_rate.1": 0.02, "gatekeeper.relapse_window": 6.0})
    assert get_value(new, "health.shock_rate.1") == 0.02 and new.gatekeeper.relapse_window == 6
    assert isinstance(new.gatekeeper.relapse_window, int)
    assert base.health.shock_rate[1] != 0.02  # a copy; the original is untouched
    with pytest.raises(ConfigError, match="out of range"):
        set_values(base, {"health.demand_trend": 5.0})


def test_tiny_morris_study_finds_the_strong_and_the_inert_parameter_and_resumes(tmp_path, capsys):
    path = write_registry(tmp_path, {"health.demand_trend": ENTRY.format(low=0.0, high=0.1),
                                     STRONG: ENTRY.format(low=0.005, high=0.05),
                                     INERT: ENTRY.format(low=0.0, high=0.1)})
    folder = tmp_path / "study"
    argv = [*TINY, f"registry={path}", "outputs=[crises,cost_insurer,health_gap]", f"hydra.run.dir={folder}"]
    sensitivity.main(argv)
    err = capsys.readouterr().err
    assert "8 runs done, 0 already finished" in err  # 2 trajectories x (3 parameters + 1)
    table = pd.read_csv(folder / "indices.csv")
    assert list(table.columns[:6]) == ["method", "output", "parameter", "mu_star", "mu_star_conf", "sigma"]
    assert set(table["output"]) == {"crises", "cost_insurer", "health_gap"} and set(table["method"]) == {"morris"}
    index = table.set_index(["output", "parameter"])["mu_star"]
    for output in ("crises", "cost_insurer", "health_gap"):
        assert index[(output, INERT)] == 0.0  # same seed, a value no model rule reads: identical runs
        assert index[(output, STRONG)] > 0
    by_year = pd.read_csv(folder / "indices_by_year.csv")
    assert list(by_year.columns[:4]) == ["year", "method", "output", "parameter"] and set(by_year["year"]) == {2025}
    for name in ("indices.png", "indices_over_time.png", "samples.csv", "parameters.csv"):
        assert (folder / name).is_file()
    # the same command again: every run is found in jobs/, none is run again, same indices
    sensitivity.main(argv)
    assert "0 runs done, 8 already finished" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv(folder / "indices.csv"), table)


@pytest.mark.parametrize("args, words", [
    (["method=fast"], "'method': 'fast' is not allowed; allowed are morris, sobol"),
    (["outputs=[crises,happiness]"], "'outputs': 'happiness' is not allowed; allowed are cost_municipality"),
    (["parameters=[health.demand_trend,health.nope]"], "'parameters': 'health.nope' is not in the registry"),
    (["samples=0"], "'samples': 0 is not allowed; allowed is a whole number >= 1"),
    (["samples=1"], "'samples': 1 is not allowed for method=morris"),
    (["method=sobol", "samples=12"], "'samples': 12 is not allowed for method=sobol; allowed is a power of 2"),
    (["levels=3"], "'levels': 3 is not allowed"),
    (["executor=cloud"], "'executor': 'cloud' is not allowed"),
    (["population.size=5"], "'population.size': 5 is out of range"),
])
def test_bad_options_are_refused_in_one_line(tmp_path, capsys, args, words):
    with pytest.raises(SystemExit) as exc:
        sensitivity.main([*args, f"hydra.run.dir={tmp_path / 'never'}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and words in err and "\n" not in err
    assert not (tmp_path / "never").exists()
