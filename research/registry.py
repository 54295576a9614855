"""The parameter registry: the uncertain parameters and policy levers studies vary, declared
once in configs/registry.yaml (see the comment at its top for the keys).

An entry names a dotted config path and says how to vary it (range or levels, distribution)
and how to show it (English and Dutch label). Everything the schema and the installed configs
already know is read from them, not copied: the value a run uses (`model.load_config`, so a
calibrated value where there is one), the schema default, unit, allowed range, source and
meaning (`model.parameters`).

    >>> from research import registry
    >>> entries = registry.load()                       # checked; RegistryError names a bad entry
    >>> problem = registry.problem(registry.select(entries, kind="uncertainty"))
    >>> problem["names"], problem["bounds"]             # a SALib problem dict
    >>> registry.values(entries[:2], [0.03, 0.02])      # {dotted name: value} for a sample row

Layering: research imports model; the model never reads the registry.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from model import paths
from model.config import ConfigError, get_value, load_config, schema_field, schema_type
from model.parameters import Config

DEFAULT_FILE = paths.config_dir() / "registry.yaml"
KINDS = ("uncertainty", "lever")
DISTRIBUTIONS = ("uniform", "triangular", "loguniform")
KEYS = ("kind", "range", "levels", "distribution", "mode", "unit", "label")
LANGUAGES = ("en", "nl")


class RegistryError(ValueError):
    """A bad registry, in one line naming the entry and what is allowed."""


@dataclass(frozen=True)
class Entry:
    """One parameter or lever of the registry."""
    path: str
    kind: str
    low: float
    high: float
    levels: tuple[float, ...] = ()
    distribution: str = "uniform"
    mode: float | None = None
    label: dict = field(default_factory=dict)
    unit_override: str | None = None

    # ------------------------------------------------------------------ read from the schema
    @property
    def meta(self) -> dict:
        return dict(schema_field(self.path).metadata)

    @property
    def unit(self) -> str:
        return self.unit_override or self.meta.get("unit", "")

    @property
    def source(self) -> str:
        return self.meta.get("source", "")

    @property
    def doc(self) -> str:
        return self.meta.get("doc", "")

    @property
    def allowed(self) -> tuple:
        """The schema's allowed closed range (None for an open end)."""
        return tuple(self.meta.get("range", (None, None)))

    @property
    def default(self) -> Any:
        """The schema default (for a list element, that element)."""
        return get_value(Config(), self.path)

    @property
    def value(self) -> Any:
        """The value a run uses: the installed configs (calibrated where fitted) on the schema."""
        return get_value(installed(), self.path)

    @property
    def switch(self) -> str | None:
        """The lever's on-switch (policies.<lever>.enabled), set to true whenever it is varied."""
        parent = self.path.rpartition(".")[0]
        if self.kind != "lever" or not parent:
            return None
        try:
            return f"{parent}.enabled" if schema_type(f"{parent}.enabled") is bool else None
        except ConfigError:
            return None

    # ------------------------------------------------------------------ sampling
    def salib(self) -> tuple[list[float], str]:
        """Bounds and distribution of this entry in a SALib problem. Levels are sampled as a
        uniform index in [0, number of levels) and mapped back by `value_of`."""
        if self.levels:
            return [0.0, float(len(self.levels))], "unif"
        if self.distribution == "triangular":
            return [self.low, self.high, (self.mode - self.low) / (self.high - self.low)], "triang"
        if self.distribution == "loguniform":
            return [self.low, self.high], "logunif"
        return [self.low, self.high], "unif"

    def value_of(self, x: float):
        """The config value for a sampled number (a level for entries given by levels)."""
        if self.levels:
            return self.levels[min(max(int(math.floor(x)), 0), len(self.levels) - 1)]
        x = float(x)
        if schema_type(self.path) is int:
            return int(round(x))
        return x

    def text(self, language: str = "en") -> str:
        return self.label.get(language) or self.path


@functools.cache
def installed():
    """The baseline configuration with the installed configs (the values runs use)."""
    return load_config("baseline", [])


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice (PyYAML would keep the last silently)."""


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise RegistryError(f"'{key}' in {loader.name}: given twice; give each parameter once")
        seen.add(key)
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(path: str | Path = DEFAULT_FILE) -> list[Entry]:
    """Read and check a registry file; the first problem raises RegistryError in one line
    naming the entry and what is allowed."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError(f"'registry': no such file {path}")
    text = path.read_text(encoding="utf-8")
    try:
        loader = _UniqueKeyLoader(text)
        loader.name = path.name
        try:
            raw = loader.get_single_data() or {}
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise RegistryError(f"'registry': {path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise RegistryError(f"'registry': {path} must map dotted parameter names to entries")
    return [_entry(str(name), spec, path.name) for name, spec in raw.items()]


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _entry(name: str, spec, where: str) -> Entry:
    def bad(message: str) -> RegistryError:
        return RegistryError(f"'{name}' in {where}: {message}")

    if not isinstance(spec, dict):
        raise bad(f"give a mapping with the keys {', '.join(KEYS)}")
    unknown = [k for k in spec if k not in KEYS]
    if unknown:
        raise bad(f"unknown key '{unknown[0]}'; allowed keys are {', '.join(KEYS)}")
    try:
        meta = schema_field(name).metadata
    except ConfigError:
        raise bad("no such parameter in model/parameters.py (list elements are name.index, "
                  "e.g. health.shock_rate.1)") from None
    kind_of = schema_type(name)
    if kind_of not in (int, float) or "range" not in meta:
        raise bad("not a numeric parameter; only numbers declared with param(...) can be varied")
    if name.rsplit(".", 1)[-1].isdigit():
        try:
            get_value(installed(), name)
        except (IndexError, AttributeError):
            raise bad(f"'{name.rpartition('.')[0]}' has no element {name.rsplit('.', 1)[-1]}") from None
    kind = spec.get("kind")
    if kind not in KINDS:
        raise bad(f"kind '{kind}' is not allowed; allowed are {', '.join(KINDS)}")
    allowed_low, allowed_high = meta["range"]
    allowed = f"[{allowed_low}, {allowed_high}]"

    def inside(v) -> bool:
        return (allowed_low is None or v >= allowed_low) and (allowed_high is None or v <= allowed_high)

    if ("range" in spec) == ("levels" in spec):
        raise bad("give either range: [low, high] or levels: [a, b, ...]")
    levels: tuple = ()
    if "range" in spec:
        bounds = spec["range"]
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(map(_number, bounds))):
            raise bad(f"range must be [low, high], two numbers, got {bounds!r}")
        low, high = float(bounds[0]), float(bounds[1])
        if not low < high:
            raise bad(f"range [{bounds[0]}, {bounds[1]}]: low must be below high")
        if not (inside(low) and inside(high)):
            raise bad(f"range [{bounds[0]}, {bounds[1]}] is outside the allowed {allowed} ({meta.get('unit', '')})")
    else:
        given = spec["levels"]
        if not (isinstance(given, list) and len(given) >= 2 and all(map(_number, given))
                and len(set(given)) == len(given)):
            raise bad(f"levels must be a list of at least two different numbers, got {given!r}")
        outside = [v for v in given if not inside(v)]
        if outside:
            raise bad(f"level {outside[0]} is outside the allowed {allowed} ({meta.get('unit', '')})")
        levels = tuple(given)
        low, high = float(min(given)), float(max(given))
    distribution = spec.get("distribution", "uniform")
    if distribution not in DISTRIBUTIONS:
        raise bad(f"distribution '{distribution}' is not allowed; allowed are {', '.join(DISTRIBUTIONS)}")
    if levels and distribution != "uniform":
        raise bad("levels are sampled with equal chances; leave out distribution")
    mode = spec.get("mode")
    if distribution == "triangular":
        if not (_number(mode) and low <= mode <= high):
            raise bad(f"a triangular distribution needs mode: a number in [{low}, {high}]")
    elif mode is not None:
        raise bad("mode is only for distribution: triangular")
    if distribution == "loguniform" and low <= 0:
        raise bad("a loguniform distribution needs low > 0")
    label = spec.get("label")
    if not (isinstance(label, dict) and all(isinstance(label.get(lang), str) and label[lang].strip()
                                            for lang in LANGUAGES)):
        raise bad("label must give a short text in each of " + ", ".join(LANGUAGES) + ", e.g. {en: ..., nl: ...}")
    if set(label) - set(LANGUAGES):
        raise bad(f"label languages allowed are {', '.join(LANGUAGES)}")
    unit = spec.get("unit")
    if unit is not None and not (isinstance(unit, str) and unit.strip()):
        raise bad("unit must be a text")
    return Entry(name, kind, low, high, levels, distribution, float(mode) if mode is not None else None,
                 dict(label), unit)


def select(entries: Sequence[Entry], names: Sequence[str] | None = None, kind: str | None = None) -> list[Entry]:
    """The entries with the given names (in registry order), or all of one kind; RegistryError
    for a name the registry does not hold."""
    known = [e.path for e in entries]
    for name in names or ():
        if name not in known:
            raise RegistryError(f"'parameters': '{name}' is not in the registry; allowed are {', '.join(known)}")
    chosen = [e for e in entries if (names is None or e.path in names) and (kind is None or e.kind == kind)]
    return chosen


def problem(entries: Sequence[Entry]) -> dict:
    """The SALib problem for these entries: num_vars, names, bounds (and dists when not all
    uniform)."""
    bounds, dists = zip(*(e.salib() for e in entries)) if entries else ((), ())
    out = {"num_vars": len(entries), "names": [e.path for e in entries], "bounds": [list(b) for b in bounds]}
    if any(d != "unif" for d in dists):
        out["dists"] = list(dists)
    return out


def values(entries: Sequence[Entry], row: Sequence[float]) -> dict[str, Any]:
    """The config values (dotted name -> value) for one sample row, levers switched on."""
    out = {}
    for entry, x in zip(entries, row):
        out[entry.path] = entry.value_of(x)
        if entry.switch:
            out[entry.switch] = True
    return out


def table(entries: Sequence[Entry]) -> list[dict]:
    """One row per entry with what the registry says and what the schema and configs say."""
    return [{"parameter": e.path, "kind": e.kind, "low": e.low, "high": e.high,
             "levels": " ".join(map(str, e.levels)), "distribution": e.distribution, "value_in_use": e.value,
             "schema_default": e.default, "unit": e.unit, "label_en": e.text("en"), "label_nl": e.text("nl"),
             "source": e.source} for e in entries]
