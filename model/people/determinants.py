"""Socio-economic determinants: problematic debt, benefits (uitkering) and network strength.

Debt is household debt (children share it). It starts more often with low income or a
benefit and resolves slowly by itself, faster in schuldhulp. Network strength follows the
wijk's level, the resident's own social health, and the ties a resident forms while taking
part in community activities (`model.people.community`).
"""

from __future__ import annotations

import numba
import numpy as np

from model.engine import threads
from model.engine.random_streams import draw
from model.people.residents import IN_CARE
from model.care.services import S, SOCIAL

SCHULDHULP = S["schuldhulp"]


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _step(alive, age, income, benefit, debt, debt_months, network, social_health, wijk, wijk_network_level,
          participating, service, state, debt_key, benefit_key, p_debt_onset, p_debt_resolution, p_benefit,
          network_rates):
    drift, social_pull, ties = network_rates[0], network_rates[1], network_rates[2]
    for i in numba.prange(len(age)):  # each resident on its own
        if not alive[i]:
            continue
        # debt: onset more likely with low income or a benefit; resolves slowly, faster in schuldhulp
        if debt[i]:
            in_schuldhulp = 0
            for d in range(3):
                if service[d, i] == SCHULDHULP and state[d, i] == IN_CARE:
                    in_schuldhulp = 1
            p = p_debt_resolution[in_schuldhulp]
        else:
            p = p_debt_onset[income[i], 1 if benefit[i] else 0]
        if draw(debt_key, i) < p:
            debt[i] = not debt[i]
        debt_months[i] = debt_months[i] + 1 if debt[i] else 0
        # benefits for working-age adults with low (and less often middle) income
        if 18.0 <= age[i] < 67.0:
            if draw(benefit_key, i) < p_benefit[income[i], 1 if benefit[i] else 0]:
                benefit[i] = not benefit[i]
        else:
            benefit[i] = False
        # network strength drifts to the wijk level plus the pull of one's own social health,
        # higher while taking part in community activities (ties formed there fade after)
        target = wijk_network_level[wijk[i]] + social_pull * (social_health[i] - np.float32(0.7))
        if participating[i]:
            target += ties
        x = network[i] + drift * (target - network[i])
        network[i] = min(max(x, np.float32(0.0)), np.float32(1.0))


def monthly(yearly) -> np.ndarray:
    """Monthly chance of an event with a yearly rate."""
    return -np.expm1(-np.asarray(yearly, dtype=np.float64) / 12.0)


def rates(model) -> tuple:
    """The monthly chances and network rates of the kernel, from the config and the wijken: the
    same every month, so made once per model."""
    cached = getattr(model, "_determinant_rates", None)
    if cached is not None:
        return cached
    cfg = model.cfg.determinants
    income_factor = np.array([cfg.debt_onset_low_income, 1.0, 0.3])      # by income group
    benefit_factor = np.array([1.0, cfg.debt_onset_benefit])              # without, with benefit
    p_debt_onset = monthly(cfg.debt_onset * np.outer(income_factor, benefit_factor))
    p_debt_resolution = monthly([cfg.debt_resolution, cfg.debt_resolution + cfg.schuldhulp_resolution])
    entry = cfg.benefit_onset * np.array([1.0, 0.2, 0.0])
    p_benefit = np.stack([monthly(entry), monthly(np.full(3, cfg.benefit_exit))], axis=1)  # [income, on benefit]
    level = 0.65 - 0.25 * model.region.wijk_deprivation
    network_rates = np.array([cfg.network_drift, cfg.network_social_health, cfg.participation_ties], dtype=np.float32)
    model._determinant_rates = (level.astype(np.float32), p_debt_onset, p_debt_resolution, p_benefit, network_rates)
    return model._determinant_rates


def step(model) -> None:
    res = model.res
    level, p_debt_onset, p_debt_resolution, p_benefit, network_rates = rates(model)
    _step(res.alive, res.age, res.income, res.benefit, res.debt, res.debt_months, res.network, res.health[SOCIAL],
          res.wijk, level, res.participating, res.service, res.state,
          model.streams.key("determinants.debt", model.month), model.streams.key("determinants.benefit", model.month),
          p_debt_onset, p_debt_resolution, p_benefit, network_rates)
