"""Where the configs and data are: the one place that knows.

From a checkout (or an editable install) they are the repository's configs/ and data/
folders. An installed package (`pip install .`) carries copies of both inside the `model`
package (model/_resources/, put there at build time by setup.py), so a Dask worker or a cluster
node started in any directory finds them. The checkout wins when both exist, so editing
configs/ in a checkout takes effect at once.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent
SHIPPED = PACKAGE / "_resources"


def is_checkout() -> bool:
    """True when the code runs from the repository (plain or editable install)."""
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "configs" / "config.yaml").is_file()


def root() -> Path:
    """The folder holding configs/ and data/: the checkout, else the copy shipped with the package."""
    if is_checkout():
        return CHECKOUT
    if (SHIPPED / "configs" / "config.yaml").is_file():
        return SHIPPED
    raise FileNotFoundError(f"carelines: no configs found, neither in a checkout ({CHECKOUT / 'configs'}) "
                            f"nor shipped with the package ({SHIPPED / 'configs'}); reinstall the package")


def config_dir() -> Path:
    """The configs folder (the Hydra config groups, registry.yaml, executor/slurm.yaml)."""
    return root() / "configs"


def data_dir() -> Path:
    """The data folder (targets.yaml, sources.yaml)."""
    return root() / "data"


def output_root() -> Path:
    """Where new output folders go by default: the checkout, else the current directory."""
    return CHECKOUT if is_checkout() else Path.cwd()
