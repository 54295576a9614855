"""Threads for the per-resident kernels: one by default, more as an option for one big run.

Kernels run on one thread by default: a sweep or comparison uses the cores through its
processes, and on a busy machine the threads of a parallel kernel wait for each other. A single
large run (the whole Netherlands) can run the kernels that update each resident on its own
(health, determinants) on several threads: set CARELINES_THREADS=2 in the environment, or call
`use_threads(2)` before running. Results are the same: no sum runs across residents there.
"""

from __future__ import annotations

import os

import numba

_threads = max(1, int(os.environ.get("CARELINES_THREADS", "1") or 1))


def use_threads(n: int) -> None:
    """Run the per-resident kernels on `n` threads (1: serial, the default).

    Unless NUMBA_THREADING_LAYER says otherwise, the threads come from numba's workqueue layer:
    OpenMP's threads spin while they wait, and on a busy machine that spinning took the time
    slices the work needed (measured: slower than one thread; workqueue 10% faster)."""
    global _threads
    _threads = max(1, int(n))
    if _threads > 1:
        if "NUMBA_THREADING_LAYER" not in os.environ:
            numba.config.THREADING_LAYER = "workqueue"
        numba.set_num_threads(min(_threads, numba.config.NUMBA_NUM_THREADS))


def threads() -> int:
    return _threads


def kernel(function):
    """A compiled kernel with a serial and a parallel (numba.prange) version; the parallel one
    is compiled only when threads are asked for."""
    serial = numba.njit(cache=True)(function)
    parallel = []

    def run(*args):
        if _threads == 1:
            return serial(*args)
        if not parallel:
            use_threads(_threads)
            parallel.append(numba.njit(parallel=True)(function))
        return parallel[0](*args)

    run.serial = serial
    run.__doc__ = function.__doc__
    return run
