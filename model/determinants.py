"""Socio-economic determinants: problematic debt, benefits (uitkering) and network strength.

Debt is household debt (children share it). It starts more often with low income or a
benefit and resolves slowly by itself, faster in schuldhulp. Network strength follows the
wijk's level (raised by nulde-lijn community building) and the resident's own social health.
"""

from __future__ import annotations

import numpy as np

from model.residents import IN_CARE, LOW, MID
from model.services import S, SOCIAL


def step(model) -> None:
    res, cfg = model.res, model.cfg.determinants
    alive = res.alive
    month = model.month

    # debt onset and resolution
    onset = cfg.debt_onset * np.where(res.income == LOW, cfg.debt_onset_low_income,
                                      np.where(res.income == MID, 1.0, 0.3))
    onset = onset * np.where(res.benefit, cfg.debt_onset_benefit, 1.0)
    in_schuldhulp = ((res.service == S["schuldhulp"]) & (res.state == IN_CARE)).any(axis=0)
    resolve = cfg.debt_resolution + cfg.schuldhulp_resolution * in_schuldhulp
    u = model.streams.uniform("determinants.debt", month, res.n)
    p = np.where(res.debt, -np.expm1(-resolve / 12.0), -np.expm1(-onset / 12.0))
    change = alive & (u < p)
    res.debt ^= change
    res.debt_months[:] = np.where(res.debt, res.debt_months + 1, 0)

    # benefits for working-age adults with low (and less often middle) income
    working = alive & (res.age >= 18) & (res.age < 67)
    enter = cfg.benefit_onset * np.where(res.income == LOW, 1.0, np.where(res.income == MID, 0.2, 0.0))
    u = model.streams.uniform("determinants.benefit", month, res.n)
    p = np.where(res.benefit, -np.expm1(-cfg.benefit_exit / 12.0), -np.expm1(-enter / 12.0))
    res.benefit ^= working & (u < p)
    res.benefit &= working

    # network strength drifts to the wijk level plus the pull of one's own social health
    dep = model.region.wijk_deprivation[res.wijk]
    building = model.policy.community_building[res.municipality]
    level = 0.65 - 0.25 * dep + cfg.community_building_effect * (building - 1.0)
    target = level + cfg.network_social_health * (res.health[SOCIAL] - 0.7)
    res.network += cfg.network_drift * (target - res.network)
    np.clip(res.network, 0.0, 1.0, out=res.network)
