"""The parameter dictionary is up to date, shows the values runs use with their provenance, and every
declared parameter is fully documented."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass

import pytest
from omegaconf import OmegaConf

from analysis import parameter_dictionary
from model.parameters import Config, MunicipalityConfig, iter_parameters

FITTED = parameter_dictionary.ROOT / "configs" / "calibration" / "fitted.yaml"

# Fields of model/parameters.py found lacking by test_every_parameter_is_documented_and_in_range.
# Empty: the current schema has no gaps. Name any offender here (and fix the schema) rather than
# loosening the test.
KNOWN_GAPS: tuple[str, ...] = ()


def _declared_parameters(obj, prefix=""):
    """(dotted name, value, metadata) for every leaf declared with `param(...)` or `choice(...)`."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if is_dataclass(value):
            yield from _declared_parameters(value, name + ".")
        elif "unit" in f.metadata:
            yield name, value, f.metadata


def _all_declared():
    yield from _declared_parameters(Config())
    # the municipality list is empty in the schema default: check one municipality's defaults
    yield from _declared_parameters(MunicipalityConfig(), "region.municipalities.<i>.")


def _problems(name, value, meta) -> list[str]:
    out = [f"{name}: empty {key}" for key in ("unit", "source", "doc") if not str(meta.get(key, "")).strip()]
    if "choices" in meta:
        if value not in meta["choices"]:
            out.append(f"{name}: default {value!r} not in {meta['choices']}")
        return out
    low, high = meta.get("range", (None, None))
    values = value if isinstance(value, list) else [value]
    flat = [v for row in values for v in (row if isinstance(row, list) else [row])]
    for v in flat:
        if (low is not None and v < low) or (high is not None and v > high):
            out.append(f"{name}: default {v!r} outside [{low}, {high}]")
    return out


def test_parameters_md_is_up_to_date():
    path = parameter_dictionary.OUTPUT
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    assert parameter_dictionary.render() == current, (
        "docs/parameters.md is out of date: run `python -m analysis.parameter_dictionary` to refresh")


def test_check_flag_agrees(capsys):
    assert parameter_dictionary.main(["--check"]) == 0, capsys.readouterr().out


def test_every_parameter_is_documented_and_in_range():
    params = list(_all_declared())
    assert len(params) > 50
    problems = [p for name, value, meta in params for p in _problems(name, value, meta)]
    unexpected = [p for p in problems if p.split(":")[0] not in KNOWN_GAPS]
    assert not unexpected, "parameters with gaps in model/parameters.py:\n" + "\n".join(unexpected)
    if KNOWN_GAPS:
        pytest.xfail("known gaps in model/parameters.py: " + ", ".join(KNOWN_GAPS))


def _document() -> str:
    return parameter_dictionary.OUTPUT.read_text(encoding="utf-8")


def _row(text: str, name: str) -> str:
    rows = [line for line in text.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name}: {len(rows)} rows in docs/parameters.md"
    return rows[0]


def _fitted() -> tuple[dict, list[tuple[str, object]]]:
    """The calibration block and (dotted name, fitted value) of every value in configs/calibration/fitted.yaml."""
    tree = OmegaConf.to_container(OmegaConf.load(FITTED), resolve=True)
    info = tree.pop("calibration")
    out = []

    def walk(node, prefix):
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out.append((f"{prefix}{key}", value))
    walk(tree, "")
    return info, out


def _text(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    return repr(float(value)) if isinstance(value, float) else str(value)


def test_provenance_counts_at_the_top_match():
    text = _document()
    top = text.split("\n## Calibration")[0]
    shown = {m.group(1): int(m.group(2))
             for m in re.finditer(r"^\| (published|calibrated|assumption) \| (\d+) \|", top, re.M)}
    counts = parameter_dictionary.provenance_counts()
    assert shown == counts
    assert set(counts) == {"published", "calibrated", "assumption"}
    assert sum(counts.values()) == len(list(_all_declared()))
    assert f"{sum(counts.values())} in all" in top
    assert all(n > 0 for n in counts.values()), counts


def test_every_row_carries_the_provenance_it_is_counted_under():
    text = _document()
    column = [line.split(" | ")[4] for line in text.splitlines()
              if line.startswith("| `") and line.split(" | ")[4] != "—"]
    counts = parameter_dictionary.provenance_counts()
    assert {p: column.count(p) for p in counts} == counts
    assert len(column) == sum(counts.values())


def test_calibrated_parameters_show_the_fitted_value_and_what_it_was_fitted_to():
    info, fitted = _fitted()
    assert fitted, "configs/calibration/fitted.yaml sets no values"
    targets = [t.strip() for t in str(info["fitted_to"]).split(",") if t.strip()]
    assert targets
    text = _document()
    schema = {name: value for name, value, _ in iter_parameters(Config())}
    for name, value in fitted:
        row = _row(text, name)
        cells = row.split(" | ")
        assert cells[1].startswith(f"`{_text(value)}`"), f"{name}: fitted value {_text(value)} not shown: {row}"
        assert cells[4] == "calibrated", row
        for target in targets:
            assert target in cells[5], f"{name}: fitted_to target {target} missing: {row}"
        if schema[name] != value:
            assert f"schema default `{_text(schema[name])}`" in cells[1], row
    for key in ("date", "objective", "seeds", "method"):
        assert str(info[key]) in text


def test_provenance_rule():
    p = parameter_dictionary.provenance
    assert p("assumption", calibrated=True) == "calibrated"
    assert p("CBS StatLine 85496NED (1 January 2023)") == "published"
    assert p("assumption: scaled to Zvw GGZ EUR 4.2 bn (2020)") == "assumption"
    assert p("NZa tariff 2022-2023: consult EUR 11.51 (block source)") == "assumption"
    assert p("fitted to the CPB (2020) wijkteam comparison") == "calibrated"
    assert p("docs/design.md section 3: needs worsen while waiting; size assumed") == "assumption"
    assert p("docs/design.md section 3") == "assumption"

