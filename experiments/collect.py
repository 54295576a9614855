"""Gather the runs of a sweep into one tidy table, the overrides as columns.

    python -m experiments.collect multirun/2026-12-03/17-19-00_ab12cd
    python -m experiments.collect <sweep folder> table=timeseries

A sweep folder is what `experiments.run --multirun` writes, with its own executor or a Hydra
launcher (hydra/launcher=joblib, hydra/launcher=cluster): one job folder per run holding the run
folder's files and .hydra/overrides.yaml. A job folder with summary.json is a finished run; the
others (still running, failed, interrupted) are skipped and counted.

table=summary (default): one row per run: `run` (the job folder's name), one column per
overridden key (its value in that run; empty where a run did not override it) and the run's
summary measures (summary.json, nested names joined with dots, e.g. clients.eerste; its
scenario, seed and years are left out where an override column of that name holds them).
table=timeseries: every run's timeseries (month, municipality, metric, ..., value) with `run`
and the override columns in front.

Writes collected.parquet and collected.csv into the sweep folder (collected_timeseries.* for
table=timeseries), each to a temporary file first and then renamed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from experiments.cli import fail
from model.provenance import write_atomic

TABLES = ("summary", "timeseries")
IDENTIFIERS = ("scenario", "seed", "years")  # in summary.json and in the overrides: the override column holds it


def job_folders(root: Path) -> list[Path]:
    """The sweep's job folders: subfolders holding .hydra/ or a run's summary.json, or named by
    a job number (Hydra's and experiments.run's layout), in job-number order."""
    found = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
             and ((p / ".hydra").is_dir() or p.name.isdigit())]
    return sorted(found, key=lambda p: (not p.name.isdigit(), int(p.name) if p.name.isdigit() else 0, p.name))


def is_sweep(root: Path) -> bool:
    return ((root / "multirun.yaml").exists() or (root / "jobs").is_dir()
            or any((p / ".hydra" / "overrides.yaml").exists() for p in job_folders(root)))


def read_overrides(folder: Path) -> dict[str, object]:
    """key -> value of a run's overrides (.hydra/overrides.yaml), values typed as YAML reads them."""
    file = folder / ".hydra" / "overrides.yaml"
    if not file.exists():
        return {}
    out = {}
    for text in yaml.safe_load(file.read_text()) or []:
        key, _, value = str(text).partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra.") or key.startswith("hydra/"):
            continue
        try:
            out[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[key] = value
    return out


def flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in d.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _tidy_column(values: pd.Series) -> pd.Series:
    """An override column with one type: numbers (or booleans) stay so, anything mixed or
    structured (lists, scenario combinations) becomes text."""
    present = values.dropna()
    kinds = {type(v) for v in present}
    if kinds <= {bool} or kinds <= {int} or kinds <= {int, float}:
        return values
    return values.map(lambda v: v if v is None or (isinstance(v, float) and pd.isna(v))
                      else (json.dumps(v) if isinstance(v, (list, dict)) else str(v)))


def collect(root: str | Path, table: str = "summary") -> tuple[pd.DataFrame, int]:
    """The collected table and the number of job folders skipped (not finished). Raises
    ValueError (one line) if root is no sweep folder or holds no finished run."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root}: no such folder")
    if not is_sweep(root):
        raise ValueError(f"{root}: not a sweep folder (no multirun.yaml, jobs/ or job folders with "
                         ".hydra/overrides.yaml); give the folder experiments.run --multirun wrote")
    folders = job_folders(root)
    finished = [p for p in folders if (p / "summary.json").exists()]
    skipped = len(folders) - len(finished)
    if not finished:
        raise ValueError(f"{root}: no finished runs ({skipped} job folders, none with summary.json)")
    overrides = {p.name: read_overrides(p) for p in finished}
    keys = list(dict.fromkeys(k for ov in overrides.values() for k in ov))
    frames = []
    for p in finished:
        if table == "summary":
            measures = flatten(json.loads((p / "summary.json").read_text()))
            frame = pd.DataFrame([{k if k not in keys else f"summary.{k}": v for k, v in measures.items()
                                   if not (k in IDENTIFIERS and k in keys)}])
        else:
            frame = pd.read_parquet(p / "timeseries.parquet")
        front = {"run": p.name, **{k: overrides[p.name].get(k) for k in keys}}
        for i, (k, v) in enumerate(front.items()):
            frame.insert(i, k, [v] * len(frame))
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    for k in keys:
        out[k] = _tidy_column(out[k].astype(object).where(out[k].notna(), None))
    return out, skipped


def write(df: pd.DataFrame, root: Path, stem: str) -> list[Path]:
    """Parquet and CSV in root, each written to a temporary file and renamed into place."""
    written = []
    for suffix, writer in ((".parquet", lambda f: df.to_parquet(f, index=False)),
                           (".csv", lambda f: df.to_csv(f, index=False))):
        target = root / f"{stem}{suffix}"
        write_atomic(target, writer)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    folders = [a for a in argv if "=" not in a]
    options = dict(a.split("=", 1) for a in argv if "=" in a)
    if len(folders) != 1:
        fail("give one sweep folder: python -m experiments.collect <multirun folder> [table=summary|timeseries]")
    unknown = set(options) - {"table"}
    if unknown:
        fail(f"unknown option '{sorted(unknown)[0]}'; allowed is table=summary|timeseries")
    table = options.get("table", "summary")
    if table not in TABLES:
        fail(f"'table': '{table}' is not allowed; allowed are {', '.join(TABLES)}")
    root = Path(folders[0]).resolve()
    try:
        df, skipped = collect(root, table)
    except ValueError as exc:
        fail(str(exc))
    stem = "collected" if table == "summary" else "collected_timeseries"
    written = write(df, root, stem)
    runs = df["run"].nunique()
    print(f"{runs} finished runs collected, {df.shape[0]} rows x {df.shape[1]} columns")
    if skipped:
        print(f"{skipped} job folders skipped (unfinished or failed: no summary.json)")
    failed = len(list((root / "jobs").glob("*.error.json"))) if (root / "jobs").is_dir() else 0
    if failed:
        print(f"{failed} runs failed (errors in {root / 'jobs'})")
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
