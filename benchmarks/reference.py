"""Run the per-agent Mesa reference and the vectorized subset side by side: do they give the
same results, and how much faster is the vectorized one?

Both start from the same carelines population with the same seed and use the same draws, so
they should agree resident by resident up to float32 (vectorized) versus float64 (Python)
rounding; the statistical check (mean health and share with a need per domain) is what
matters, the resident-level figures show how close the transcription is.
"""

from __future__ import annotations

import time

import numba
import numpy as np

from benchmarks.mesa_reference import ReferenceModel
from benchmarks.subset import VectorizedSubset, summary


def _run(sim, months: int) -> float:
    start = time.perf_counter()
    for _ in range(months):
        sim.step()
    return time.perf_counter() - start


def compare_one(n: int, months: int, seed: int) -> dict:
    """Both versions for `months` months from the same start: summaries, resident-level
    differences and ns per resident-step (stepping only, not construction)."""
    vec = VectorizedSubset(n, seed)
    ref = ReferenceModel(n, seed)
    vec_seconds = _run(vec, months)
    ref_seconds = _run(ref, months)
    thr = vec.rules.threshold
    h_vec, h_ref = vec.health_by_domain(), ref.health_by_domain()
    s_vec = summary(h_vec, vec.in_care_by_domain(), thr)
    s_ref = summary(h_ref, ref.in_care_by_domain(), thr)
    gap = {key: float(np.max(np.abs(np.subtract(s_vec[key], s_ref[key])))) for key in s_vec}
    diff = np.abs(h_vec - h_ref).max(axis=0)
    return {
        "seed": seed, "n": n, "months": months,
        "vectorized": s_vec, "per_agent": s_ref,
        "largest_gap": gap,
        "residents_identical_share": float((diff < 1e-4).mean()),
        "largest_resident_difference": float(diff.max()),
        "vectorized_ns_per_resident_step": vec_seconds / (n * months) * 1e9,
        "per_agent_ns_per_resident_step": ref_seconds / (n * months) * 1e9,
    }


def vectorized_ns(n: int, months: int, seed: int, threads: int) -> float:
    """ns per resident-step of the vectorized subset with `threads` numba threads."""
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        vec = VectorizedSubset(n, seed)
        return _run(vec, months) / (n * months) * 1e9
    finally:
        numba.set_num_threads(previous)


def warm_up() -> None:
    """Compile the kernels and draws on a tiny run, so no timing includes compilation."""
    compare_one(200, 2, seed=1)


def compare(n: int = 10_000, months: int = 24, seeds=(1, 2, 3), tolerance: float = 0.01, log=print) -> dict:
    """Agreement over a few seeds, and the speed ratio (median over seeds)."""
    warm_up()
    runs = []
    for seed in seeds:
        run = compare_one(n, months, seed)
        log(f"  seed {seed}: per-agent {run['per_agent_ns_per_resident_step']:,.0f} ns, vectorized "
            f"{run['vectorized_ns_per_resident_step']:,.0f} ns per resident-step; largest gap "
            f"{max(run['largest_gap'].values()):.4f}, residents identical {run['residents_identical_share']:.1%}")
        runs.append(run)
    per_agent = [r["per_agent_ns_per_resident_step"] for r in runs]
    vectorized = [r["vectorized_ns_per_resident_step"] for r in runs]
    ratios = [a / v for a, v in zip(per_agent, vectorized)]
    # the compiled kernels' threads wait for each other every month; on a busy machine that
    # wait can outweigh the work, so the vectorized rules are timed on one thread as well
    one_thread = [vectorized_ns(n, months, seed, threads=1) for seed in seeds]
    largest_gap = max(max(r["largest_gap"].values()) for r in runs)
    return {
        "n": n, "months": months, "seeds": list(seeds), "tolerance": tolerance,
        "agree": largest_gap <= tolerance, "largest_gap": largest_gap,
        "residents_identical_share": min(r["residents_identical_share"] for r in runs),
        "per_agent_ns_per_resident_step": spread(per_agent),
        "vectorized_ns_per_resident_step": spread(vectorized),
        "ratio": spread(ratios),
        "vectorized_one_thread_ns_per_resident_step": spread(one_thread),
        "ratio_one_thread": spread([a / v for a, v in zip(per_agent, one_thread)]),
        "runs": runs,
    }


def spread(values) -> dict:
    """Median, min and max of repeated measurements."""
    return {"median": float(np.median(values)), "min": float(np.min(values)), "max": float(np.max(values)),
            "runs": [float(v) for v in values]}
