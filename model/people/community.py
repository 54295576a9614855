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

import numpy as np

from model.care import episodes


def places(model) -> np.ndarray:
    """Places in community activities per municipality this month."""
    work = model.cfg.social_work
    residents = model.alive_by_municipality()
    fte = work.fte_per_1000 * work.community_work_share * residents / 1000.0
    return fte * model.policy.community_building * model.cfg.determinants.places_per_community_fte


def step(model) -> None:
    res, cfg = model.res, model.cfg.determinants
    taking_part = np.flatnonzero(res.participating)
    stops = taking_part[(model.streams.uniform("community.end", model.month, taking_part) < cfg.participation_end)
                        | ~res.alive[taking_part]]
    res.participating[stops] = False
    n_muni = model.region.n_municipalities
    free = np.maximum(0, np.floor(places(model)) - np.bincount(res.municipality[res.participating],
                                                               minlength=n_muni)).astype(np.int64)
    if free.sum() == 0:
        return
    candidates = np.flatnonzero(res.alive & ~res.participating & (res.age >= 12))
    chance = cfg.participation_take_up * (1.0 - res.network[candidates])
    candidates = candidates[model.streams.uniform("community.take_up", model.month, candidates) < chance]
    weakest_first = np.rint(res.network[candidates] * 1000)
    joins = episodes.up_to_capacity(res.municipality[candidates].astype(np.int64), free, priority=weakest_first,
                                tiebreak=candidates)
    res.participating[candidates[joins]] = True
    model.outcomes.count("community_participants_new", res, candidates[joins])


def participants(model) -> np.ndarray:
    """Residents taking part in community activities, per municipality."""
    res = model.res
    return np.bincount(res.municipality[res.participating], minlength=model.region.n_municipalities)

