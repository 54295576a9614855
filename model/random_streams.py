"""Common random numbers: one named stream per process, keyed by month and resident id.

The draw a resident gets from stream "health.shock.1" in month 37 depends only on the seed,
the stream name, the month and the resident's id; not on how many residents there are, on
other streams, or on what happened earlier. Two scenarios run with the same seed therefore
differ only by what the policy changed, not by noise (Starsim's common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


class RandomStreams:
    """Uniform draws in [0, 1) per (stream, month), indexed by resident id."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def generator(self, stream: str, month: int = 0) -> np.random.Generator:
        key = np.random.SeedSequence([self.seed, zlib.crc32(stream.encode()), month + 1_000_000])
        return np.random.Generator(np.random.PCG64(key))

    def uniform(self, stream: str, month: int, n: int) -> np.ndarray:
        """n float32 draws; entry i belongs to resident id i in every run with this seed."""
        return self.generator(stream, month).random(n, dtype=np.float32)
