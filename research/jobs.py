"""A job: one simulation (a configuration and a seed) and what to keep of it.

The reducer is named as "module:function" rather than passed as a function, so a job pickles
to any worker (a local process, a Dask worker on another machine) and the worker imports the
reducer itself. It is called there with the run's `model.Results` (and the job's `args`), so
only its small result travels back.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import time
import traceback
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import model
from model import paths

NOT_MODEL = ("registry.yaml",)  # configs the model never loads (relative to configs/)


@dataclass(frozen=True, eq=False)
class Job:
    """One simulation and what to keep of it.

    Attributes:
        config: a validated `model.Config`, or the overrides that build one (built in the
            worker with `model.load_config`; a `scenario=` override selects the scenario).
        seed: the run's seed; it replaces the config's own.
        reducer: "module:function" called in the worker as function(results, *args); its
            return value is what is kept (small, picklable).
        args: further arguments to the reducer (small, picklable; part of the key).
        label: for people (progress bar, error files); not part of the key.
    """

    config: model.Config | tuple[str, ...]
    seed: int
    reducer: str
    args: tuple = ()
    label: str = field(default="")

    def __post_init__(self):
        if isinstance(self.config, list):
            object.__setattr__(self, "config", tuple(self.config))
        reducer_function(self.reducer)  # an unknown reducer stops here, before anything runs

    def build(self) -> model.Config:
        """The configuration this job runs."""
        if isinstance(self.config, tuple):
            return model.load_config("baseline", [*self.config, f"seed={self.seed}"])
        return replace(self.config, seed=self.seed)

    @cached_property
    def key(self) -> str:
        """Stable name for storage: a hash of the configuration, seed, reducer and its
        arguments, and of the code and configs that turn them into a result."""
        if isinstance(self.config, tuple):
            what = "overrides:" + "\n".join(self.config)
        else:
            what = repr(replace(self.config, seed=0))  # every field, exact floats; fast
        text = "\n".join([what, f"seed={self.seed}", f"reducer={self.reducer}", f"args={self.args!r}",
                          code_digest(), module_digest(self.reducer.partition(":")[0])])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Done:
    """A finished job: what its reducer kept, and the seconds the run and reduction took."""
    key: str
    value: Any
    seconds: float


@dataclass(frozen=True)
class Failed:
    """A job that raised: the error's last line (what went wrong) and the full traceback."""
    key: str
    error: str
    traceback: str = ""


def run_job(job: Job) -> Done | Failed:
    """Build, simulate and reduce one job (in whichever worker runs it). An error becomes a
    `Failed` record, so one bad job never stops the others."""
    started = time.perf_counter()
    try:
        value = reducer_function(job.reducer)(model.run(job.build()), *job.args)
    except Exception as exc:  # noqa: BLE001 - any error of one run is that run's result
        return failure(job, exc)
    return Done(job.key, value, time.perf_counter() - started)


def failure(job: Job, exc: BaseException) -> Failed:
    return Failed(job.key, traceback.format_exception_only(exc)[-1].strip(),
                  "".join(traceback.format_exception(exc)))


@functools.cache
def reducer_function(name: str):
    """The function a "module:function" name refers to."""
    module, sep, function = name.partition(":")
    if not sep or not module or not function:
        raise ValueError(f"reducer '{name}': give it as 'module:function'")
    found = getattr(importlib.import_module(module), function, None)
    if not callable(found):
        raise ValueError(f"reducer '{name}': {module} has no function {function}")
    return found


@functools.cache
def code_digest() -> str:
    """Fingerprint of the model code and the configs it loads: results of older code or
    configs (a new calibration, say) are not reused. The executor settings and the parameter
    registry (configs/registry.yaml, read by studies, never by the model) are left out."""
    h = hashlib.sha256()
    configs = paths.config_dir()
    files = [*((f"model/{p.relative_to(paths.PACKAGE).as_posix()}", p)
               for p in sorted(paths.PACKAGE.rglob("*.py")) if "_resources" not in p.parts),
             *((f"configs/{p.relative_to(configs).as_posix()}", p) for p in sorted(configs.rglob("*.yaml"))
               if not {"executor", "hydra"} & set(p.relative_to(configs).parts)
               and p.relative_to(configs).as_posix() not in NOT_MODEL)]
    for name, path in files:  # named relative to the checkout, so an installed copy gives the same keys
        h.update(name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def module_digest(module: str) -> str:
    """Fingerprint of the file a reducer lives in: a changed reducer keeps something else."""
    path = getattr(importlib.import_module(module), "__file__", None)
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else module
