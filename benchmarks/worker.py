"""Measurements that need a fresh process of their own, started by `benchmarks.run`.

Peak memory (the process's maximum resident set size) only means something in a process that
did nothing else, so every size and the whole-Netherlands run get their own process. The
baseline, subtracted to get memory per resident, is the same job at 100 residents: the
interpreter, carelines and its compiled kernels, and a model too small to matter. Each job
prints one JSON line as its last line of output; progress goes to stderr.

    python -m benchmarks.worker size 100000 --months 12
    python -m benchmarks.worker small --size 20000 --years 10 --repeats 7
    python -m benchmarks.worker nl --size 17811291 --years 10 [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time

import model
from model.engine import threads
from model.people.region import build_region
from model.engine.simulation import CarelinesModel

NL_OVERRIDES = ("region=nederland",)


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (VmHWM). Not `getrusage`'s ru_maxrss: Linux
    carries that over from the parent through fork and exec, so a child started by a big
    parent would report the parent's size."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def config(size: int, years: int, extra=()):
    return model.load_config("baseline", [f"population.size={size}", f"years={years}", *extra])


def warm_up(extra=()) -> None:
    """Compile (or load from numba's cache) every kernel on a small run, so that no timing
    includes compilation."""
    model.run(config(2000, 1, extra))


def size(n: int, months: int) -> dict:
    """Time `months` recorded monthly steps after construction and the warm-up months."""
    warm_up()
    sim = CarelinesModel(config(n, math.ceil(months / 12)))
    while sim.month < 0:
        sim.step()
    start = time.perf_counter()
    for _ in range(months):
        sim.step()
    seconds = time.perf_counter() - start
    return {"n": n, "months": months, "seconds": seconds, "ns_per_resident_step": seconds / (n * months) * 1e9,
            "residents_at_end": int(sim.res.n), "peak_rss_bytes": peak_rss_bytes()}


def small(n: int, years: int, repeats: int) -> dict:
    """Whole small runs, one thread: `model.run` (building the model, the warm-up and recorded
    months, the results tables and the summary), each repeat timed on its own. Composing the
    configuration (`model.load_config`, Hydra) is timed apart and not included: a sweep or a
    comparison composes it once per run as well, but it does not depend on the model's speed."""
    threads.use_threads(1)
    warm_up()
    runs, configs = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        cfg = config(n, years)
        composed = time.perf_counter()
        model.run(cfg)
        runs.append(time.perf_counter() - composed)
        configs.append(composed - start)
    return {"n": n, "years": years, "repeats": repeats, "run_seconds": runs, "load_config_seconds": configs}


def netherlands(n: int, years: int, n_threads: int = 1) -> dict:
    """The whole country through the public entry point, results tables included; the
    per-resident kernels on `n_threads` threads (`model.engine.threads`)."""
    threads.use_threads(n_threads)
    warm_up(NL_OVERRIDES)
    cfg = config(n, years, NL_OVERRIDES)
    log(f"  building {n:,} residents in {build_region(cfg.region).n_municipalities} "
        f"municipalities and running the warm-up months...")
    start = time.perf_counter()
    marks = {}

    def progress(done, total):
        now = time.perf_counter() - start
        marks.setdefault("first_month", now)
        marks["last_month"] = now
        if done % 12 == 0 or done == total:
            log(f"  month {done}/{total}, {now / 60:.1f} min")

    model.run(cfg, progress=progress)
    wall = time.perf_counter() - start
    first, last = marks.get("first_month", wall), marks.get("last_month", wall)
    return {"n": n, "years": years, "wall_seconds": wall,
            "construction_and_warmup_seconds": first, "recorded_months_seconds": last - first,
            "results_tables_seconds": wall - last, "threads": n_threads, "peak_rss_bytes": peak_rss_bytes(),
            "peak_gib": peak_rss_bytes() / 2**30}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    sub = parser.add_subparsers(dest="job", required=True)
    p = sub.add_parser("size")
    p.add_argument("n", type=int)
    p.add_argument("--months", type=int, default=12)
    p = sub.add_parser("small")
    p.add_argument("--size", type=int, default=20_000)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--repeats", type=int, default=7)
    p = sub.add_parser("nl")
    p.add_argument("--size", type=int, default=17_811_291)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.job == "size":
        out = size(args.n, args.months)
    elif args.job == "small":
        out = small(args.size, args.years, args.repeats)
    else:
        out = netherlands(args.size, args.years, args.threads)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
