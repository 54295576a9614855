"""The benchmark suite: `make bench`, or `python -m benchmarks.run [--quick]`.

Measures the baseline scenario and writes benchmarks/results.json, so that runs can be compared
over time:

- hardware ceilings: memory bandwidth and random-draw rates on this machine;
- ns per resident-step at 10,000, 100,000 and 1,000,000 residents (monthly steps after
  construction and the warm-up months), and peak memory per resident, each repeat in a
  fresh process;
- the per-agent Mesa reference against the vectorized rules at 10,000 residents: same
  results, and the speed ratio;
- a small run: 20,000 residents for 10 years on one thread, model construction, the 24
  warm-up and 120 recorded months and the results tables (`model.run`), median of SMALL_REPEATS
  in one fresh process (the Hydra composition of the configuration is timed apart);
- sweep throughput: 20,000-resident, 10-year simulations per minute on every core;
- the whole Netherlands (17.8 million residents, 342 municipalities, 10 years): wall time and
  peak memory.

`--quick` skips the 1,000,000-resident size and the Netherlands (written as null). The
machine may be shared, so the load average is recorded with every section.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import hardware, reference, sweep

ROOT = Path(__file__).resolve().parent.parent
REPEATS = {10_000: 3, 100_000: 3, 1_000_000: 2}
QUICK_SKIPS = {1_000_000}
BASELINE_SIZE, BASELINE_REPEATS = 100, 3
NL_SIZE, NL_YEARS = 17_811_291, 10
SMALL_SIZE, SMALL_YEARS, SMALL_REPEATS = 20_000, 10, 7
NL_THREADS = 2  # one big run uses both cores through threads (model.threads), as a sweep does through processes


def log(message: str) -> None:
    print(message, flush=True)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def section(title: str) -> list[float]:
    now = load()
    log(f"\n== {title} (load average {now[0]:.2f} {now[1]:.2f} {now[2]:.2f})")
    return now


def worker(*args) -> dict:
    """Run one `benchmarks.worker` job in a fresh process; its last output line is JSON."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.worker", *map(str, args)], cwd=ROOT,
                         stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def scaling(sizes: list[int]) -> dict:
    """ns per resident-step and peak memory per resident, one fresh process per repeat."""
    worker("size", 2000)  # compiles and stores numba's cache, so no measured process compiles
    base = [worker("size", BASELINE_SIZE)["peak_rss_bytes"] for _ in range(BASELINE_REPEATS)]
    baseline = float(np.median(base))
    log(f"  baseline (interpreter, carelines, {BASELINE_SIZE} residents): {baseline / 2**20:,.0f} MiB peak")
    out = {"baseline_peak_bytes": baseline, "baseline_runs": base, "sizes": {}}
    for n in sizes:
        runs = []
        for i in range(REPEATS[n]):
            run = worker("size", n)
            run["load_average"] = load()
            runs.append(run)
            log(f"  {n:>9,} residents, repeat {i + 1}/{REPEATS[n]}: {run['ns_per_resident_step']:,.0f} ns per "
                f"resident-step, peak {run['peak_rss_bytes'] / 2**20:,.0f} MiB")
        peak = float(np.median([r["peak_rss_bytes"] for r in runs]))
        out["sizes"][str(n)] = {"ns_per_resident_step": reference.spread([r["ns_per_resident_step"] for r in runs]),
                                "peak_rss_bytes": peak, "peak_bytes_per_resident": (peak - baseline) / n,
                                "runs": runs}
    return out


def small_run() -> dict:
    """Seconds for one 20,000-resident, 10-year run through `model.run` on one thread."""
    run = worker("small", "--size", SMALL_SIZE, "--years", SMALL_YEARS, "--repeats", SMALL_REPEATS)
    run["seconds"] = reference.spread(run["run_seconds"])
    run["load_config"] = reference.spread(run["load_config_seconds"])
    return run


def git_state() -> dict:
    """Which code was measured: the commit, and whether model/ had uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", *args], check=False, cwd=ROOT, capture_output=True, text=True).stdout.strip()
    try:
        return {"commit": git("rev-parse", "HEAD"), "model_modified": bool(git("status", "--porcelain", "--", "model"))}
    except OSError:
        return {"commit": None, "model_modified": None}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1,000,000-resident size and the Netherlands")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sizes = [n for n in REPEATS if not (args.quick and n in QUICK_SKIPS)]
    result = {"timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "quick": args.quick, "code": git_state(), "load_average": {"start": load()}}
    details = {}

    details["hardware_load_average"] = section("Hardware ceilings")
    hw = {"memory": hardware.memory_bandwidth(), "draws": hardware.draw_rates(),
          "state_bytes_per_resident": hardware.state_bytes_per_resident()}
    log(f"  memory copy {hw['memory']['copy_gb_per_s']:.1f} GB/s ({hw['memory']['read_write_gb_per_s']:.1f} GB/s "
        f"read+write); draws: numpy PCG64 {hw['draws']['numpy_pcg64_float32_per_s'] / 1e6:,.0f} M/s, carelines "
        f"{hw['draws']['carelines_counter_based_per_s'] / 1e6:,.0f} M/s")

    details["scaling_load_average"] = section(f"Scaling: {', '.join(f'{n:,}' for n in sizes)} residents")
    scale = scaling(sizes)
    details["scaling"] = scale

    details["mesa_reference_load_average"] = section("Per-agent Mesa reference vs vectorized rules, 10,000 residents")
    ref = reference.compare(n=10_000, months=24, seeds=(1, 2, 3), log=log)
    full_10k = scale["sizes"]["10000"]["ns_per_resident_step"]["median"]
    ref["ratio_to_full_model"] = ref["per_agent_ns_per_resident_step"]["median"] / full_10k
    details["mesa_reference"] = ref
    log(f"  agree within {ref['tolerance']}: {ref['agree']} (largest gap {ref['largest_gap']:.2g}); "
        f"ratio {ref['ratio']['median']:,.0f}x ({ref['ratio_one_thread']['median']:,.0f}x with the vectorized rules "
        f"on one thread; {ref['ratio_to_full_model']:,.1f}x against the full model)")

    details["small_run_load_average"] = section(f"Small run: {SMALL_SIZE:,} residents, {SMALL_YEARS} years, one thread")
    small = small_run()
    details["small_run"] = small
    log(f"  {small['seconds']['median']:.3f} s (median of {SMALL_REPEATS}; {small['seconds']['min']:.3f}-"
        f"{small['seconds']['max']:.3f}): construction, {small['years'] * 12} recorded months after the warm-up "
        f"and the results; composing the configuration {small['load_config']['median']:.3f} s more")

    details["sweep_load_average"] = section("Sweep: 6 simulations of 20,000 residents for 10 years on 2 workers")
    sw = sweep.throughput()
    details["sweep"] = sw
    log(f"  {sw['runs_per_minute']:.2f} simulations per minute ({sw['wall_seconds']:.0f} s for {sw['runs']})")

    nl = None
    if not args.quick:
        details["nl_load_average"] = section(f"The Netherlands: {NL_SIZE:,} residents, {NL_YEARS} years")
        nl = worker("nl", "--size", NL_SIZE, "--years", NL_YEARS, "--threads", NL_THREADS)
        details["nl"] = nl
        log(f"  {nl['wall_seconds'] / 60:.1f} min on {NL_THREADS} thread(s), peak {nl['peak_gib']:.1f} GiB")

    sizes_all = [str(n) for n in REPEATS]
    result.update({
        "machine": hardware.machine(),
        "ns_per_resident_step": {n: (scale["sizes"][n]["ns_per_resident_step"]["median"]
                                     if n in scale["sizes"] else None) for n in sizes_all},
        "peak_bytes_per_resident": {n: (scale["sizes"][n]["peak_bytes_per_resident"]
                                        if n in scale["sizes"] else None) for n in sizes_all},
        "nl_wall_seconds": nl["wall_seconds"] if nl else None,
        "nl_peak_gib": nl["peak_gib"] if nl else None,
        "mesa_reference_ratio": ref["ratio"]["median"],
        "sweep_runs_per_minute": sw["runs_per_minute"],
        "small_run_seconds": small["seconds"]["median"],
        "hardware": hw,
        "details": details,
    })
    result["load_average"]["end"] = load()
    result["seconds"] = time.perf_counter() - started
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    tmp.replace(args.out)
    log(f"\nWrote {args.out} in {result['seconds'] / 60:.1f} min")
    return result


if __name__ == "__main__":
    main()
