"""The executor options every many-run command takes, checked before anything runs:

    executor=serial|processes|dask|slurm   where the runs go (default: processes, or serial
                                           with workers=1)
    workers=<n>                            worker processes (default: the machine's cores)
    dask.address=<tcp://host:port>         a running Dask scheduler (implies executor=dask)
    slurm.config=<file.yaml>               SLURM settings (default configs/executor/slurm.yaml)
"""

from __future__ import annotations

import os
import re

from research import slurm
from research.executors import Dask, Executor, Processes, Serial, Slurm

EXECUTORS = ("serial", "processes", "dask", "slurm")
KEYS = ("executor", "workers", "dask.address", "slurm.config")
ADDRESS = re.compile(r"^([a-z]+://)?[\w.\-\[\]:]+:\d+$")


class OptionError(ValueError):
    """A bad executor option, in one line naming the key and what is allowed."""


def split(args: list[str]) -> tuple[dict[str, str], list[str]]:
    """Executor options (key -> value) and every other argument, in order."""
    options, rest = {}, []
    for arg in args:
        key, sep, value = arg.partition("=")
        if sep and key in KEYS:
            options[key] = value.strip()
        else:
            rest.append(arg)
    return options, rest


def make_executor(options: dict[str, str], default: str | None = None, start_method: str = "forkserver") -> Executor:
    """The executor the options ask for (not started yet); without executor=, `default` (else
    processes, or serial for workers=1). Raises OptionError."""
    workers = os.cpu_count() or 1
    if "workers" in options:
        value = options["workers"]
        if not value.isdigit() or not 1 <= int(value) <= 10_000:
            raise OptionError(f"'workers': {value} is not allowed; allowed is a whole number in [1, 10000]")
        workers = int(value)
    address = options.get("dask.address")
    name = options.get("executor")
    if not name:  # chosen by what was given: an address, a number of workers, else the command's default
        if address:
            name = "dask"
        elif "workers" in options or default is None:
            name = "processes" if workers > 1 else "serial"
        else:
            name = default
    if name not in EXECUTORS:
        raise OptionError(f"'executor': '{name}' is not allowed; allowed are {', '.join(EXECUTORS)}")
    if address is not None:
        if name != "dask":
            raise OptionError(f"'dask.address': allowed only with executor=dask (not executor={name})")
        if not ADDRESS.match(address):
            raise OptionError(f"'dask.address': '{address}' is not allowed; allowed is a scheduler address "
                              "such as tcp://10.0.0.5:8786")
    if "slurm.config" in options and name != "slurm":
        raise OptionError(f"'slurm.config': allowed only with executor=slurm (not executor={name})")
    if name == "serial":
        return Serial()
    if name == "processes":
        return Processes(workers, start_method=start_method)
    if name == "dask":
        return Dask(workers, address=address)
    try:
        settings = slurm.load(options.get("slurm.config") or slurm.DEFAULT_FILE)
    except ValueError as exc:
        raise OptionError(str(exc)) from None
    return Slurm(settings, workers=int(options["workers"]) if "workers" in options else None)
