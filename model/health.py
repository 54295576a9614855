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

import numba
import numpy as np

from model import threads
from model.random_streams import draw
from model.residents import IN_CARE, WAITING
from model.services import MENTAL, PHYSICAL, SERVICE_TREATS_ROOT, SOCIAL

RECOVERY_MARGIN = 0.15  # care aims this far above the need threshold
ZERO, ONE = np.float32(0.0), np.float32(1.0)  # float32 constants keep the compiled kernel in float32


class HealthRules:
    """The health parameters as arrays, prepared once per model for the compiled kernel."""

    def __init__(self, model):
        h = model.cfg.health
        f32 = np.float32
        w = h.socioeconomic_weight / 0.5  # defaults are set for determinants carrying half of health
        # target without age and network, per wijk and determinant cell (income, debt, benefit)
        low = np.array([1.0, 0.4, 0.0])[:, None, None, None]                      # income low, mid, high
        debt = np.array([0.0, 1.0])[None, :, None, None]
        benefit = np.array([0.0, 1.0])[None, None, :, None]
        cell = (np.asarray(h.target_base) - w * (low * np.asarray(h.low_income_effect) + debt * np.asarray(h.debt_effect)
                                                 + benefit * np.asarray(h.benefit_effect))).reshape(12, 3)
        dep = model.region.wijk_deprivation[:, None, None] * (w * np.asarray(h.deprivation_effect))[None, None, :]
        self.base = (cell[None, :, :] - dep).astype(f32)                          # (wijk, cell, domain)
        self.network_effect = (w * np.asarray(h.network_effect)).astype(f32)
        self.age_decline = np.array([h.physical_age_decline, h.social_age_decline], dtype=f32)
        self.threshold = np.array(h.need_threshold, dtype=f32)
        self.progression = np.array(list(h.untreated_progression) + [h.youth_progression], dtype=f32)
        self.coupling = np.array(h.coupling, dtype=f32)
        self.shock = np.array([h.shock_rate, h.shock_size], dtype=f32)
        self.scalars = np.array([h.drift, h.need_persistence, h.coupling_threshold, h.informal_buffer,
                                 h.shock_age_physical, h.youth_shock_rate, h.waiting_deterioration,
                                 model.cfg.services.voorzorg.effect, RECOVERY_MARGIN], dtype=f32)
        self.service_effect = model.services_cfg_array("effect")
        self.demand_trend = h.demand_trend


@numba.njit(inline="always", cache=True)
def _cell(income, debt, benefit):
    """Determinant cell: income (0 low, 1 mid, 2 high) x debt x benefit."""
    return income * 4 + (2 if debt else 0) + (1 if benefit else 0)


@numba.njit(inline="always", cache=True)
def _target(d, age, base, network, network_effect, age_decline):
    """Target health in domain d: the wijk-and-determinant base, the network, and age."""
    t = base[d] + network_effect[d] * (network - np.float32(0.5))
    if d == PHYSICAL:
        t -= age_decline[0] * max(age - np.float32(40.0), np.float32(0.0))
    elif d == SOCIAL:
        t -= age_decline[1] * max(age - np.float32(70.0), np.float32(0.0))
    return t


@numba.njit(cache=True)
def _targets(age, income, debt, benefit, wijk, network, base, network_effect, age_decline):
    out = np.empty((3, len(age)), dtype=np.float32)
    for i in range(len(age)):
        cell_base = base[wijk[i], _cell(income[i], debt[i], benefit[i])]
        for d in range(3):
            out[d, i] = _target(d, age[i], cell_base, network[i], network_effect, age_decline)
    return out


def targets(model) -> np.ndarray:
    """Target health per domain, shape (3, n), from age and determinants."""
    res, rules = model.res, model.health_rules
    return _targets(res.age, res.income, res.debt, res.benefit, res.wijk, res.network, rules.base,
                    rules.network_effect, rules.age_decline)


@threads.kernel  # serial unless threads are asked for (model.threads)
def _step(health, severity, alive, age, income, debt, benefit, wijk, network, state, service, root,
          in_voorzorg, shock_keys, trend, base, network_effect, age_decline, threshold, progression, coupling, shock,
          scalars, service_effect, service_treats_root):
    drift, persistence, coupling_threshold, informal_buffer = scalars[0], scalars[1], scalars[2], scalars[3]
    shock_age, youth_shock, waiting_loss, voorzorg_effect, margin = (scalars[4], scalars[5], scalars[6],
                                                                    scalars[7], scalars[8])
    for i in numba.prange(len(age)):  # each resident on its own
        if not alive[i]:
            for d in range(3):
                severity[d, i] = ZERO
            continue
        child = age[i] < np.float32(18.0)
        cell_base = base[wijk[i], _cell(income[i], debt[i], benefit[i])]
        # 1. drift to target; untreated needs recover slowly and worsen a little
        for d in range(3):
            t = _target(d, age[i], cell_base, network[i], network_effect, age_decline)
            x = health[d, i]
            if x < threshold[d] and state[d, i] != IN_CARE:
                x += drift * (ONE - persistence) * (t - x)
                x -= progression[3] if (child and d != PHYSICAL) else progression[d]
            else:
                x += drift * (t - x)
            health[d, i] = x
        # 2. coupling: a shortfall below the coupling threshold erodes the domains it feeds
        s0 = max(coupling_threshold - health[0, i], ZERO)
        s1 = max(coupling_threshold - health[1, i], ZERO)
        s2 = max(coupling_threshold - health[2, i], ZERO)
        for d in range(3):
            health[d, i] -= coupling[0, d] * s0 + coupling[1, d] * s1 + coupling[2, d] * s2
        # 3. shocks, partly absorbed by the network; the size reuses the draw (u/p is uniform)
        buffer = ONE - informal_buffer * network[i]
        for d in range(3):
            if d == PHYSICAL:
                rate = shock[0, 0] * (ONE + shock_age * max(age[i] - np.float32(50.0), ZERO))
            elif child:
                rate = youth_shock * trend * (ONE if d == MENTAL else np.float32(0.7))
            else:
                rate = shock[0, d] * (trend if d == MENTAL else ONE)
            u = draw(shock_keys[d], i)
            if u < rate:
                health[d, i] += np.log(max(u / rate, np.float32(1e-6))) * shock[1, d] * buffer
        # 4. care towards recovery; the root domain too when the service works on the root;
        #    waiting lists wear people down; Voorzorg groups help a little while waiting
        for d in range(3):
            if state[d, i] == IN_CARE:
                s = service[d, i]
                effect = service_effect[s]
                health[d, i] += effect * max(threshold[d] + margin - health[d, i], ZERO)
                r = root[d, i]
                if service_treats_root[s] and r != d:
                    health[r, i] += effect * max(threshold[r] + margin - health[r, i], ZERO)
            elif state[d, i] == WAITING:
                health[d, i] -= waiting_loss
        if in_voorzorg[i]:
            for d in (MENTAL, SOCIAL):
                health[d, i] += voorzorg_effect * max(threshold[d] + margin - health[d, i], ZERO)
        for d in range(3):
            x = min(max(health[d, i], ZERO), ONE)
            health[d, i] = x
            severity[d, i] = max(threshold[d] - x, ZERO) / threshold[d]


def step(model) -> None:
    """One month of health for every resident, and the resulting needs."""
    res, rules = model.res, model.health_rules
    keys = np.array([model.streams.key(f"health.shock.{d}", model.month) for d in range(3)], dtype=np.uint64)
    trend = np.float32((1.0 + rules.demand_trend) ** (model.month / 12.0))
    model.severity = _severity_buffer(model)
    _step(res.health, model.severity, res.alive, res.age, res.income, res.debt, res.benefit,
          res.wijk, res.network, res.state, res.service, res.root, res.in_voorzorg,
          keys, trend, rules.base, rules.network_effect, rules.age_decline, rules.threshold, rules.progression, rules.coupling,
          rules.shock, rules.scalars, rules.service_effect, SERVICE_TREATS_ROOT)


def _severity_buffer(model) -> np.ndarray:
    """An array of shape (3, residents) for this month's severities, reusing last month's memory
    (a fresh array each month costs page faults on every page)."""
    res = model.res
    buffer = getattr(model, "_severity_memory", None)
    if buffer is None or buffer.shape[1] < res.n:
        buffer = model._severity_memory = np.empty((3, res.capacity), dtype=res.health.dtype)
    return buffer[:, :res.n]


def update_needs(model) -> None:
    """Severity per domain: relative shortfall below the need threshold, 0 without a need."""
    thr = model.health_rules.threshold[:, None]
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
