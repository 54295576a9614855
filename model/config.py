"""Loading and validating configurations.

Configs are composed by Hydra from the groups under configs/ (region, population, financing,
scenario) on top of the structured schema in `model.parameters`. Every problem with a config
or override becomes a `ConfigError` whose message is one line naming the key and what is
allowed; the command-line entry points print that line and exit with status 2.
"""

from __future__ import annotations

import copy
import dataclasses
import typing

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from model import paths, threads
from model.parameters import Config, MunicipalityConfig, iter_parameters

CONFIG_DIR = paths.config_dir()  # the checkout's configs/, or the copy installed with the package
GROUPS = ("region", "population", "financing", "calibration", "scenario")

ConfigStore.instance().store(name="carelines_schema", node=Config)


class ConfigError(ValueError):
    """A configuration problem, described in one line that names the key."""


def available(group: str) -> list[str]:
    """Names of the configs in a config group (the YAML files under configs/<group>/)."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def parse_overrides(overrides: list[str]):
    """Parse Hydra override strings, turning syntax errors into a ConfigError."""
    try:
        return OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"cannot parse override: {first}") from None


def _schema_child(node_type, name: str):
    """The type of field `name` in a dataclass type, or None if there is no such field."""
    if dataclasses.is_dataclass(node_type):
        hints = typing.get_type_hints(node_type)
        return hints.get(name)
    return None


def _allowed_keys(node_type) -> str:
    return ", ".join(f.name for f in dataclasses.fields(node_type))


def check_key(key: str) -> None:
    """Check that a dotted override key exists in the schema."""
    node = Config
    walked = []
    for part in key.split("."):
        origin = typing.get_origin(node)
        if origin in (dict, typing.Dict):
            return  # free-form mapping (scenario titles, financing switch rules)
        if origin in (list, typing.List):
            if not part.isdigit():
                raise ConfigError(f"'{key}': '{'.'.join(walked)}' is a list; use an index, e.g. "
                                  f"{'.'.join(walked)}.0")
            node = typing.get_args(node)[0] if typing.get_args(node) else typing.Any
            walked.append(part)
            continue
        child = _schema_child(node, part)
        if child is None:
            where = ".".join(walked) or "the top level"
            allowed = _allowed_keys(node) if dataclasses.is_dataclass(node) else "no sub-keys"
            raise ConfigError(f"unknown key '{key}': allowed keys in {where} are: {allowed}")
        node = child
        walked.append(part)


def load_config(scenario: str | list[str] = "baseline", overrides: list[str] | tuple = ()) -> Config:
    """Compose, type-check and range-check a configuration.

    Args:
        scenario: a scenario name from configs/scenario, or a list of names to combine.
        overrides: Hydra override strings such as "population.size=20000" or "region=nederland".

    Returns:
        The validated `Config` dataclass.

    Raises:
        ConfigError: with a one-line message naming the key and what is allowed.
    """
    problem = threads.environment_problem()
    if problem:
        raise ConfigError(problem)
    overrides = [o for o in overrides if not o.startswith("hydra.")]
    parsed = parse_overrides(overrides)
    scenario_names = [scenario] if isinstance(scenario, str) else list(scenario)
    rest = []
    for ov, text in zip(parsed, overrides):
        key = ov.key_or_group
        if ov.is_sweep_override():
            raise ConfigError(f"'{key}' has several values; sweeps need --multirun")
        if key == "scenario":
            value = ov.value()
            scenario_names = list(value) if isinstance(value, list) else [str(value)]
            continue
        if ov.is_add() or ov.is_delete() or ov.is_force_add():
            raise ConfigError(f"'{text}': only plain key=value overrides are allowed")
        if key in GROUPS:
            if str(ov.value()) not in available(key):
                raise ConfigError(f"unknown {key} '{ov.value()}': allowed are {', '.join(available(key))}")
        else:
            check_key(key)
        rest.append(text)
    for name in scenario_names:
        if name not in available("scenario"):
            raise ConfigError(f"unknown scenario '{name}': allowed are {', '.join(available('scenario'))}")
    scenario_override = "scenario=" + (scenario_names[0] if len(scenario_names) == 1
                                       else "[" + ",".join(scenario_names) + "]")
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            composed = compose(config_name="config", overrides=[scenario_override, *rest])
        config = OmegaConf.to_object(composed)
    except (HydraException, OmegaConfBaseException) as exc:
        raise ConfigError(_one_line(exc)) from None
    finally:
        GlobalHydra.instance().clear()
    validate(config)
    return config


def _one_line(exc: BaseException) -> str:
    """The most specific line of a Hydra/OmegaConf error, with the key it concerns."""
    outer = str(exc).strip()
    override_key = None
    if outer.startswith("Error merging override "):
        override_key = outer.split("override ", 1)[1].split("=", 1)[0]
    while exc.__cause__ is not None and isinstance(exc.__cause__, (HydraException, OmegaConfBaseException)):
        exc = exc.__cause__
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    key = getattr(exc, "full_key", None) or next(
        (ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("full_key:")), None)
    head = lines[0] if lines else type(exc).__name__
    key = override_key or key
    return f"'{key}': {head}" if key else head


def validate(config: Config) -> Config:
    """Check every parameter against its declared range or choices; raise ConfigError if not."""
    for name, value, f in iter_parameters(config):
        _check_value(name, value, f.metadata)
    for i, muni in enumerate(config.region.municipalities):
        if not isinstance(muni, MunicipalityConfig):
            raise ConfigError(f"'region.municipalities.{i}': must be a municipality mapping")
        for name, value, f in iter_parameters(muni, f"region.municipalities.{i}."):
            _check_value(name, value, f.metadata)
    if not config.region.municipalities and config.region.generated_count == 0:
        raise ConfigError("'region': give region.municipalities or region.generated_count > 0")
    _check_share_sum("population.age_shares", config.population.age_shares)
    _check_share_sum("policies.preventiefonds.shares", config.policies.preventiefonds.shares)
    if config.population.low_income_share + config.population.high_income_share > 1:
        raise ConfigError("'population.low_income_share' + 'population.high_income_share' must be at most 1")
    for key, n in (("health.target_base", 3), ("health.shock_rate", 3), ("health.need_threshold", 3),
                   ("help_seeking.gp_minor_consults", 5), ("population.age_shares", 5)):
        value = get_value(config, key)
        if len(value) != n:
            raise ConfigError(f"'{key}': needs {n} values, got {len(value)}")
    work = config.social_work
    time_shares = work.casework_share + work.group_work_share + work.community_work_share + work.outreach_share
    if time_shares > 1 + 1e-9:
        raise ConfigError("'social_work': casework, group work, community work and outreach shares must add up to "
                          f"at most 1 (the rest is time between clients); they add up to {time_shares:.4g}")
    if len(config.health.coupling) != 3 or any(len(row) != 3 for row in config.health.coupling):
        raise ConfigError("'health.coupling': must be a 3x3 matrix (physical, mental, social)")
    return config


def get_value(config, dotted: str):
    """The value of a dotted name in a config, e.g. "health.demand_trend" or, for an element of
    a list, "health.shock_rate.1" (the one way to read a parameter by name)."""
    value = config
    for part in dotted.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    return value


def set_values(config: Config, values: dict) -> Config:
    """A copy of `config` with the dotted names in `values` set (list elements by index, as in
    `get_value`), checked by `validate`: the one way to set parameters by name in Python.
    A whole number given for an int parameter is stored as an int. Raises ConfigError for an
    unknown name or a value out of range."""
    new = copy.deepcopy(config)
    for dotted, value in values.items():
        check_key(dotted)
        parent, _, last = dotted.rpartition(".")
        node = get_value(new, parent) if parent else new
        if schema_type(dotted) is int and isinstance(value, float) and value.is_integer():
            value = int(value)
        if last.isdigit():
            if not isinstance(node, list) or int(last) >= len(node):
                raise ConfigError(f"'{dotted}': '{parent}' has no element {last}")
            node[int(last)] = value
        else:
            setattr(node, last, value)
    return validate(new)


def schema_type(dotted: str):
    """The declared type of a dotted name (for a list element, the element's type)."""
    node = Config
    for part in dotted.split("."):
        if typing.get_origin(node) in (list, typing.List):
            node = typing.get_args(node)[0] if typing.get_args(node) else typing.Any
        else:
            node = _schema_child(node, part)
    return node


def schema_field(dotted: str) -> dataclasses.Field:
    """The schema field a dotted name belongs to (for a list element, the list's field), whose
    metadata hold unit, range, source and meaning; ConfigError if there is no such parameter."""
    check_key(dotted)
    parts = dotted.split(".")
    while parts and parts[-1].isdigit():
        parts.pop()
    owner = schema_type(".".join(parts[:-1])) if len(parts) > 1 else Config
    found = {f.name: f for f in dataclasses.fields(owner)} if dataclasses.is_dataclass(owner) else {}
    if parts[-1] not in found:
        raise ConfigError(f"unknown key '{dotted}'")
    return found[parts[-1]]


def _check_share_sum(key: str, shares) -> None:
    if abs(sum(shares) - 1.0) > 1e-3:
        raise ConfigError(f"'{key}': shares must add up to 1 (they add up to {sum(shares):.4g})")


def _check_value(name: str, value, meta) -> None:
    if "choices" in meta:
        if value not in meta["choices"]:
            raise ConfigError(f"'{name}': '{value}' is not allowed; allowed are {', '.join(meta['choices'])}")
        return
    low, high = meta.get("range", (None, None))
    if low is None and high is None:
        return
    values = value if isinstance(value, list) else [value]
    flat = [v for row in values for v in (row if isinstance(row, list) else [row])]
    for v in flat:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ConfigError(f"'{name}': must be a number in [{low}, {high}], got {v!r}")
        if (low is not None and v < low) or (high is not None and v > high):
            unit = meta.get("unit", "")
            raise ConfigError(f"'{name}': {v} is out of range; allowed is [{low}, {high}] ({unit})")
