"""Community building: activities of the social basis that residents take part in.

Social workers spend `social_work.community_work_share` of their hours on community work:
activities residents can join (a walking group, a neighbourhood meal, a language café). Each
FTE of community work runs `determinants.places_per_community_fte` places; a municipality has
more when it invests in its social basis or the preventiefonds pays for community work, fewer
after a sluitpost cut (`PolicyState.community_building`, a multiplier on its community FTE).
The places are paid for with the social basis's staff (its budget) or by the fund.

Each month participants stop with chance `participation_end`, and residents whose network is
weak come with a chance that grows as their network weakens (`participation_take_up` x (1 -
network)), up to the free places, the weakest networks first. While taking part a resident
builds ties: their network strength moves towards a level `participation_ties` higher
(`model.people.determinants`), and fades back after they stop. Nothing sets a network by decree.
"""

from __future__ import annotations

import numba
import numpy as np

from model.care import episodes
from model.engine import threads
from model.engine.random_streams import draw
from model.engine.threads import CHUNKS, chunk, join_chunks


def places(model) -> np.ndarray:
    """Places in community activities per municipality this month."""
    work = model.cfg.social_work
    residents = model.alive_by_municipality()
    fte = work.fte_per_1000 * work.community_work_share * residents / 1000.0
    return fte * model.policy.community_building * model.cfg.determinants.places_per_community_fte


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _participation(alive, age, network, municipality, participating, end_key, take_up_key, end, take_up, n_muni):
    """Participants who stop (cleared here), the participants left per municipality, and the
    residents from 12 who would come (in id order): a draw below `take_up` x (1 - network)."""
    n = len(age)
    coming = np.empty(n, dtype=np.int64)  # only the first few entries of each block are written
    found = np.zeros(CHUNKS, dtype=np.int64)
    staying = np.zeros((CHUNKS, n_muni), dtype=np.int64)
    for c in numba.prange(CHUNKS):  # blocks of residents, joined in order below
        lo, hi = chunk(c, n)
        k = lo
        for i in range(lo, hi):
            if participating[i]:
                if draw(end_key, i) < end or not alive[i]:
                    participating[i] = False
                else:
                    staying[c, municipality[i]] += 1
            if alive[i] and not participating[i] and age[i] >= 12:
                if draw(take_up_key, i) < take_up * (np.float32(1.0) - network[i]):
                    coming[k] = i
                    k += 1
        found[c] = k - lo
    k = join_chunks(coming, found)
    return staying.sum(axis=0), coming[:k]


def step(model) -> None:
    res, cfg = model.res, model.cfg.determinants
    n_muni = model.region.n_municipalities
    taking_part, candidates = _participation(res.alive, res.age, res.network, res.municipality, res.participating,
                                             model.streams.key("community.end", model.month),
                                             model.streams.key("community.take_up", model.month),
                                             np.float32(cfg.participation_end), np.float32(cfg.participation_take_up),
                                             n_muni)
    free = np.maximum(0, np.floor(places(model)) - taking_part).astype(np.int64)
    if free.sum() == 0:
        return
    weakest_first = np.rint(res.network[candidates] * 1000)
    joins = episodes.up_to_capacity(res.municipality[candidates].astype(np.int64), free, priority=weakest_first,
                                tiebreak=candidates)
    res.participating[candidates[joins]] = True
    model.outcomes.count("community_participants_new", res, candidates[joins])


def participants(model) -> np.ndarray:
    """Residents taking part in community activities, per municipality."""
    res = model.res
    return np.bincount(res.municipality[res.participating], minlength=model.region.n_municipalities)

