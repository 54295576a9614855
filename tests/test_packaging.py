"""Runs work away from the checkout: configs and data are found through model.paths, from the
repository or from the copy an installed (non-editable) package carries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from model import paths

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("model", "experiments", "analysis", "research", "configs", "data",
           "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")
CHECK = """
import model, analysis.calibration_targets as targets, research.registry as registry, research.slurm as slurm
from model import paths
from model.config import available
print(paths.root(), paths.is_checkout())
assert targets.TARGETS_FILE.exists() and registry.DEFAULT_FILE.exists() and slurm.DEFAULT_FILE.exists()
assert "baseline" in available("scenario") and "voorbeeldregio" in available("region")
config = model.load_config("baseline", ["population.size=500", "years=1"])
"""


def test_checkout_paths():
    assert paths.is_checkout()
    assert paths.config_dir() == REPO / "configs" and paths.data_dir() == REPO / "data"


def test_run_from_another_directory(tmp_path):
    """A worker started elsewhere (cwd not the repository) finds configs and data."""
    code = "import model; r = model.run(model.load_config('baseline', ['population.size=500','years=1'])); " \
           "print(r.summary['residents_mean'])"
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert float(proc.stdout.strip().splitlines()[-1]) > 0
    assert list(tmp_path.iterdir()) == []  # nothing written where it was started


def test_installed_package_carries_configs_and_data(tmp_path):
    """A non-editable build (the wheel `pip install .` installs) holds configs/ and data/ and
    finds them without the checkout; the model code digest (job keys) is the same as here."""
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(
            REPO / name, src / name, **({"ignore": shutil.ignore_patterns("__pycache__", "_resources")}
                                        if (REPO / name).is_dir() else {}))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "wheel"),
                            str(src)], capture_output=True, text=True, timeout=300)
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here (no setuptools from the package index?): {build.stderr[-300:]}")
    wheel = next((tmp_path / "wheel").glob("carelines-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # what pip install puts in site-packages
    assert (site / "model" / "_resources" / "configs" / "config.yaml").exists()
    assert (site / "model" / "_resources" / "data" / "targets.yaml").exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-c", CHECK + "from research.jobs import code_digest; print(code_digest())"],
                          cwd=elsewhere, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(site)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    root, installed = proc.stdout.splitlines()[0].rsplit(" ", 1)
    assert Path(root) == site / "model" / "_resources" and installed == "False"
    from research.jobs import code_digest
    assert proc.stdout.strip().splitlines()[-1] == code_digest()
