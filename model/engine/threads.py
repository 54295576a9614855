"""Threads for the passes over all residents: one by default, more for one big run.

Kernels run on one thread by default: a sweep or comparison uses the cores through its
processes, and on a busy machine the threads of a parallel kernel wait for each other. A single
large run (the whole Netherlands) can run the passes over all residents (demography,
determinants, health, help-seeking, the episode lists, the monthly sums) on several threads:
set CARELINES_THREADS=2 in the environment, or call `use_threads(2)` before running.

Results do not depend on the number of threads. Each resident's draws are counter-based, and
kernels that collect residents or add them up work in CHUNKS fixed blocks of ids (block c is
residents c*n//CHUNKS up to (c+1)*n//CHUNKS) and join the blocks in order afterwards, so the
lists come out in id order and every sum is added in the same order, on one thread or many.
"""

from __future__ import annotations

import os
import types

import numba

CHUNKS = 16  # blocks of residents per pass: enough to share between threads, few to join

def environment_problem() -> str | None:
    """What is wrong with CARELINES_THREADS, in one line; None when it is unset or valid."""
    raw = os.environ.get("CARELINES_THREADS", "").strip()
    cores = os.cpu_count() or 1
    if raw and not (raw.isdigit() and 1 <= int(raw) <= cores):
        return f"CARELINES_THREADS={raw!r}: must be a whole number of threads from 1 to {cores} (the cores here)"
    return None


# an invalid value is reported by `model.load_config` (a ConfigError); until then: one thread
_raw = os.environ.get("CARELINES_THREADS", "").strip()
_threads = int(_raw) if _raw and environment_problem() is None else 1


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
            parallel.append(numba.njit(parallel=True, cache=True)(_renamed(function, "_parallel")))
        return parallel[0](*args)

    run.serial = serial
    run.__doc__ = function.__doc__
    return run


def _renamed(function, suffix: str):
    """The same function under another name: numba's cache is kept per name, and would
    otherwise give the parallel version the serial one's compiled code."""
    copy = types.FunctionType(function.__code__, function.__globals__, function.__name__ + suffix,
                              function.__defaults__, function.__closure__)
    copy.__qualname__ = function.__qualname__ + suffix
    return copy


@numba.njit(inline="always", cache=True)
def chunk(c, n):
    """First and last-plus-one resident id of block c of n residents."""
    return c * n // CHUNKS, (c + 1) * n // CHUNKS


@numba.njit(cache=True)
def join_chunks(values, found):
    """Move the entries each block wrote at its own start (block c found found[c] of them, at
    chunk(c, n)[0]) together, in block order; returns how many there are. In place: an entry
    only ever moves to a lower position."""
    n = len(values)
    k = 0
    for c in range(CHUNKS):
        lo = chunk(c, n)[0]
        for j in range(found[c]):
            values[k + j] = values[lo + j]
        k += found[c]
    return k
