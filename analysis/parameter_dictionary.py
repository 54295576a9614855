"""The parameter dictionary: docs/parameters.md, generated from the schema in `model.parameters`.

Every parameter gets one row: dotted name, default, unit, allowed range (or choices), source
and meaning, read from the field metadata that `param(...)` and `choice(...)` store. The
schema is read when this runs, so the document follows the code.

    python -m analysis.parameter_dictionary          # write docs/parameters.md
    python -m analysis.parameter_dictionary --check  # exit 1 if docs/parameters.md is out of date
"""

from __future__ import annotations

import argparse
import sys
import typing
from dataclasses import fields, is_dataclass
from pathlib import Path

from omegaconf import OmegaConf

from model.parameters import ASSUMPTION, Config

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "parameters.md"
DEFAULT_REGION = ROOT / "configs" / "region" / "voorbeeldregio.yaml"
COMMAND = "python -m analysis.parameter_dictionary"

SECTIONS = ("population", "region", "demography", "determinants", "health", "help_seeking",
            "gatekeeper", "services", "financing", "policies")
MUNICIPALITY_COLUMNS = ("name", "population_share", "deprivation", "wijkteam_light_help",
                        "wijkteam_coverage", "social_basis_capacity")
BLOCK_MARK = "(block source)"
HEADER = ("name", "default", "unit", "allowed", "source", "meaning")

TITLES = {
    "run": "Run",
    "population": "Population",
    "region": "Region",
    "demography": "Demography",
    "determinants": "Determinants",
    "health": "Health",
    "help_seeking": "Help-seeking",
    "gatekeeper": "Gatekeeper and referral",
    "services": "Services (one block per provider type)",
    "financing": "Financing (one contract per provider type)",
    "policies": "Policy levers",
}
NOTES = {
    "policies": "A lever is off unless `enabled`; when on, its `level` replaces the baseline value "
                "from `start_month` (months since the start of the recorded run). What `level` "
                "means is given in the lever's own row.",
}


# --------------------------------------------------------------------------- formatting
def _number(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def _value(v) -> str:
    """Compact text of a default value (lists on one line, strings quoted)."""
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_value(k)}: {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, str):
        return f'"{v}"'
    if is_dataclass(v):
        return type(v).__name__
    return _number(v)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def _type_name(tp) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (list, typing.List):
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin in (dict, typing.Dict):
        return f"mapping {_type_name(args[0])} -> {_type_name(args[1])}" if args else "mapping"
    return getattr(tp, "__name__", str(tp))


def _class_doc(cls) -> str:
    """The first paragraph of a dataclass's own docstring ('' for the generated signature)."""
    doc = (cls.__doc__ or "").strip()
    if not doc or doc.startswith(cls.__name__ + "("):
        return ""
    return " ".join(doc.split("\n\n")[0].split())


def _allowed(meta: dict, value, tp) -> str:
    if "choices" in meta:
        return "one of " + ", ".join(_code(_value(c)) for c in meta["choices"])
    low, high = meta.get("range", (None, None))
    if low is None and high is None:
        return "`true`, `false`" if tp is bool else "—"
    lo = "−∞" if low is None else _number(low)
    hi = "∞" if high is None else _number(high)
    text = f"[{lo}, {hi}]"
    return f"each in {text}" if isinstance(value, list) else text


# --------------------------------------------------------------------------- walking the schema
def _rows(obj, prefix: str, inherited_source: str | None, only=None):
    """Rows (name, default, unit, allowed, source, meaning) for the fields of a config dataclass.

    Sub-parameters of a section take the section's source (metadata of the section field) when
    their own source is just "assumption". Sections that carry a meaning get a row of their own.
    Lists and mappings of dataclasses (municipalities, scenario titles) are documented through
    one element built from its defaults. `only`: names of the fields to include (default all).
    """
    hints = typing.get_type_hints(type(obj))
    for f in fields(obj):
        if only is not None and f.name not in only:
            continue
        value = getattr(obj, f.name)
        meta = dict(f.metadata)
        name = f"{prefix}{f.name}"
        tp = hints.get(f.name)
        if is_dataclass(value):
            source = meta.get("source", inherited_source)
            doc = meta.get("doc") or _class_doc(type(value))
            if doc:
                yield (_code(name), "—", "*section*", "—", _cell(meta.get("source", "")) or "—", _cell(doc))
            yield from _rows(value, name + ".", source)
            continue
        source = meta.get("source", "")
        if inherited_source and source == ASSUMPTION:
            source = f"{inherited_source} {BLOCK_MARK}"
        unit = meta.get("unit")
        unit_cell = _cell(unit) if unit else f"*{_type_name(tp)}*"
        yield (_code(name), _code(_value(value)), unit_cell, _allowed(meta, value, tp),
               _cell(source) or "—", _cell(meta.get("doc", "")) or "—")
        args = typing.get_args(tp)
        element = args[-1] if args else None
        if is_dataclass(element):
            key = "<i>" if typing.get_origin(tp) in (list, typing.List) else "<name>"
            yield from _rows(element(), f"{name}.{key}.", inherited_source)


def _table(rows) -> list[str]:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _municipality_table() -> list[str]:
    region = OmegaConf.to_container(OmegaConf.load(DEFAULT_REGION), resolve=True)
    rel = DEFAULT_REGION.relative_to(ROOT).as_posix()
    lines = [f"Read from `{rel}` (region `{region.get('name', '')}`, "
             f"{region.get('wijken_per_municipality', '')} wijken per municipality). The schema default "
             "for `region.municipalities` is empty; `configs/config.yaml` selects this region.", "",
             "| " + " | ".join(MUNICIPALITY_COLUMNS) + " |", "|" + "---|" * len(MUNICIPALITY_COLUMNS)]
    for m in region.get("municipalities", []):
        lines.append("| " + " | ".join(_cell(_number(m.get(c, "")) if c != "name" else m.get(c, ""))
                                       for c in MUNICIPALITY_COLUMNS) + " |")
    return lines


def _count_assumptions(rows) -> tuple[int, int]:
    params = [r for r in rows if not r[2].startswith("*")]
    assumed = [r for r in params if r[4].lower().startswith(ASSUMPTION) or r[4].endswith(BLOCK_MARK)]
    return len(assumed), len(params)


# --------------------------------------------------------------------------- the document
def render() -> str:
    """The full parameter dictionary as Markdown."""
    config = Config()
    names = [f.name for f in fields(config)]
    missing = [s for s in SECTIONS if s not in names]
    if missing:
        raise RuntimeError(f"sections missing from model.parameters.Config: {', '.join(missing)}")
    tables = [("run", list(_rows(config, "", None, only={n for n in names if n not in SECTIONS})))]
    for f in fields(config):
        if f.name in SECTIONS:
            tables.append((f.name, list(_rows(getattr(config, f.name), f.name + ".", f.metadata.get("source")))))

    all_rows = [row for _, rows in tables for row in rows]
    assumed, total = _count_assumptions(all_rows)
    out = [
        "# carelines parameter dictionary",
        "",
        f"This file is generated by `{COMMAND}` from the schema in `model/parameters.py` and must "
        f"not be edited by hand; `{COMMAND} --check` tells whether it is up to date.",
        "",
        f"Values whose source says \"assumption\" ({assumed} of the {total} parameters below) are not "
        "yet calibrated: they are set by reasoning or to reach a plausible order of magnitude, and "
        "are the first candidates for calibration to the targets and for sensitivity analysis. "
        "Other sources name a published figure; a source that begins with \"assumption\" and then "
        "cites a figure means the value is assumed but scaled to that figure. Where a whole block "
        "(a provider type under `services`) has a source, that source is shown, marked "
        f"{BLOCK_MARK}, for the block's parameters whose own source is just \"assumption\"; they "
        "are counted as assumptions.",
        "",
        "Defaults are those of the schema. The config groups under `configs/` (region, population, "
        "financing, scenario) may set other values; every key can be overridden on the command line "
        "as `name=value`, using the names below. Where a field has no declared unit, the unit column "
        "shows its type in italics. `<i>` stands for a list index, `<name>` for a mapping key.",
        "",
    ]
    for key, rows in tables:
        out += [f"## {TITLES.get(key, key)}", ""]
        if key in NOTES:
            out += [NOTES[key], ""]
        out += _table(rows) + [""]
        if key == "region":
            out += ["### Municipalities of the default region", ""] + _municipality_table() + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description="Write docs/parameters.md from the schema.")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if docs/parameters.md differs from the schema, write nothing")
    args = parser.parse_args(argv)
    text = render()
    rel = OUTPUT.relative_to(ROOT).as_posix()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else None
        if current != text:
            print(f"{rel} is out of date: run `{COMMAND}` to refresh it")
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUTPUT.with_suffix(".md.partial")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(OUTPUT)
    print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
