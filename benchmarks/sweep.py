"""Sweep throughput: how many whole simulations an experiment gets through per minute when
it keeps every core busy with one single-threaded simulation each.

This is how sweeps, sensitivity analyses and calibration use the model, so it is the figure
that decides how long they take. The runs go through `research`'s processes executor, as a
study's do, without storing anything (each run is timed afresh, in a fresh process). Each
worker runs numba with one thread (NUMBA_NUM_THREADS=1, set before the workers start so that
they inherit it); workers are started with "spawn", because forking a process whose numba
threads already run is unsafe, and warmed up before the clock starts.
"""

from __future__ import annotations

import os
import time

from research import Job, Processes, run_study


def warm_up() -> None:
    """Runs once in each worker: import carelines and compile or load its kernels."""
    import model

    model.run(model.load_config("baseline", ["population.size=2000", "years=1"]))


def throughput(runs: int = 6, size: int = 20_000, years: int = 10, workers: int = 2) -> dict:
    """Simulations per minute with `workers` processes, timed after the workers are warm."""
    jobs = [Job((f"population.size={size}", f"years={years}"), seed, "research.reducers:nothing", label=f"seed {seed}")
            for seed in range(1, runs + 1)]
    previous = os.environ.get("NUMBA_NUM_THREADS")
    os.environ["NUMBA_NUM_THREADS"] = "1"
    try:
        with Processes(workers, start_method="spawn", initializer="benchmarks.sweep:warm_up") as executor:
            executor.start()  # every worker started and warm before the clock starts
            start = time.perf_counter()
            outcome = run_study(jobs, executor, progress=False)  # no folder: every run is timed afresh
            wall = time.perf_counter() - start
    finally:
        if previous is None:
            os.environ.pop("NUMBA_NUM_THREADS")
        else:
            os.environ["NUMBA_NUM_THREADS"] = previous
    if not outcome.ok:
        raise RuntimeError(outcome.report())
    return {"runs": runs, "size": size, "years": years, "workers": workers, "wall_seconds": wall,
            "runs_per_minute": runs / wall * 60.0, "run_seconds": sorted(outcome.seconds(j) for j in jobs)}
