"""The split of a saving by mechanism (analysis.mechanisms): switching a mechanism off in both
arms, with the same seeds, shows how much of the saving rests on it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import model
from analysis.mechanisms import MECHANISMS, decompose, label, saving_scenarios


def _runs(costs: dict[str, list[float]]) -> pd.DataFrame:
    """Extracted runs holding only the total care cost per year, per run label and replication."""
    rows = [{"table": "measure", "period": -1, "metric": "cost", "line": "", "to_line": "", "domain": "",
             "financier": "", "group": "", "value": v, "scenario": s, "replication": r}
            for s, values in costs.items() for r, v in enumerate(values)]
    return pd.DataFrame(rows)


def test_a_mechanism_carries_the_saving_it_takes_away():
    runs = _runs({"baseline": [100, 101, 99], "cheap": [90, 91, 89], "dear": [105, 106, 104],
                  label("baseline", "sluitpost"): [100, 100, 100], label("cheap", "sluitpost"): [96, 96, 96]})
    assert saving_scenarios(runs) == ["cheap"]
    table = decompose(runs, ["cheap"], [m for m in MECHANISMS if m.name == "sluitpost"]).set_index("mechanism")
    assert table.loc["sluitpost", "saving"] == pytest.approx(10)
    assert table.loc["sluitpost", "saving_without"] == pytest.approx(4)
    assert table.loc["sluitpost", "contribution"] == pytest.approx(6)
    assert table.loc["sluitpost", "share"] == pytest.approx(0.6)
    assert table.loc["none", "contribution"] == pytest.approx(4)


def test_no_clear_saving_is_no_saving_scenario():
    runs = _runs({"baseline": [100, 101, 99], "noisy": [95, 108, 97]})
    assert saving_scenarios(runs) == []


@pytest.mark.parametrize("mechanism", MECHANISMS, ids=lambda m: m.name)
def test_every_mechanism_switches_off_through_valid_keys(mechanism):
    """Each mechanism's overrides are accepted by the config validation, for baseline and for
    a scenario, and change the configuration."""
    on = model.load_config("ontschotting")
    off = model.load_config("ontschotting", list(mechanism.off))
    assert model.load_config("baseline", list(mechanism.off)) is not None
    assert on != off, mechanism.name


def test_the_comparison_report_splits_a_saving_by_mechanism(tmp_path):
    """End to end: a staff shortage clearly lowers care cost (less care is given); the report
    splits that saving by mechanism, every listed mechanism switched off in both arms, and
    mechanisms.csv holds the split."""
    import subprocess
    import sys
    from pathlib import Path

    folder = tmp_path / "report"
    proc = subprocess.run([sys.executable, "-m", "experiments.compare", "scenarios=[personeelstekort]",
                           "replications=3", "mechanism_replications=2", "population.size=5000", "years=2",
                           f"hydra.run.dir={folder}"], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = pd.read_csv(folder / "mechanisms.csv")
    assert set(table["scenario"]) == {"personeelstekort"}
    rows = table.set_index("mechanism")
    assert {m.name for m in MECHANISMS} | {"none"} == set(rows.index)
    assert (rows["saving"] > 0).all() and np.isfinite(rows["contribution"]).all()
    # without capacity that follows demand neither arm grows, so the saving changes
    assert rows.loc["capacity_follows_demand", "contribution"] != 0
    assert (rows["n"] == 2).all()
    assert "What a saving rests on" in (folder / "report.md").read_text(encoding="utf-8")
