"""Loading and validating configurations.

Configs are composed by Hydra from the groups under configs/ (region, population, financing,
scenario) on top of the structured schema in `model.parameters`. Every problem with a config
or override becomes a `ConfigError` whose message is one line naming the key and what is
allowed; the command-line entry points print that line and exit with status 2.

Loading executes nothing from its input: overrides and config files are plain values. An
interpolation (`${...}`, through which OmegaConf's resolvers such as oc.env would read the
environment), a key starting with `_` (Hydra's `_target_`, `_args_`, ...) and a `hydra.*`
setting are refused; config files are read with YAML's safe loader; only the names of the
schema and of the config groups under configs/ are resolved, and nothing is instantiated.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import numbers
import os
import threading
import typing
from pathlib import Path

from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException
import yaml
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException

from model import paths
from model.engine import threads
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


OUTPUT_SETTINGS = ("hydra.run.dir=", "hydra.sweep.dir=")  # the only hydra.* settings a command takes


def check_plain(text: str) -> None:
    """Refuse an override that would make the loader do more than set a value: an
    interpolation (`${oc.env:HOME}` reads the environment; any resolver runs code), a key
    starting with `_` (`_target_` names a class to instantiate) or a `hydra.*` setting
    (callbacks, launchers and sweepers name classes to import)."""
    key, sep, value = str(text).partition("=")
    key = key.lstrip("+~")
    if "${" in value or "${" in key:
        raise ConfigError(f"'{key}': interpolations (${{...}}) are not allowed in overrides; give a plain value")
    if any(part.startswith("_") for part in key.split(".")):
        raise ConfigError(f"'{key}': keys starting with '_' (such as _target_) are not allowed; "
                          "configurations hold values only")
    if key == "hydra" or key.startswith(("hydra.", "hydra/")):
        raise ConfigError(f"'{key}': hydra settings are not model parameters; allowed are hydra.run.dir and "
                          "hydra.sweep.dir on the command line")


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


# Hydra keeps one global instance per process: two threads composing at once (the classroom
# page's sessions pressing Reset together) would clear each other's and fail with a traceback.
_HYDRA_IN_USE = threading.Lock()


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
    overrides = [o for o in overrides if not o.startswith(OUTPUT_SETTINGS)]  # where a command writes
    for text in overrides:
        check_plain(text)
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
    with _HYDRA_IN_USE:  # one composition at a time per process (see _HYDRA_IN_USE)
        GlobalHydra.instance().clear()
        try:
            with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
                composed = compose(config_name="config", overrides=[scenario_override, *rest])
            config = OmegaConf.to_object(composed)
        except (HydraException, OmegaConfBaseException) as exc:
            raise ConfigError(_with_allowed(_one_line(exc))) from None
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


def allowed_text(dotted: str) -> str | None:
    """What the schema allows for a dotted name, in words ("a whole number in [1, 100]")."""
    try:
        f = schema_field(dotted)
    except (ConfigError, TypeError, AttributeError):
        return None
    meta = f.metadata
    if "choices" in meta:
        return "allowed are " + ", ".join(repr(c) if c == "" else c for c in meta["choices"])
    declared = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if declared == "bool":
        return "allowed are true, false"
    low, high = meta.get("range", (None, None))
    unit = f" ({meta['unit']})" if meta.get("unit") else ""
    if declared.startswith(("List", "list")):
        return f"allowed is a list of numbers in [{low}, {high}]{unit}"
    if declared == "int":
        return f"allowed is a whole number in [{low}, {high}]{unit}"
    if low is not None or high is not None:
        return f"allowed is a number in [{low}, {high}]{unit}"
    return None


def _with_allowed(message: str) -> str:
    """A Hydra/OmegaConf type error with what the schema allows for its key added."""
    if not message.startswith("'") or "allowed" in message:
        return message
    key = message[1:].split("'", 1)[0]
    hint = allowed_text(key)
    return f"{message}; {hint}" if hint else message


def validate(config: Config) -> Config:
    """Check every parameter against its declared range or choices; raise ConfigError if not."""
    for name, value, f in iter_parameters(config):
        _check_value(name, value, f.metadata)
    for i, muni in enumerate(config.region.municipalities):
        if not isinstance(muni, MunicipalityConfig):
            raise ConfigError(f"'region.municipalities.{i}': must be a municipality mapping")
        for name, value, f in iter_parameters(muni, f"region.municipalities.{i}."):
            _check_value(name, value, f.metadata)
    for name, value, f in iter_parameters(config):
        _check_type(name, value, f)
    if not config.region.municipalities and config.region.generated_count == 0:
        raise ConfigError("'region': give region.municipalities or region.generated_count > 0 (a region "
                          "without municipalities has no residents)")
    _check_municipalities(config)
    _check_capacity(config)
    _check_levers(config)
    shares = config.policies.preventiefonds.shares
    if len(shares) != 3:
        raise ConfigError(f"'policies.preventiefonds.shares': needs 3 values (municipality, insurer, employers), "
                          f"got {len(shares)}")
    if all(isinstance(v, (int, float)) and v == 0 for v in shares):
        raise ConfigError("'policies.preventiefonds.shares': a fund with no contributors; allowed are shares "
                          "(municipality, insurer, employers) that add up to 1")
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
    check_memory(config)
    return config


def _check_type(name: str, value, f) -> None:
    """Whole numbers where the schema says int, true/false where it says bool (the Python API
    sets values without Hydra's type check)."""
    declared = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if declared == "bool" and type(value).__name__ not in ("bool", "bool_"):
        raise ConfigError(f"'{name}': {value!r} is not allowed; allowed are true, false")
    if declared == "int" and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        low, high = f.metadata.get("range", (None, None))
        raise ConfigError(f"'{name}': {value!r} is not allowed; allowed is a whole number in [{low}, {high}]")
    if declared == "str" and not isinstance(value, str):
        raise ConfigError(f"'{name}': {value!r} is not allowed; allowed is a name")


def _check_municipalities(config: Config) -> None:
    """Every listed municipality gets residents: a share above 0, and at least one resident."""
    munis = config.region.municipalities
    if config.region.generated_count > 0 or not munis:
        return
    total = sum(m.population_share for m in munis)
    for i, m in enumerate(munis):
        key = f"region.municipalities.{i}.population_share"
        if m.population_share <= 0:
            raise ConfigError(f"'{key}': 0 leaves {m.name} without residents; allowed is a share in (0, 1]")
        residents = config.population.size * m.population_share / total
        if residents < 1:
            raise ConfigError(f"'{key}': {m.population_share} gives {m.name} {residents:.2g} residents of "
                              f"{config.population.size}; allowed is a share giving at least one resident")


def _check_capacity(config: Config) -> None:
    for name, value, _ in iter_parameters(config):
        if name.endswith(".capacity_per_1000") and value <= 0:
            raise ConfigError(f"'{name}': {value} leaves the service without capacity; allowed is a number in "
                              "(0, 1000] (client slots per 1,000 residents)")


def _check_levers(config: Config) -> None:
    """An enabled lever must start within the simulated months."""
    months = 12 * config.years
    for f in dataclasses.fields(config.policies):
        lever = getattr(config.policies, f.name)
        if dataclasses.is_dataclass(lever) and getattr(lever, "enabled", False) and lever.start_month >= months:
            raise ConfigError(f"'policies.{f.name}.start_month': {lever.start_month} is after the horizon "
                              f"(years={config.years}: months 0 to {months - 1}); allowed is [0, {months - 1}]")


# memory a run needs, estimated from its size (benchmarks/README.md: the Netherlands, 17.8
# million residents for 10 years, peaked at 3.7 GiB): a fixed part for the interpreter, the
# compiled kernels and the monthly tables, and per resident a part for the state and one that
# grows with the years (births, the ledger and the tables kept over the run); generous on purpose
MEMORY_FIXED = 600 * 2**20
MEMORY_PER_RESIDENT = 220
MEMORY_PER_RESIDENT_YEAR = 6


def memory_needed(config: Config) -> int:
    """Bytes a run of this configuration is estimated to need at its peak."""
    n = config.population.size
    return int(MEMORY_FIXED + n * (MEMORY_PER_RESIDENT + MEMORY_PER_RESIDENT_YEAR * config.years))


def memory_available() -> int:
    """Physical memory of this machine in bytes (0 when unknown: no check)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def check_memory(config: Config) -> None:
    """Refuse a run that would not fit in this machine's memory, with the estimate."""
    have = memory_available()
    need = memory_needed(config)
    if have and need > have:
        gib = 2**30
        per_year = config.population.size * MEMORY_PER_RESIDENT_YEAR
        most = max(0, int((have - MEMORY_FIXED - config.population.size * MEMORY_PER_RESIDENT) // per_year)) \
            if per_year else 0
        raise ConfigError(f"'population.size' x 'years': {config.population.size} residents for {config.years} "
                          f"years need about {need / gib:.1f} GiB; this machine has {have / gib:.1f} GiB; allowed "
                          f"at this size is at most {most} years, or fewer residents")


def _refuse_code(tree, where: str, path: str = "") -> None:
    """Refuse what in a config file would make the loader run code: interpolations (resolvers)
    and keys starting with '_' (`_target_`)."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            dotted = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                raise ConfigError(f"'{dotted}' in {where}: keys must be names")
            if key.startswith("_"):
                raise ConfigError(f"'{dotted}' in {where}: keys starting with '_' (such as _target_) are not "
                                  "allowed; configurations hold values only")
            _refuse_code(value, where, dotted)
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            _refuse_code(value, where, f"{path}.{i}")
    elif isinstance(tree, str) and "${" in tree:
        raise ConfigError(f"'{path}' in {where}: interpolations (${{...}}) are not allowed; give a plain value")


def load_config_file(path: str | Path) -> Config:
    """A whole configuration from a YAML file, such as the config.yaml every run folder holds:

        python -m experiments.run --config-file outputs/run/<date>/<run>/config.yaml

    reruns that run exactly. The file is read with YAML's safe loader, merged onto the schema
    (types checked) and validated like any configuration; keys it leaves out keep the
    schema's defaults (not the defaults of configs/, which a saved config already holds)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"'--config-file': no such file {path}")
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"'--config-file': {path} is not valid YAML{where}; allowed is a mapping of "
                          "parameter names to values, as in a run folder's config.yaml") from None
    if not isinstance(tree, dict):
        raise ConfigError(f"'--config-file': {path} must map parameter names to values, as in a run folder's "
                          "config.yaml")
    _refuse_code(tree, path.name)
    _check_tree_keys(tree, path.name)
    try:
        merged = OmegaConf.merge(OmegaConf.structured(Config), OmegaConf.create(tree))
        config = OmegaConf.to_object(merged)
    except OmegaConfBaseException as exc:
        raise ConfigError(f"{_with_allowed(_one_line(exc))} (in {path.name})") from None
    validate(config)
    return config


def _check_tree_keys(tree: dict, where: str, prefix: str = "") -> None:
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        try:
            check_key(dotted)
        except ConfigError as exc:
            raise ConfigError(f"{exc} (in {where})") from None
        if isinstance(value, dict) and not typing.get_origin(schema_type(dotted)) in (dict, typing.Dict):
            _check_tree_keys(value, where, dotted + ".")


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
    if not abs(sum(shares) - 1.0) <= 1e-3:  # NaN too
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
        if not math.isfinite(v):
            raise ConfigError(f"'{name}': {v} is not a finite number; allowed is [{low}, {high}] "
                              f"({meta.get('unit', '')})")
        if (low is not None and v < low) or (high is not None and v > high):
            unit = meta.get("unit", "")
            raise ConfigError(f"'{name}': {v} is out of range; allowed is [{low}, {high}] ({unit})")
