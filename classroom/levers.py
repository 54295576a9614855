"""The levers of the classroom page: what each control sets in the model configuration.

Policy sliders take their range, unit and labels from the parameter registry
(configs/registry.yaml), so a slider can never offer a value the model refuses. A lever is
switched on only when its value differs from today's value (the slider's starting point);
wijkteam coverage and light help differ per municipality today, so their starting point is
the regional mean and any other value sets every municipality to it.

Population size and seed are not policy levers: their page bounds lie inside the schema's
allowed ranges (model/parameters.py) and are kept small enough for a classroom server.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from model.config import ConfigError, load_config, set_values
from model.money.contracts import RULES
from research import registry

YEARS = 10  # the page's horizon: 120 monthly steps


@dataclass(frozen=True)
class Lever:
    """One numeric control: keyword name, registry path and slider step."""
    name: str
    path: str
    step: float

    @property
    def entry(self) -> registry.Entry:
        return _entries()[self.path]

    @property
    def low(self) -> float:
        return self.entry.low

    @property
    def high(self) -> float:
        return self.entry.high

    @property
    def switch(self) -> str | None:
        return self.entry.switch

    def label(self, lang: str) -> str:
        return self.entry.text(lang)

    @property
    def unit(self) -> str:
        return self.entry.unit

    @property
    def today(self) -> float:
        """Today's value (the lever off), on the slider's grid."""
        value = _today()[self.name]
        return round(round(value / self.step) * self.step, 6)


# the order is the order of the sliders on the page
LEVERS = (
    Lever("wijkteam_coverage", "policies.wijkteam_coverage.level", 0.05),
    Lever("light_help", "policies.wijkteam_light_help.level", 0.05),
    Lever("social_basis", "policies.social_basis_investment.level", 0.05),
    Lever("social_basis_cut", "policies.social_basis_cut.level", 0.05),
    Lever("welzijn_op_recept", "policies.welzijn_op_recept.level", 0.05),
    Lever("broad_gatekeeper", "policies.broad_gatekeeper.level", 0.05),
    Lever("schuldhulp", "policies.schuldhulp.level", 0.1),
    Lever("substitution", "policies.substitution_without_funds.level", 0.05),
    Lever("fund_size", "policies.preventiefonds.contribution_per_resident", 5.0),
)
LEVER = {lever.name: lever for lever in LEVERS}

# financing rule per line: the provider types of that line with episodes and waiting lists
LINE_SERVICES = {
    "nulde": ("social_basis", "schuldhulp", "voorzorg"),
    "eerste": ("gp", "poh_ggz", "poh_jeugd", "wijkteam"),
    "tweede": ("hospital", "specialist_ggz", "youth_ambulant", "youth_residential", "wmo_maatwerk"),
}
TODAY = "today"  # keep today's rules (configs/financing/baseline.yaml)
RULE_CHOICES = (TODAY,) + tuple(r for r in RULES if r != "integrated_budget")  # that one needs ontschotting
RULE_LEVERS = tuple(f"rule_{line}" for line in LINE_SERVICES)

# page bounds of the two run settings (inside the schema's [100, 20,000,000] and [0, 2**31 - 1])
POPULATION = (1000, 10000, 500)   # low, high, step (residents)
DEFAULT_POPULATION = 3000
SEED = (1, 99)
DEFAULT_SEED = 1


@functools.cache
def _entries() -> dict:
    return {e.path: e for e in registry.load()}


@functools.cache
def _today() -> dict:
    """Today's value of every lever, read from the installed configs."""
    base = registry.installed()
    munis = base.region.municipalities
    weight = [m.population_share for m in munis] if all(hasattr(m, "population_share") for m in munis) else None

    def mean(values):
        if weight and sum(weight) > 0:
            return sum(v * w for v, w in zip(values, weight)) / sum(weight)
        return sum(values) / len(values)

    return {
        "wijkteam_coverage": mean([m.wijkteam_coverage for m in munis]),
        "light_help": mean([m.wijkteam_light_help for m in munis]),
        "social_basis": 1.0, "social_basis_cut": 0.0, "schuldhulp": 1.0, "substitution": 0.0,
        "welzijn_op_recept": base.gatekeeper.welzijn_op_recept,
        "broad_gatekeeper": base.gatekeeper.root_recognition,
        "fund_size": base.policies.preventiefonds.contribution_per_resident,
    }


def defaults() -> dict:
    """Every keyword of the model entry point with today's value (all levers off)."""
    out = {"population": DEFAULT_POPULATION, "seed": DEFAULT_SEED}
    out.update({lever.name: lever.today for lever in LEVERS})
    out.update({name: TODAY for name in RULE_LEVERS})
    out["preventiefonds"] = False
    return out


KEYWORDS = tuple(defaults())


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check(name: str, value) -> object:
    """The value of one keyword, checked against the page's bounds; ConfigError in one line."""
    if name not in KEYWORDS:
        raise ConfigError(f"unknown lever '{name}': allowed are {', '.join(KEYWORDS)}")
    if name in LEVER:
        lever = LEVER[name]
        if not _number(value) or not lever.low - 1e-9 <= value <= lever.high + 1e-9:
            raise ConfigError(f"'{name}': {value!r} is out of range; allowed is [{lever.low:g}, {lever.high:g}] "
                              f"({lever.unit})")
        return float(value)
    if name in RULE_LEVERS:
        if value not in RULE_CHOICES:
            raise ConfigError(f"'{name}': '{value}' is not allowed; allowed are {', '.join(RULE_CHOICES)}")
        return value
    if name == "preventiefonds":
        if not isinstance(value, bool):
            raise ConfigError(f"'preventiefonds': {value!r} is not allowed; allowed are true, false")
        return value
    low, high = (POPULATION[:2] if name == "population" else SEED)
    if not _number(value) or float(value) != int(value) or not low <= value <= high:
        raise ConfigError(f"'{name}': {value!r} is out of range; allowed is [{low}, {high}] (whole number)")
    return int(value)


def is_on(name: str, value: float) -> bool:
    return abs(value - LEVER[name].today) > 1e-9


def lever_values(settings: dict) -> dict:
    """The dotted config values the settings switch on (levers differing from today)."""
    out: dict = {}
    for lever in LEVERS:
        if lever.name == "fund_size":
            continue
        value = settings[lever.name]
        if is_on(lever.name, value):
            out[lever.path] = value
            out[lever.switch] = True
            out[lever.switch.replace(".enabled", ".start_month")] = 0
    if settings["preventiefonds"]:
        out["policies.preventiefonds.enabled"] = True
        out["policies.preventiefonds.start_month"] = 0
        out["policies.preventiefonds.contribution_per_resident"] = settings["fund_size"]
    rules = {}
    for line, services in LINE_SERVICES.items():
        rule = settings[f"rule_{line}"]
        if rule != TODAY:
            rules.update({f"policies.financing_switch.{s}": rule for s in services})
    if rules:
        out.update(rules)
        out["policies.financing_switch.enabled"] = True
        out["policies.financing_switch.start_month"] = 0
    return out


def settings_of(**given) -> dict:
    """All keywords, today's values filled in, each checked (ConfigError for the first bad one)."""
    settings = defaults()
    for name, value in given.items():
        settings[name] = check(name, value)
    return settings


def build_configs(**given):
    """(scenario config, baseline config) for the keywords: the baseline has the same population
    and seed with every lever off (common random numbers). Both pass `load_config` and
    `set_values`, the same validation as the command line; ConfigError names a bad value."""
    settings = settings_of(**given)
    overrides = [f"population.size={settings['population']}", f"seed={settings['seed']}", f"years={YEARS}"]
    baseline = load_config("baseline", overrides)
    scenario = set_values(baseline, lever_values(settings))
    return scenario, baseline, settings
