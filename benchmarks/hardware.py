"""The machine, and what its hardware allows: the ceilings the hot path is compared against.

A resident-step that only streams its state through memory once cannot be faster than the
bytes it touches divided by the memory bandwidth; one that needs k random draws cannot be
faster than k divided by the draw rate. The README sets the measured time per resident-step
against these two ceilings.
"""

from __future__ import annotations

import os
import platform
import time

import numpy as np


def _median_seconds(fn, repeats: int) -> float:
    fn()  # first touch of the pages, compilation
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def memory_bandwidth(mib: int = 512, repeats: int = 5) -> dict:
    """numpy copy of a float32 array (one thread): bytes copied per second, and bytes moved
    (read plus write) per second."""
    src = np.ones(mib * 2**20 // 4, dtype=np.float32)
    dst = np.empty_like(src)
    seconds = _median_seconds(lambda: np.copyto(dst, src), repeats)
    return {"array_mib": mib, "copy_gb_per_s": src.nbytes / seconds / 1e9,
            "read_write_gb_per_s": 2 * src.nbytes / seconds / 1e9}


def draw_rates(n: int = 10_000_000, repeats: int = 5) -> dict:
    """Uniform float32 draws per second (one thread): numpy's PCG64 and carelines' own
    counter-based draws (one per resident id)."""
    from model.engine.random_streams import RandomStreams

    out = np.empty(n, dtype=np.float32)
    rng = np.random.Generator(np.random.PCG64(1))
    pcg = _median_seconds(lambda: rng.random(out=out, dtype=np.float32), repeats)
    streams, ids = RandomStreams(1), np.arange(n, dtype=np.int64)
    counter = _median_seconds(lambda: streams.uniform("benchmark", 0, ids), repeats)
    return {"draws": n, "numpy_pcg64_float32_per_s": n / pcg, "carelines_counter_based_per_s": n / counter}


def state_bytes_per_resident() -> int:
    """Bytes of per-resident state (one row of every resident array)."""
    from model.people.residents import DOMAIN_FIELDS, PERSON_FIELDS

    return (sum(np.dtype(t).itemsize for t in PERSON_FIELDS.values())
            + 3 * sum(np.dtype(t).itemsize for t in DOMAIN_FIELDS.values()))


def machine() -> dict:
    """What the figures were measured on."""
    import mesa
    import numba

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = int(next(line for line in f if line.startswith("MemTotal")).split()[1]) * 1024 / 2**30
    except (OSError, StopIteration):
        pass
    try:
        layer = numba.threading_layer()  # known once a parallel kernel has run in this process
    except ValueError:
        layer = numba.config.THREADING_LAYER
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
            "mesa": mesa.__version__, "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "numba_threading_layer": layer,
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}
