"""Sweep throughput: how many whole simulations an experiment gets through per minute when
it keeps every core busy with one single-threaded simulation each.

This is how sweeps, sensitivity analyses and calibration use the model, so it is the figure
that decides how long they take. Each worker runs numba with one thread
(NUMBA_NUM_THREADS=1, set before the pool starts so that the workers inherit it); workers are
started with "spawn", because forking a process whose numba threads already run is unsafe.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor


def _warm_up() -> None:
    """Runs once in each worker: import carelines and compile or load its kernels."""
    import model

    model.run(model.load_config("baseline", ["population.size=2000", "years=1"]))


def _ready(_) -> int:
    time.sleep(1.0)  # long enough for both workers to be started and warmed up
    return os.getpid()


def _simulate(job) -> float:
    import model

    seed, size, years = job
    start = time.perf_counter()
    model.run(model.load_config("baseline", [f"population.size={size}", f"years={years}", f"seed={seed}"]))
    return time.perf_counter() - start


def throughput(runs: int = 6, size: int = 20_000, years: int = 10, workers: int = 2) -> dict:
    """Simulations per minute with `workers` processes, timed after the workers are warm."""
    previous = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = "1"
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_warm_up) as pool:
            list(pool.map(_ready, range(workers)))
            start = time.perf_counter()
            durations = list(pool.map(_simulate, [(seed, size, years) for seed in range(1, runs + 1)]))
            wall = time.perf_counter() - start
    finally:
        if previous is None:
            os.environ.pop("NUMBA_NUM_THREADS")
        else:
            os.environ["NUMBA_NUM_THREADS"] = previous
    return {"runs": runs, "size": size, "years": years, "workers": workers, "wall_seconds": wall,
            "runs_per_minute": runs / wall * 60.0, "run_seconds": sorted(durations)}
