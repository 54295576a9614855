"""The layering holds: model <- analysis <- research <- experiments, benchmarks (and the page).
A package imports only packages below it; the contract lives in pyproject.toml
([tool.importlinter]) and is checked here with import-linter, over every package of the project."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def contract() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_every_package_of_the_project_is_in_the_layering():
    packages = {p.parent.name for p in REPO.glob("*/__init__.py") if p.parent.name != "tests"}
    assert packages == set(contract()["root_packages"])
    layered = {name.strip() for layer in contract()["contracts"][0]["layers"] for name in layer.split("|")}
    assert layered == packages


def test_no_package_imports_one_above_it():
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "0 broken" in proc.stdout


def test_a_model_module_importing_the_analysis_is_refused(tmp_path):
    """The check can fail: in a copy of model and analysis where model imports analysis, the
    same contract (restricted to these two) is broken."""
    import shutil
    for name in ("model", "analysis"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "_resources"))
    (tmp_path / "model" / "_breaks_layering.py").write_text("import analysis.labels\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.importlinter]\nroot_packages = ["model", "analysis"]\n'
        '[[tool.importlinter.contracts]]\nname = "layers"\ntype = "layers"\nlayers = ["analysis", "model"]\n')
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert proc.returncode != 0
    assert "model._breaks_layering -> analysis.labels" in proc.stdout
