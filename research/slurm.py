"""SLURM settings for Dask workers (dask-jobqueue), read from a YAML file.

Each SLURM job asks for `cores` cores and runs one single-threaded Dask worker per core;
`jobs` such jobs are submitted when a study starts (`workers=` on the command line asks for
that many workers instead). See configs/executor/slurm.yaml for every key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from model import paths

DEFAULT_FILE = paths.config_dir() / "executor" / "slurm.yaml"
WALLTIME = re.compile(r"^(\d+-)?\d{1,3}:\d{2}(:\d{2})?$")
MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|[KMGT]i?B?)$", re.IGNORECASE)


@dataclass(frozen=True)
class SlurmSettings:
    """What every SLURM job asks for, and how many jobs to start."""
    queue: str
    cores: int
    memory: str
    walltime: str
    jobs: int = 1
    account: str | None = None
    job_extra: tuple[str, ...] = ()
    prologue: tuple[str, ...] = ()
    python: str | None = None
    interface: str | None = None
    local_directory: str | None = None
    log_directory: str | None = None
    source: str = ""

    @property
    def workers(self) -> int:
        return self.jobs * self.cores


REQUIRED = ("queue", "cores", "memory", "walltime")
KEYS = (*REQUIRED, "jobs", "account", "job_extra", "prologue", "python", "interface", "local_directory",
        "log_directory")


def load(path: str | Path = DEFAULT_FILE) -> SlurmSettings:
    """Read and check a SLURM settings file; a problem raises ValueError with one line naming
    the key and what is allowed."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"'slurm.config': no such file {path}; allowed is a YAML file like {DEFAULT_FILE.name}")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"'slurm.config': {path} is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(raw, dict):
        raise ValueError(f"'slurm.config': {path} must hold key: value settings; allowed keys are {', '.join(KEYS)}")
    for key in raw:
        if key not in KEYS:
            raise ValueError(f"'{key}' in {path}: unknown key; allowed keys are {', '.join(KEYS)}")
    for key in REQUIRED:
        if raw.get(key) in (None, ""):
            raise ValueError(f"'{key}' in {path}: missing; required are {', '.join(REQUIRED)}")
    for key in ("cores", "jobs"):
        value = raw.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
            raise ValueError(f"'{key}' in {path}: {value!r} is not allowed; allowed is a whole number in [1, 10000]")
    if not MEMORY.match(str(raw["memory"])):
        raise ValueError(f"'memory' in {path}: {raw['memory']!r} is not allowed; allowed is an amount such as 16GB")
    if not WALLTIME.match(str(raw["walltime"])):
        raise ValueError(f"'walltime' in {path}: {raw['walltime']!r} is not allowed; allowed is [D-]HH:MM[:SS]")
    lists = {}
    for key in ("job_extra", "prologue"):
        value = raw.get(key) or []
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise ValueError(f"'{key}' in {path}: allowed is a list of strings")
        lists[key] = tuple(value)
    plain = {k: (str(raw[k]) if raw.get(k) is not None else None)
             for k in ("account", "python", "interface", "local_directory", "log_directory")}
    return SlurmSettings(queue=str(raw["queue"]), cores=raw["cores"], memory=str(raw["memory"]),
                         walltime=str(raw["walltime"]), jobs=raw.get("jobs", 1), **lists, **plain, source=str(path))


def cluster(settings: SlurmSettings):
    """The dask-jobqueue cluster for these settings (no job is submitted until it is scaled)."""
    from dask_jobqueue import SLURMCluster

    options = {"queue": settings.queue, "account": settings.account, "cores": settings.cores,
               "processes": settings.cores,  # one worker per core, each single-threaded
               "memory": settings.memory, "walltime": settings.walltime,
               "job_extra_directives": list(settings.job_extra), "job_script_prologue": list(settings.prologue),
               "python": settings.python, "interface": settings.interface,
               "local_directory": settings.local_directory, "log_directory": settings.log_directory}
    return SLURMCluster(**{k: v for k, v in options.items() if v is not None})
