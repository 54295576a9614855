"""The parameter dictionary: docs/parameters.md, generated from the schema in `model.parameters`.

Every parameter gets one row: dotted name, value, unit, allowed range (or choices), provenance,
source and meaning. Units, ranges, sources and meanings come from the field metadata that
`param(...)` and `choice(...)` store; values are those a run uses by default, composed from
configs/config.yaml (region, population, financing, calibration and scenario groups) exactly as
`model.load_config("baseline")` does. Where a config file sets a value other than the schema
default, the row shows the schema default too; values set by the calibration group are marked
calibrated, with what they were fitted to. Both schema and configs are read when this runs, so
the document follows the code.

    python -m analysis.parameter_dictionary          # write docs/parameters.md
    python -m analysis.parameter_dictionary --check  # exit 1 if docs/parameters.md is out of date
"""

from __future__ import annotations

import argparse
import sys
import typing
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

from omegaconf import OmegaConf

from model.config import CONFIG_DIR, load_config
from model.parameters import ASSUMPTION, Config

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "parameters.md"
COMMAND = "python -m analysis.parameter_dictionary"
SCENARIO = "baseline"
CALIBRATION_GROUP = "calibration"
DESIGN_DOC = "docs/design.md"

SECTIONS = ("population", "region", "demography", "determinants", "health", "help_seeking",
            "gatekeeper", "services", "work", "evaluation", "financing", "policies")
MUNICIPALITY_COLUMNS = ("name", "population_share", "deprivation", "wijkteam_light_help",
                        "wijkteam_coverage", "social_basis_capacity")
BLOCK_MARK = "(block source)"
HEADER = ("name", "value", "unit", "allowed", "provenance", "source", "meaning")
PROVENANCES = ("published", "calibrated", "assumption")
PROVENANCE_RULES = {
    "published": "the source names a publication or data set",
    "calibrated": "the value is set by `{calibration}`, or the source says it was fitted or calibrated",
    "assumption": f"the source begins with \"assumption\", says the size is assumed, or cites only "
                  f"`{DESIGN_DOC}` (the design statement, not a publication)",
}

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
    "work": "Work and productivity loss",
    "evaluation": "Economic evaluation (scenario comparison)",
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
    """Compact text of a value (lists on one line, strings quoted, a list of sections by its length)."""
    if isinstance(v, (list, tuple)) and v and all(is_dataclass(x) for x in v):
        return f"{len(v)} × {type(v[0]).__name__}"
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


# --------------------------------------------------------------------------- provenance
def provenance(source: str, calibrated: bool = False) -> str:
    """Where a parameter's value comes from: "published", "calibrated" or "assumption".

    The one classification used for the counts and the provenance column of the dictionary.

    - "calibrated": `calibrated` is true (the value a run uses is set by the calibration config,
      configs/calibration/fitted.yaml), or the source says the value was fitted or calibrated.
    - "assumption": the source begins with "assumption" (also when it then cites a figure the
      value is scaled to), is a block's source shown for a parameter whose own source is
      "assumption" (marked "(block source)"), says the size is assumed, or cites only the design
      statement docs/design.md, which names no publication.
    - "published": any other source; it names a publication or data set.

    Args:
        source: the source as shown in the dictionary (see `_rows`).
        calibrated: whether the calibration config sets the value in use.
    """
    text = " ".join(source.lower().split())
    if calibrated:
        return "calibrated"
    if text.endswith(BLOCK_MARK):
        return "assumption"
    if text.startswith(ASSUMPTION):  # even when it then names a fit that gave the value elsewhere
        return "assumption"
    if "fitted" in text or "calibrat" in text:
        return "calibrated"
    if "size assumed" in text or "sizes assumed" in text or text.startswith(DESIGN_DOC.lower()):
        return "assumption"
    return "published"


# --------------------------------------------------------------------------- the configs a run loads
def _flatten(node, prefix: str = ""):
    """Dotted names of the leaves of a config mapping (a list is one leaf)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flatten(value, f"{prefix}{key}.")
    else:
        yield prefix.rstrip(".")


def _package(path: Path, group: str) -> str:
    """The package a config-group file writes into ('' for the top level), from its header."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# @package"):
            package = line.split(None, 2)[2].strip()
            if package == "_global_":
                return ""
            return group if package == "_group_" else package
    return group


def _config_files() -> list[tuple[str, str]]:
    """(group, file relative to the repository) of every group file configs/config.yaml selects, in order."""
    root = OmegaConf.to_container(OmegaConf.load(CONFIG_DIR / "config.yaml"))
    out = []
    for entry in root.get("defaults", []):
        if isinstance(entry, dict):
            for group, name in entry.items():
                path = CONFIG_DIR / group / f"{name}.yaml"
                out.append((group, path.relative_to(ROOT).as_posix()))
    return out


@dataclass
class Setting:
    """The configuration a run uses by default, and which file set each name."""
    config: Config
    default: Config
    set_by: dict[str, str]
    calibration_file: str | None

    def origin(self, name: str) -> str | None:
        """The last config file that sets `name` or anything under it (None: the schema default)."""
        if name in self.set_by:
            return self.set_by[name]
        inner = [f for key, f in self.set_by.items() if key.startswith(name + ".")]
        return inner[-1] if inner else None


def in_use() -> Setting:
    """Compose the default configuration exactly as runs do, and record which file set what."""
    set_by: dict[str, str] = {}
    calibration_file = None
    for group, rel in _config_files():
        path = ROOT / rel
        package = _package(path, group)
        tree = OmegaConf.to_container(OmegaConf.load(path), resolve=True) or {}
        for leaf in _flatten(tree, package + "." if package else ""):
            set_by.pop(leaf, None)  # re-insert, so that names set by later files come last
            set_by[leaf] = rel
        if group == CALIBRATION_GROUP:
            calibration_file = rel
    return Setting(load_config(SCENARIO), Config(), set_by, calibration_file)


# --------------------------------------------------------------------------- walking the schema
@dataclass
class Row:
    name: str
    value: str
    unit: str
    allowed: str
    provenance: str | None  # None: not a parameter (a section, flag, name or text)
    source: str
    meaning: str
    fitted: bool = False  # the value in use is set by the calibration config

    def cells(self) -> tuple[str, ...]:
        return (self.name, self.value, self.unit, self.allowed, self.provenance or "—", self.source, self.meaning)


def _value_cell(value, default, where: str | None, calibrated: bool) -> str:
    text = _code(_value(value))
    if value == default:
        return text
    if calibrated or where is None:
        return f"{text} (schema default {_code(_value(default))})"
    return f"{text} (set by `{where}`; schema default {_code(_value(default))})"


def _rows(obj, default, prefix: str, inherited_source: str | None, setting: Setting | None, only=None,
          field_sources: dict | None = None):
    """Rows for the fields of a config dataclass: `obj` holds the values in use, `default` the schema's.
    `field_sources`: sources the section gives for single fields (`model.parameters._service`).

    Sub-parameters of a section take the section's source (metadata of the section field) when
    their own source is just "assumption". Sections that carry a meaning get a row of their own.
    Lists and mappings of dataclasses (municipalities, scenario titles) are documented through
    one element built from its defaults (`setting` None). `only`: names of the fields to include
    (default all).
    """
    hints = typing.get_type_hints(type(obj))
    for f in fields(obj):
        if only is not None and f.name not in only:
            continue
        value = getattr(obj, f.name)
        default_value = getattr(default, f.name)
        meta = dict(f.metadata)
        name = f"{prefix}{f.name}"
        tp = hints.get(f.name)
        if is_dataclass(value):
            source = meta.get("source", inherited_source)
            doc = meta.get("doc") or _class_doc(type(value))
            if doc:
                yield Row(_code(name), "—", "*section*", "—", None, _cell(meta.get("source", "")) or "—",
                          _cell(doc))
            yield from _rows(value, default_value, name + ".", source, setting, field_sources=meta.get("sources"))
            continue
        source = meta.get("source", "")
        if field_sources and source == ASSUMPTION and f.name in field_sources:
            source = field_sources[f.name]  # the block names this field's own source
        elif inherited_source and source == ASSUMPTION:
            source = f"{inherited_source} {BLOCK_MARK}"
        unit = meta.get("unit")
        where = setting.origin(name) if setting else None
        calibrated = bool(unit) and where is not None and where == setting.calibration_file
        source_cell = _cell(source) or "—"
        if calibrated:
            info = setting.config.calibration
            source_cell = _cell(f"fitted to {info.fitted_to} (`{where}`, {info.date}); "
                                f"source of the schema default: {source or '—'}")
        yield Row(_code(name), _value_cell(value, default_value, where, calibrated),
                  _cell(unit) if unit else f"*{_type_name(tp)}*", _allowed(meta, value, tp),
                  provenance(source, calibrated) if unit else None, source_cell,
                  _cell(meta.get("doc", "")) or "—", calibrated)
        args = typing.get_args(tp)
        element = args[-1] if args else None
        if is_dataclass(element):
            key = "<i>" if typing.get_origin(tp) in (list, typing.List) else "<name>"
            yield from _rows(element(), element(), f"{name}.{key}.", inherited_source, None)


def _tables(setting: Setting) -> list[tuple[str, list[Row]]]:
    """(section key, rows) for the run-level fields and every section of the configuration."""
    config, default = setting.config, setting.default
    names = [f.name for f in fields(config)]
    missing = [s for s in SECTIONS if s not in names]
    if missing:
        raise RuntimeError(f"sections missing from model.parameters.Config: {', '.join(missing)}")
    tables = [("run", list(_rows(config, default, "", None, setting,
                                 only={n for n in names if n not in SECTIONS})))]
    for f in fields(config):
        if f.name in SECTIONS:
            tables.append((f.name, list(_rows(getattr(config, f.name), getattr(default, f.name), f.name + ".",
                                              f.metadata.get("source"), setting))))
    return tables


def _counts(tables) -> dict[str, int]:
    counts = dict.fromkeys(PROVENANCES, 0)
    for _, rows in tables:
        for row in rows:
            if row.provenance is not None:
                counts[row.provenance] += 1
    return counts


def provenance_counts() -> dict[str, int]:
    """Number of parameters per provenance ("published", "calibrated", "assumption"), as in the dictionary.

    Every leaf parameter declared with a unit and a source is counted once, with the value a run
    uses by default; a field of one municipality counts once.
    """
    return _counts(_tables(in_use()))


def _table(rows: list[Row]) -> list[str]:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return lines


def _municipality_table(setting: Setting) -> list[str]:
    region = setting.config.region
    where = setting.origin("region.municipalities") or "the schema"
    lines = [f"The values in use, set by `{where}` (region `{region.name}`, {region.wijken_per_municipality} "
             "wijken per municipality). The schema default for `region.municipalities` is empty; "
             "`configs/config.yaml` selects this region.", "",
             "| " + " | ".join(MUNICIPALITY_COLUMNS) + " |", "|" + "---|" * len(MUNICIPALITY_COLUMNS)]
    for m in region.municipalities:
        lines.append("| " + " | ".join(_cell(getattr(m, c) if c == "name" else _number(getattr(m, c)))
                                       for c in MUNICIPALITY_COLUMNS) + " |")
    return lines


def _calibration_section(setting: Setting, tables) -> list[str]:
    rows = [row for _, rs in tables for row in rs if row.provenance == "calibrated"]
    from_file = [row for row in rows if row.fitted]
    others = [row for row in rows if not row.fitted]
    info = setting.config.calibration
    out = ["## Calibration", ""]
    if setting.calibration_file:
        out += [f"`{setting.calibration_file}` (written by `python -m experiments.calibrate`) sets "
                f"{len(from_file)} parameters: {', '.join(row.name for row in from_file)}. Their rows show the "
                "fitted value with the schema default beside it.", "",
                f"- fitted to: {_cell(info.fitted_to) or '—'}",
                f"- date: {_cell(info.date) or '—'}",
                f"- objective: {_cell(info.objective) or '—'}",
                f"- seeds: {_cell(info.seeds) or '—'}",
                f"- method: {_cell(info.method) or '—'}", ""]
    if others:
        out += [f"{len(others)} more parameters were fitted separately and keep their schema value; their "
                f"source says to what: {', '.join(row.name for row in others)}.", ""]
    return out


# --------------------------------------------------------------------------- the document
def render() -> str:
    """The full parameter dictionary as Markdown."""
    current = in_use()
    tables = _tables(current)
    counts = _counts(tables)
    total = sum(counts.values())
    groups = ", ".join(f"{group} `{Path(rel).stem}`" for group, rel in _config_files())
    out = [
        "# carelines parameter dictionary",
        "",
        f"This file is generated by `{COMMAND}` from the schema in `model/parameters.py` and the configs a run "
        f"loads, and must not be edited by hand; `{COMMAND} --check` tells whether it is up to date.",
        "",
        "Each value is the one a run uses unless told otherwise: the schema composed with "
        f"`configs/config.yaml` ({groups}), as `model.load_config(\"{SCENARIO}\")` does. Where a config "
        "file sets a value other than the schema default, the schema default is shown beside it. Every "
        "key can be overridden on the command line as `name=value`, using the names below. Where a field "
        "has no declared unit, the unit column shows its type in italics. `<i>` stands for a list index, "
        "`<name>` for a mapping key; such rows show the schema default of one element.",
        "",
        "## Provenance",
        "",
        f"Every leaf parameter is counted: each field declared with a unit and a source, {total} in all (a "
        "field of one municipality counts once; flags, names and texts have no source and are not counted). "
        "There is no separate count of behavioural parameters.",
        "",
        "| provenance | parameters | rule |",
        "|---|---|---|",
    ]
    calibration = current.calibration_file or "the calibration config"
    out += [f"| {p} | {counts[p]} | {PROVENANCE_RULES[p].format(calibration=calibration)} |" for p in PROVENANCES]
    out += [
        "",
        "The rule is `provenance()` in `analysis/parameter_dictionary.py`. Assumptions are set by reasoning or "
        "to reach a plausible order of magnitude, and are the first candidates for calibration to the targets "
        "and for sensitivity analysis; a source that begins with \"assumption\" and then cites a figure means "
        "the value is assumed but scaled to that figure. Where a whole block (a provider type under "
        f"`services`) has a source, that source is shown, marked {BLOCK_MARK}, for the block's parameters "
        "whose own source is just \"assumption\"; they count as assumptions.",
        "",
    ]
    out += _calibration_section(current, tables)
    for key, rows in tables:
        out += [f"## {TITLES.get(key, key)}", ""]
        if key in NOTES:
            out += [NOTES[key], ""]
        out += _table(rows) + [""]
        if key == "region":
            out += ["### Municipalities of the default region", ""] + _municipality_table(current) + [""]
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND,
                                     description="Write docs/parameters.md from the schema and the default configs.")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if docs/parameters.md is out of date, write nothing")
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
