"""Common random numbers: one named stream per process, keyed by month and resident id.

The draw a resident gets from stream "health.shock.1" in month 37 depends only on the seed,
the stream name, the month and the resident's id; not on how many residents there are, on
other streams, or on what happened earlier. Two scenarios run with the same seed therefore
differ only by what the policy changed, not by noise (Starsim's common random numbers).

Draws are counter-based: a 64-bit key per (seed, stream, month) is mixed with the resident id
by the SplitMix64 finaliser, so a draw costs a few nanoseconds and only residents at risk
need one. Compiled kernels call `draw(key, id)` directly.
"""

from __future__ import annotations

import zlib

import numba
import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_KEYS_KEPT = 1024  # (stream, month) keys of other months than the current one kept for reuse


def _mix_int(x: int) -> int:
    """SplitMix64 finaliser on Python ints (for building keys)."""
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


@numba.njit(inline="always", cache=True)
def draw(key, resident_id):
    """Uniform float32 in [0, 1) for one resident under one stream key (24 random bits)."""
    x = numba.uint64(key) + numba.uint64(resident_id) * numba.uint64(_GOLDEN)
    x = (x ^ (x >> numba.uint64(30))) * numba.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> numba.uint64(27))) * numba.uint64(0x94D049BB133111EB)
    x = x ^ (x >> numba.uint64(31))
    return numba.float32(x >> numba.uint64(40)) * numba.float32(1.0 / 16777216.0)


@numba.njit(cache=True)
def _mix_keys(parts, offset):
    """`_mix_int(part + offset)` for each stream's part, in wrapping 64-bit arithmetic."""
    out = np.empty(len(parts), dtype=np.uint64)
    for j in range(len(parts)):
        x = parts[j] + offset
        x = (x ^ (x >> numba.uint64(30))) * numba.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> numba.uint64(27))) * numba.uint64(0x94D049BB133111EB)
        out[j] = x ^ (x >> numba.uint64(31))
    return out


@numba.njit(cache=True)
def _draw_for(key, ids):
    out = np.empty(len(ids), dtype=np.float32)
    for i in range(len(ids)):
        out[i] = draw(key, ids[i])
    return out


class RandomStreams:
    """Uniform draws per (stream, month), keyed by resident id."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._stream_keys: dict[str, int] = {}  # the month-independent part, by stream name
        # the keys of the month being run, by stream (`start_month`), and of other months asked for
        self._month: int | None = None
        self._month_keys: dict[str, np.uint64] = {}
        self._keys: dict[tuple[str, int], np.uint64] = {}
        self._parts: tuple[list, np.ndarray] = ([], np.zeros(0, dtype=np.uint64))  # streams and their parts

    def key(self, stream: str, month: int) -> np.uint64:
        """The 64-bit key of one stream in one month."""
        if month == self._month:
            key = self._month_keys.get(stream)
            if key is None:
                key = self._month_keys[stream] = self._new_key(stream, month)
            return key
        key = self._keys.get((stream, month))
        if key is None:
            key = self._new_key(stream, month)
            if len(self._keys) >= _KEYS_KEPT:  # keys of streams with a fixed month, or without start_month
                self._keys.clear()
            self._keys[(stream, month)] = key
        return key

    def _new_key(self, stream: str, month: int) -> np.uint64:
        x = self._stream_keys.get(stream)
        if x is None:
            x = self._stream_keys[stream] = _mix_int(self.seed * _GOLDEN + zlib.crc32(stream.encode()))
        return np.uint64(_mix_int(x + (month + 1_000_000) * _GOLDEN))

    def start_month(self, month: int) -> None:
        """A new month begins: make its keys of all streams asked for in the month before, in
        one go (a month asks for about 85 keys, 43 of them distinct, mostly the same streams
        every month). The same keys as `key` makes one at a time: uint64 arithmetic wraps as
        `_mix_int`'s mask does."""
        streams = list(self._month_keys)
        self._month = month
        if streams:
            if streams != self._parts[0]:  # mostly the same streams as the month before
                self._parts = (streams, np.array([self._stream_keys[s] for s in streams], dtype=np.uint64))
            offset = np.uint64(((month + 1_000_000) * _GOLDEN) & _MASK)
            self._month_keys = dict(zip(streams, _mix_keys(self._parts[1], offset)))
        else:
            self._month_keys = {}

    def uniform(self, stream: str, month: int, ids: np.ndarray) -> np.ndarray:
        """One float32 draw per resident in `ids`; the same id always gets the same draw."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:  # often nobody is at risk: no call into compiled code
            return np.empty(0, dtype=np.float32)
        return _draw_for(self.key(stream, month), ids)

    def generator(self, stream: str, month: int = 0) -> np.random.Generator:
        """A numpy Generator for draws that are not per resident (initial population, births)."""
        key = np.random.SeedSequence([self.seed, zlib.crc32(stream.encode()), month + 1_000_000])
        return np.random.Generator(np.random.PCG64(key))
