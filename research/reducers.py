"""Reducers for general use, named as "research.reducers:<function>" in a job."""

from __future__ import annotations


def summary(results) -> dict:
    """The run's headline figures (`summary.json`)."""
    return results.summary


def nothing(results) -> None:
    """Keep nothing: for runs that are timed, not read."""
    return None
