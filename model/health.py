"""Health dynamics: three coupled stocks (physical, mental, social) per resident, in [0, 1].

Each month every stock
1. drifts towards a target set by age and determinants (income, debt, benefit, network, wijk);
   an untreated need recovers slowly by itself and worsens a little each month (escalation);
2. is eroded by poor health in the domains that feed it (coupling): poor social health
   (loneliness, debt stress) erodes mental health, poor mental health erodes social and physical
   health, poor physical health erodes social health;
3. takes random shocks (illness, bereavement, job loss, family crisis), partly absorbed by the
   informal network;
4. recovers under care: towards recovery in the presenting domain, and in the root domain only
   when the service works on the root (social work, wijkteam, youth care);
5. worsens while waiting for care.

A need exists where a stock is below its threshold; its severity is the relative shortfall.
"""

from __future__ import annotations

import numpy as np

from model.residents import IN_CARE, LOW, MID, WAITING
from model.services import MENTAL, PHYSICAL, SERVICE_TREATS_ROOT, SOCIAL

RECOVERY_MARGIN = 0.15  # care aims this far above the need threshold


def targets(model) -> np.ndarray:
    """Target health per domain, shape (3, n), from age and determinants."""
    res, h = model.res, model.cfg.health
    w = h.socioeconomic_weight / 0.5  # defaults are set for determinants carrying half of health
    age = res.age
    dep = model.region.wijk_deprivation[res.wijk]
    low = (res.income == LOW).astype(np.float32) + 0.4 * (res.income == MID)
    out = np.empty((3, res.n), dtype=np.float32)
    for d in range(3):
        out[d] = h.target_base[d] - w * (
            h.low_income_effect[d] * low + h.debt_effect[d] * res.debt + h.benefit_effect[d] * res.benefit
            + h.deprivation_effect[d] * dep - h.network_effect[d] * (res.network - 0.5))
    out[PHYSICAL] -= h.physical_age_decline * np.maximum(age - 40.0, 0.0)
    out[SOCIAL] -= h.social_age_decline * np.maximum(age - 70.0, 0.0)
    return out


def shock_rates(model) -> np.ndarray:
    """Monthly shock chance per domain, shape (3, n): physical rises with age, children have
    youth shocks in the mental and social domain, and mental/youth demand trends upward."""
    res, h = model.res, model.cfg.health
    years = model.month / 12.0
    trend = (1.0 + h.demand_trend) ** years
    rate = np.empty((3, res.n), dtype=np.float32)
    rate[PHYSICAL] = h.shock_rate[PHYSICAL] * (1.0 + h.shock_age_physical * np.maximum(res.age - 50.0, 0.0))
    child = res.age < 18.0
    rate[MENTAL] = np.where(child, h.youth_shock_rate, h.shock_rate[MENTAL]) * trend
    rate[SOCIAL] = np.where(child, h.youth_shock_rate * 0.7 * trend, h.shock_rate[SOCIAL])
    return rate


def step(model) -> None:
    res, h = model.res, model.cfg.health
    health = res.health
    target = targets(model)
    threshold = np.asarray(h.need_threshold, dtype=np.float32)[:, None]
    untreated = (health < threshold) & (res.state != IN_CARE)
    drift = np.where(untreated, h.drift * (1.0 - h.need_persistence), h.drift).astype(np.float32)
    health += drift * (target - health)
    progression = np.asarray(h.untreated_progression, dtype=np.float32)[:, None]
    progression = np.broadcast_to(progression, health.shape).copy()
    progression[1:, res.age < 18.0] = h.youth_progression
    health -= np.where(untreated, progression, 0.0)

    # coupling: shortfall below the coupling threshold in a source domain erodes its targets
    shortfall = np.maximum(h.coupling_threshold - health, 0.0)
    coupling = np.asarray(h.coupling, dtype=np.float32)
    health -= coupling.T @ shortfall

    # shocks: one draw per resident and domain; the size reuses the draw (u/p is uniform if u<p)
    rate = shock_rates(model)
    buffer = 1.0 - h.informal_buffer * res.network
    for d in range(3):
        u = model.streams.uniform(f"health.shock.{d}", model.month, res.n)
        hit = u < rate[d]
        size = -np.log(np.maximum(u[hit] / rate[d][hit], 1e-6)) * h.shock_size[d] * buffer[hit]
        health[d, hit] -= size

    # care: towards recovery; the root domain too when the service works on the root
    d_idx, ids = np.nonzero(res.state == IN_CARE)
    service = res.service[d_idx, ids]
    effect = model.services_cfg_array("effect")[service]
    goal = np.asarray(h.need_threshold, dtype=np.float32)[d_idx] + RECOVERY_MARGIN
    health[d_idx, ids] += effect * np.maximum(goal - health[d_idx, ids], 0.0)
    root = res.root[d_idx, ids]
    on_root = SERVICE_TREATS_ROOT[service] & (root != d_idx)
    r_ids, r_dom = ids[on_root], root[on_root]
    r_goal = np.asarray(h.need_threshold, dtype=np.float32)[r_dom] + RECOVERY_MARGIN
    health[r_dom, r_ids] += effect[on_root] * np.maximum(r_goal - health[r_dom, r_ids], 0.0)

    # Voorzorg peer groups for people waiting for GGZ: a little help on mental and social health
    vz = np.nonzero(res.in_voorzorg)[0]
    if len(vz):
        vz_effect = model.cfg.services.voorzorg.effect
        for d in (MENTAL, SOCIAL):
            health[d, vz] += vz_effect * np.maximum(h.need_threshold[d] + RECOVERY_MARGIN - health[d, vz], 0.0)

    health[res.state == WAITING] -= h.waiting_deterioration
    np.clip(health, 0.0, 1.0, out=health)
    update_needs(model)


def update_needs(model) -> None:
    """Severity per domain: relative shortfall below the need threshold, 0 without a need."""
    thr = np.asarray(model.cfg.health.need_threshold, dtype=np.float32)[:, None]
    sev = (thr - model.res.health) / thr
    np.clip(sev, 0.0, 1.0, out=sev)
    sev[:, ~model.res.alive] = 0.0
    model.severity = sev


def root_domain(model, domain: int, ids: np.ndarray) -> np.ndarray:
    """Where the cause of a need lies: social when social health is the weaker one, or for mental
    needs of indebted residents (debt stress); otherwise the presenting domain itself."""
    res = model.res
    root = np.full(len(ids), domain, dtype=np.int8)
    if domain != SOCIAL:
        social = res.health[SOCIAL, ids]
        weak_social = (social < res.health[domain, ids]) & (social < model.cfg.health.coupling_threshold)
        if domain == MENTAL:
            weak_social |= res.debt[ids]
        root[weak_social] = SOCIAL
    return root
