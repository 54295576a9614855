"""Demography: ageing, deaths (Gompertz, raised by poor physical health) and births."""

from __future__ import annotations

import numpy as np

from model import care
from model.residents import draw_income
from model.services import PHYSICAL


def step(model) -> None:
    res, cfg = model.res, model.cfg.demography
    alive = res.alive
    res.age[alive] += np.float32(1 / 12)

    # deaths: yearly hazard doubles every `mortality_doubling_years`, more so with poor physical health
    frailty = 1.0 + (cfg.mortality_frailty - 1.0) * np.maximum(0.8 - res.health[PHYSICAL], 0.0) / 0.8
    hazard = cfg.mortality_base * np.exp2(res.age / cfg.mortality_doubling_years) * frailty
    u = model.streams.uniform("demography.death", model.month, res.n)
    dead = np.nonzero(alive & (u < -np.expm1(-hazard / 12.0)))[0]
    for d in range(3):
        in_episode = dead[res.service[d, dead] >= 0]
        care.discharge(model, d, in_episode, count=False)
    res.alive[dead] = False
    res.in_voorzorg[dead] = False
    model.outcomes.count("deaths", res, dead)

    # births: expected births per municipality, rounded stochastically on a municipal stream
    per_muni = np.bincount(res.municipality[alive], minlength=model.region.n_municipalities)
    expected = per_muni * cfg.birth_rate / 12.0
    g = model.streams.generator("demography.births", model.month)
    births = np.floor(expected + g.random(len(expected))).astype(np.int64)
    total = int(births.sum())
    if total == 0:
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
    model.outcomes.count("births", res, np.arange(new.start, new.stop))
