"""Scenario lists for a comparison, and each scenario's assumptions in plain words.

A comparison names scenarios from configs/scenario; `a+b` combines two (both sets of lever
changes apply; where they set the same lever the later one wins). Baseline is always the
reference and comes first.
"""

from __future__ import annotations

import dataclasses

from model.config import available
from model.parameters import Config, PoliciesConfig

BASELINE = "baseline"


def parse_scenarios(value: str) -> list[list[str]]:
    """'[a,b,a+b]' (or 'all') -> [['baseline'], ['a'], ['b'], ['a', 'b']].

    Raises:
        ValueError: one line naming the unknown scenario and the allowed names.
    """
    names = available("scenario")
    items = [x.strip() for x in value.strip().strip("[]").split(",") if x.strip()]
    if not items:
        raise ValueError("'scenarios': empty list; allowed are all or names from: " + ", ".join(names))
    combos: list[list[str]] = [[BASELINE]]
    for item in items:
        if item == "all":
            combos += [[n] for n in names if n != BASELINE]
            continue
        parts = [p.strip() for p in item.split("+")]
        for part in parts:
            if part not in names:
                raise ValueError(f"unknown scenario '{part}' in scenarios: allowed are {', '.join(names)}; "
                                 "combine with +, e.g. preventiefonds+ontschotting")
        parts = [p for p in dict.fromkeys(parts) if p != BASELINE] or [BASELINE]
        combos.append(parts)
    unique = {"+".join(c): c for c in combos}
    return list(unique.values())


def describe(config: Config, baseline: Config) -> dict:
    """Titles, descriptions and the lever changes against baseline, in plain words."""
    parts = list(config.scenario) or [BASELINE]
    infos = [config.scenario[p] for p in parts if p in config.scenario]
    return {
        "parts": parts,
        "title_nl": " + ".join(i.title_nl for i in infos) or BASELINE,
        "title_en": " + ".join(i.title_en for i in infos) or BASELINE,
        "descriptions": [(p, " ".join(config.scenario[p].description.split())) for p in parts
                         if p in config.scenario],
        "levers": lever_changes(config, baseline),
    }


def _flat(config: Config) -> dict:
    """Dotted name -> value for every setting."""
    out = {}

    def walk(node, prefix):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{prefix}{k}.")
        else:
            out[prefix[:-1]] = node
    walk(dataclasses.asdict(config), "")
    return out


def _lever_doc(name: str) -> str:
    for f in dataclasses.fields(PoliciesConfig):
        if f.name == name:
            return f.metadata.get("doc", name).rstrip(".")
    return name


def lever_changes(config: Config, baseline: Config) -> list[str]:
    """Every setting that differs from baseline, one plain sentence per lever."""
    a, b = _flat(config), _flat(baseline)
    changed = [k for k in a if a[k] != b.get(k) and not k.startswith("scenario.") and k != "seed"]
    levers = dict.fromkeys(k.split(".")[1] for k in changed if k.startswith("policies."))
    p = config.policies
    lines = []
    for name in levers:
        lever = getattr(p, name)
        if name == "preventiefonds":
            f = lever
            shares = ", ".join(f"{who} {s:.0%}" for who, s in zip(("municipalities", "insurer", "employers"),
                                                                    f.shares))
            end = "structural" if f.structural else f"for {f.duration_years:g} years, then it stops"
            lines.append(f"preventiefonds: EUR {f.contribution_per_resident:g} per resident per year ({shares}) "
                         f"from month {f.start_month}, {end}" if f.enabled else "preventiefonds: off")
        elif name == "financing_switch":
            rules = ", ".join(f"{svc} -> {getattr(lever, svc)}" for svc in
                              (x.name for x in dataclasses.fields(lever)) if svc not in ("enabled", "start_month")
                              and getattr(lever, svc))
            lines.append(f"financing_switch from month {lever.start_month}: {rules}" if lever.enabled
                         else "financing_switch: off")
        elif dataclasses.is_dataclass(lever):
            lines.append(f"{name} ({_lever_doc(name)}): level {lever.level:g} from month {lever.start_month}"
                         if lever.enabled else f"{name}: off")
        else:
            lines.append(f"policies.{name}: {b.get('policies.' + name)} -> {lever}")
    lines += [f"{k}: {b.get(k)} -> {a[k]}" for k in changed if not k.startswith("policies.")]
    return lines
