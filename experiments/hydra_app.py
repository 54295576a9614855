"""experiments.run as a genuine Hydra application, for Hydra's launchers and sweepers.

`python -m experiments.run` hands its arguments to this app when they ask Hydra for something
(a `hydra/...` group such as `hydra/launcher=joblib` or `hydra/launcher=cluster`, another
`hydra.*` setting than hydra.run.dir and hydra.sweep.dir, or `--cfg`, `--info`, `--resolve`):

    python -m experiments.run --multirun hydra/launcher=joblib seed=1,2 population.size=2000 years=1
    python -m experiments.run --multirun hydra/launcher=cluster seed=range(1,41)   # SLURM, submitit

Each job validates its overrides with `model.load_config` (as every run does), runs the model and
writes the usual run folder into Hydra's job folder (<sweep dir>/<job number>/) beside Hydra's
.hydra/ (config.yaml, hydra.yaml, overrides.yaml). `experiments.collect <sweep dir>` gathers them.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

import model
from model import paths, provenance

VALUED_FLAGS = ("--cfg", "-c", "--package", "-p", "--config-path", "-cp", "--config-name", "-cn",
                "--config-dir", "-cd", "--experimental-rerun")
INFO_KINDS = ("all", "config", "defaults", "defaults-tree", "plugins", "searchpath")
HYDRA_FLAGS = ("--cfg", "-c", "--info", "-i", "--resolve", "--package", "-p", "--help", "-h", "--hydra-help")


def wants_hydra(argv: list[str]) -> bool:
    """True when the arguments ask for Hydra itself (a launcher, a sweeper, a Hydra flag)."""
    for arg in argv:
        if arg.startswith("hydra/") or arg in HYDRA_FLAGS or arg.startswith("--cfg=") or arg.startswith("--info="):
            return True
        if arg.startswith("hydra.") and not arg.startswith(("hydra.run.dir=", "hydra.sweep.dir=")):
            return True
    return False


# Hydra flags that read configs or a pickled run from a path the user gives: refused, so the
# only configs Hydra composes are those under configs/ and the launcher plugins installed
REFUSED_FLAGS = ("--config-path", "-cp", "--config-dir", "-cd", "--config-name", "-cn", "--experimental-rerun")
REFUSED_HYDRA_KEYS = ("hydra.callbacks", "hydra.searchpath")  # classes to import, places to find configs


def unsafe(argv: list[str]) -> str | None:
    """One line saying why the arguments could make Hydra run code of the user's choosing
    (a `_target_`, an interpolation, callbacks, another config search path, a pickle to rerun);
    None when they are plain settings."""
    for arg in argv:
        flag = arg.split("=", 1)[0]
        if flag in REFUSED_FLAGS:
            return f"'{flag}': not allowed; configs come from carelines' configs/ only"
        if arg.startswith("-"):
            continue
        key, _, value = arg.partition("=")
        key = key.lstrip("+~")
        if "${" in arg:
            return f"'{key}': interpolations (${{...}}) are not allowed; give a plain value"
        if any(part.startswith("_") for part in key.replace("/", ".").split(".")):
            return f"'{key}': keys starting with '_' (such as _target_) are not allowed; settings hold values only"
        if key.startswith(REFUSED_HYDRA_KEYS) or key.startswith(("hydra/callbacks", "hydra/searchpath")):
            return f"'{key}': not allowed; allowed hydra settings are launchers and sweepers (hydra/launcher=...) " \
                   "and their options"
    return None


def split_flags(argv: list[str]) -> tuple[list[str], list[str]]:
    """Hydra's flags (with their values) and the overrides (model and hydra ones), in order."""
    flags, overrides, i = [], [], 0
    while i < len(argv):
        arg = argv[i]
        takes_value = arg in VALUED_FLAGS or (arg in ("--info", "-i") and i + 1 < len(argv)
                                              and argv[i + 1] in INFO_KINDS)
        if takes_value:
            flags += argv[i:i + 2]
            i += 2
            continue
        (flags if arg.startswith("-") else overrides).append(arg)
        i += 1
    return flags, overrides


def model_overrides(argv: list[str]) -> list[str]:
    """The arguments that are the model's overrides: not Hydra's flags, hydra/... groups or
    hydra.* settings."""
    return [a for a in split_flags(argv)[1] if not a.startswith(("hydra/", "hydra."))]


def save_into(results: model.Results, folder: Path, extra=None) -> Path:
    """Save a run into an existing folder (Hydra's job folder, which holds .hydra/) without
    touching what is there: written beside it first, then moved in, summary.json and then
    COMPLETE.json last, so a job folder with summary.json is a finished run."""
    staging = folder.with_name(f".{folder.name}.run")
    results.save(staging, extra=extra)
    last = {"summary.json": 1, provenance.MARKER: 2}  # the marker last: the folder is complete then
    names = sorted((p.name for p in staging.iterdir()), key=lambda n: last.get(n, 0))
    for name in names:
        target = folder / name
        if target.is_dir():
            shutil.rmtree(target)
        os.replace(staging / name, target)
    staging.rmdir()
    return folder


@hydra.main(config_path=str(paths.config_dir()), config_name="config", version_base="1.3")
def job(cfg: DictConfig) -> str:
    from experiments.run import overview_extra, summary_table

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Hydra logs INFO; Mesa's is a line per step
    hc = HydraConfig.get()
    overrides = list(hc.overrides.task)
    config = model.load_config(overrides=overrides)
    folder = Path(hc.runtime.output_dir)
    results = model.run(config)
    save_into(results, folder, extra=overview_extra)
    print(summary_table(results.summary))
    print(f"run folder: {folder}")
    return str(folder)


def main(argv: list[str], default_root: Path, default_run: Path) -> None:
    """Run the Hydra app on `argv` (run and sweep folders default to the usual places)."""
    defaults = []  # before the given arguments: Hydra takes the overrides as one positional list
    if not any(a.startswith("hydra.sweep.dir=") for a in argv):
        defaults.append(f"hydra.sweep.dir={default_root}")
    if not any(a.startswith("hydra.job.name=") for a in argv):
        defaults.append("hydra.job.name=run")  # Hydra's log in each job folder: run.log
    if not any(a.startswith("hydra.run.dir=") for a in argv):
        defaults.append(f"hydra.run.dir={default_run}")
    flags, overrides = split_flags(argv)  # Hydra wants its flags first, then the overrides
    sys.argv = [sys.argv[0] or "experiments.run", *flags, *defaults, *overrides]
    job()
