"""Demography: ageing, deaths (Gompertz, raised by poor physical health) and births."""

from __future__ import annotations

import numba
import numpy as np

from model.care import episodes
from model.engine import threads
from model.people.health import frailty
from model.engine.random_streams import draw
from model.people.residents import draw_income
from model.care.services import PHYSICAL
from model.engine.threads import CHUNKS, chunk, join_chunks


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _age_and_die(alive, age, physical_health, municipality, key, p_death_by_age, mortality_frailty,
                 frailty_threshold, n_muni):
    """Ageing by a month; deaths by age (Gompertz table), raised by physical frailty
    (`health.frailty`).
    Returns the ids of those who die and the survivors per municipality."""
    top = len(p_death_by_age) - 1
    n = len(age)
    dead = np.empty(n, dtype=np.int64)  # only the first few entries of each block are written
    found = np.zeros(CHUNKS, dtype=np.int64)
    survivors = np.zeros((CHUNKS, n_muni), dtype=np.int64)
    for c in numba.prange(CHUNKS):  # blocks of residents, joined in order below
        lo, hi = chunk(c, n)
        k = lo
        for i in range(lo, hi):
            if not alive[i]:
                continue
            age[i] += np.float32(1.0 / 12.0)
            extra = (mortality_frailty - 1.0) * frailty(physical_health[i], frailty_threshold)
            if draw(key, i) < p_death_by_age[min(int(age[i]), top)] * (1.0 + extra):
                dead[k] = i
                k += 1
            else:
                survivors[c, municipality[i]] += 1
        found[c] = k - lo
    k = join_chunks(dead, found)
    return dead[:k].copy(), survivors.sum(axis=0)


def death_table(cfg) -> np.ndarray:
    """Monthly death chance at good health by whole year of age (0-120): Gompertz, mid-year."""
    age = np.arange(121) + 0.5
    return (-np.expm1(-cfg.mortality_base * np.exp2(age / cfg.mortality_doubling_years) / 12.0)).astype(np.float32)


def step(model) -> None:
    res, cfg = model.res, model.cfg.demography
    n_muni = model.region.n_municipalities
    dead, survivors = _age_and_die(res.alive, res.age, res.health[PHYSICAL], res.municipality,
                                   model.streams.key("demography.death", model.month), model.death_table,
                                   np.float32(cfg.mortality_frailty),
                                   np.float32(model.cfg.hospital_care.frailty_threshold), n_muni)
    for d in range(3):
        in_episode = dead[res.service[d, dead] >= 0]
        episodes.discharge(model, d, in_episode, count=False)
    res.alive[dead] = False
    res.in_voorzorg[dead] = False
    model.outcomes.count("deaths", res, dead)

    # births: expected births per municipality, rounded stochastically on a municipal stream
    if model.population_by_municipality is None:  # the first month: no count from last month
        model.population_by_municipality = survivors.astype(np.float64)
    per_muni = model.alive_by_municipality()
    expected = per_muni * cfg.birth_rate / 12.0
    g = model.streams.generator("demography.births", model.month)
    births = np.floor(expected + g.random(len(expected))).astype(np.int64)
    total = int(births.sum())
    if total == 0:
        model.population_by_municipality = survivors.astype(np.float64)
        return
    new = res.add(total)
    muni = np.repeat(np.arange(len(births)), births).astype(np.int16)
    k = model.cfg.region.wijken_per_municipality
    res.municipality[new] = muni
    res.wijk[new] = muni.astype(np.int32) * k + g.integers(0, k, size=total)
    dep = model.region.wijk_deprivation[res.wijk[new]]
    res.income[new] = draw_income(model.cfg.population, dep, g.random(total))
    res.age[new] = 0.0
    res.network[new] = np.clip(0.65 - 0.25 * dep, 0, 1)
    res.health[:, new] = 0.8
    model.set_care_propensity(np.arange(new.start, new.stop))
    model.outcomes.count("births", res, np.arange(new.start, new.stop))
    model.population_by_municipality = (survivors + births).astype(np.float64)  # alive per municipality
