"""Where jobs run: in this process, in local processes, or on Dask workers (a local cluster,
any scheduler by its address, or a SLURM cluster through dask-jobqueue).

Every executor yields one record (`Done` or `Failed`) per job as the jobs finish, in any order;
the study stores them. Executors start lazily on first use and are context managers, so a
caller that runs several batches (calibration: one per generation) keeps its workers warm.
Results do not depend on the executor: a job carries its seed, and every run is single-threaded
unless the model is told otherwise (`model.engine.threads`).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator

from research.jobs import Done, Failed, Job, failure, reducer_function

START_METHODS = ("forkserver", "spawn")  # not fork: numba's threads make forking this process unsafe


class Executor:
    """Runs jobs and yields their records as they finish."""

    name = "executor"
    workers = 1

    def run(self, function: Callable[[Job], Done | Failed], jobs: Iterable[Job]) -> Iterator[Done | Failed]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop the workers (if any); the executor starts again when used again."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        return f"{self.name}, {self.workers} worker{'s' if self.workers != 1 else ''}"


class Serial(Executor):
    """In this process, one job after another: no start-up cost, easiest to debug."""

    name = "serial"

    def run(self, function, jobs):
        for job in jobs:
            yield function(job)


def _init_worker(threads: int, initializer: str | None) -> None:
    """Each worker's compiled kernels get their share of the cores; then the caller's set-up."""
    import numba
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    if initializer:
        reducer_function(initializer)()


def _pause(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


class Processes(Executor):
    """Local worker processes, started fresh ("forkserver" or "spawn", never a fork of this
    multi-threaded process).

    Args:
        workers: number of processes (default: the machine's cores).
        start_method: "forkserver" (default) or "spawn".
        initializer: optional "module:function" each worker runs once when it starts.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, start_method: str = "forkserver", initializer: str | None = None):
        if start_method not in START_METHODS:
            raise ValueError(f"start_method '{start_method}': allowed are {', '.join(START_METHODS)}")
        if initializer:
            reducer_function(initializer)
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.start_method, self.initializer = start_method, initializer
        self._pool: ProcessPoolExecutor | None = None

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            threads = max(1, (os.cpu_count() or 1) // self.workers)
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context(self.start_method),
                                             initializer=_init_worker, initargs=(threads, self.initializer))
        return self._pool

    def start(self, seconds: float = 1.0) -> list[int]:
        """Start every worker (and its initializer) now, e.g. before timing begins: each is
        given a pause of `seconds`, long enough for all to be started. Returns their ids."""
        return list(self.pool().map(_pause, [seconds] * self.workers))

    def run(self, function, jobs):
        pool = self.pool()
        pending = {pool.submit(function, job): job for job in jobs}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = pending.pop(future)
                    try:
                        yield future.result()
                    except Exception as exc:  # noqa: BLE001 - a worker that died, a job that does not pickle
                        yield failure(job, exc)
        finally:
            if pending:  # interrupted, or the caller stopped early: stop the workers, now
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class Dask(Executor):
    """Dask workers: a LocalCluster of single-threaded worker processes by default, or the
    workers of any running scheduler given by its address (tcp://host:8786).

    Args:
        workers: worker processes of the local cluster (default: the machine's cores); with an
            address the scheduler's workers are used as they are.
        address: a running scheduler; start its workers with `--nthreads 1` (the model and
            its configuration loader are not meant to share a process between threads).
    """

    name = "dask"

    def __init__(self, workers: int | None = None, address: str | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.address = address
        self._client = None
        self._cluster = None

    def make_cluster(self):
        from distributed import LocalCluster
        return LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None)

    def client(self):
        if self._client is None:
            from distributed import Client
            if self.address:
                self._client = Client(self.address)
            else:
                self._cluster = self.make_cluster()
                self._client = Client(self._cluster)
        return self._client

    def run(self, function, jobs):
        from distributed import as_completed
        client = self.client()
        jobs = list(jobs)
        futures = client.map(function, jobs, pure=False)
        by_future = dict(zip(futures, jobs))
        remaining = set(futures)
        try:
            for future in as_completed(futures):
                remaining.discard(future)
                try:
                    yield future.result()
                except Exception as exc:  # noqa: BLE001 - a lost worker, a job that does not pickle
                    yield failure(by_future[future], exc)
        finally:
            if remaining:
                client.cancel(list(remaining))

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def describe(self) -> str:
        return f"dask at {self.address}" if self.address else f"dask local cluster, {self.workers} workers"


class Slurm(Dask):
    """Dask workers started as SLURM jobs (dask-jobqueue), as set in a YAML file
    (`research.slurm`, configs/executor/slurm.yaml). The cluster is made on first use: no
    batch job is submitted before there is work."""

    name = "slurm"

    def __init__(self, settings, workers: int | None = None):
        super().__init__(workers=workers or settings.workers)
        self.settings = settings

    def make_cluster(self):
        from research.slurm import cluster
        made = cluster(self.settings)
        made.scale(n=self.workers)
        return made

    def describe(self) -> str:
        return f"SLURM via dask-jobqueue, {self.workers} workers ({self.settings.source})"
