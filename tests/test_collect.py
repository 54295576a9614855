"""Sweeps with Hydra: experiments.collect gathers a sweep folder into one table (overrides as
columns), Hydra's joblib launcher runs a sweep through experiments.run, and the SLURM launcher
config composes (without submitting)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from experiments import collect

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def fake_run(folder: Path, overrides: list[str], cost: float, finished: bool = True) -> None:
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    if finished:
        summary = {"scenario": "baseline", "seed": 1, "years": 1, "cost_per_year_total": cost,
                   "clients": {"nulde": 1.0, "eerste": 2.0, "tweede": 3.0}}
        (folder / "summary.json").write_text(json.dumps(summary))
        pd.DataFrame({"month": [0, 1], "metric": ["cost", "cost"], "value": [cost, cost]}).to_parquet(
            folder / "timeseries.parquet", index=False)


def cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "experiments.collect", *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=120)


def test_collect_overrides_as_columns(tmp_path):
    (tmp_path / "multirun.yaml").write_text("hydra: {}\n")
    fake_run(tmp_path / "0", ["seed=1", "population.size=2000"], 10.0)
    fake_run(tmp_path / "1", ["seed=2", "population.size=2000", "scenario=[voorzorg,schuldhulp]"], 20.0)
    fake_run(tmp_path / "2", ["seed=3", "population.size=2000"], 0.0, finished=False)  # still running or failed
    df, skipped = collect.collect(tmp_path)
    assert skipped == 1
    assert list(df.columns[:4]) == ["run", "seed", "population.size", "scenario"]
    assert df["run"].tolist() == ["0", "1"] and df["seed"].tolist() == [1, 2]
    assert df["scenario"].tolist()[1] == '["voorzorg", "schuldhulp"]' and pd.isna(df["scenario"].tolist()[0])
    assert df["cost_per_year_total"].tolist() == [10.0, 20.0] and "clients.eerste" in df.columns
    assert "summary.seed" not in df.columns  # the override column holds it

    proc = cli(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "1 job folders skipped" in proc.stdout and str(tmp_path / "collected.parquet") in proc.stdout
    back = pd.read_parquet(tmp_path / "collected.parquet")
    assert back.shape == df.shape and pd.read_csv(tmp_path / "collected.csv").shape == df.shape
    assert not list(tmp_path.glob(".*.tmp"))

    proc = cli(tmp_path, "table=timeseries")
    assert proc.returncode == 0, proc.stderr
    ts = pd.read_parquet(tmp_path / "collected_timeseries.parquet")
    assert len(ts) == 4 and list(ts.columns[:4]) == ["run", "seed", "population.size", "scenario"]


def refused(capsys, *args) -> str:
    with pytest.raises(SystemExit) as stop:
        collect.main([str(a) for a in args])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_collect_refuses_clearly(tmp_path, capsys):
    assert "not a sweep folder" in refused(capsys, tmp_path)  # an empty folder is no sweep
    fake_run(tmp_path / "0", ["seed=1"], 0.0, finished=False)
    assert "no finished runs" in refused(capsys, tmp_path)
    assert "table" in refused(capsys, tmp_path, "table=ledger")
    assert "no such folder" in refused(capsys, tmp_path / "missing")
    assert "one sweep folder" in refused(capsys)


def test_joblib_launcher_sweep_then_collect(tmp_path):
    sweep = tmp_path / "sweep"
    proc = subprocess.run([sys.executable, "-m", "experiments.run", "--multirun", "hydra/launcher=joblib",
                           "hydra.launcher.n_jobs=2", "seed=1,2", "population.size=2000", "years=1",
                           f"hydra.sweep.dir={sweep}"], cwd=REPO, env=ENV, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "JoblibLauncher" in yaml.safe_load((sweep / "multirun.yaml").read_text())["hydra"]["launcher"]["_target_"]
    for job in ("0", "1"):
        assert (sweep / job / "summary.json").exists() and (sweep / job / ".hydra" / "overrides.yaml").exists()
        assert (sweep / job / "timeseries.parquet").exists()
    proc = cli(sweep)
    assert proc.returncode == 0, proc.stderr
    df = pd.read_parquet(sweep / "collected.parquet")
    assert df["seed"].tolist() == [1, 2] and (df["population.size"] == 2000).all()


def test_bad_key_stops_a_hydra_sweep_before_launching(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.run", "--multirun", "hydra/launcher=joblib",
                           "seed=1,2", "population.sise=10", f"hydra.sweep.dir={tmp_path / 'never'}"],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "population.sise" in proc.stderr and not (tmp_path / "never").exists()


def test_slurm_launcher_config_composes():
    """configs/hydra/launcher/cluster.yaml on top of submitit_slurm; nothing is submitted."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.plugins import Plugins
    from hydra.plugins.launcher import Launcher
    from hydra.utils import get_class

    from model import paths

    names = {cls.__name__ for cls in Plugins.instance().discover(Launcher)}
    assert {"BasicLauncher", "JoblibLauncher", "SlurmLauncher"} <= names
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(paths.config_dir()), version_base="1.3"):
            cfg = compose("config", overrides=["hydra/launcher=cluster", "hydra.launcher.partition=normal",
                                               "hydra.launcher.timeout_min=30"], return_hydra_config=True)
    finally:
        GlobalHydra.instance().clear()
    launcher = cfg.hydra.launcher
    assert get_class(launcher._target_).__name__ == "SlurmLauncher"
    assert (launcher.partition, launcher.timeout_min, launcher.cpus_per_task, launcher.mem_gb) == ("normal", 30, 1, 4)
    # the command line shows the same without submitting
    proc = subprocess.run([sys.executable, "-m", "experiments.run", "hydra/launcher=cluster",
                           "hydra.launcher.partition=normal", "--cfg", "hydra", "-p", "hydra.launcher"],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "SlurmLauncher" in proc.stdout and "partition: normal" in proc.stdout
