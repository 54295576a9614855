"""Health dynamics: three coupled stocks (physical, mental, social) per resident, in [0, 1].

Each month every stock
1. drifts towards a target set by age and determinants (income, debt, benefit, network, wijk);
   an untreated need recovers slowly by itself and worsens a little each month (escalation);
2. is eroded by poor health in the domains that feed it (coupling): poor social health
   (loneliness, debt stress) erodes mental health, poor mental health erodes social and physical
   health, poor physical health erodes social health;
3. takes random shocks (illness, bereavement, job loss, family crisis); the informal network
   absorbs part of the mental and social ones (loneliness, stress), not illness; adults' mental
   shocks and children's problems become more frequent over the years (demand trends), and
   children's family problems more severe (family severity trend);
4. recovers under care: towards recovery in the presenting domain, and in the root domain only
   when the service works on the root (social work, wijkteam, youth care); the effect grows with
   the contacts given (dose-response) and some episodes bring no improvement (non-responders);
5. worsens while waiting for care.

A need exists where a stock is below its threshold; its severity is the relative shortfall.
"""

from __future__ import annotations

import numba
import numpy as np

from model.engine import threads
from model.engine.random_streams import draw
from model.people.residents import IN_CARE, NONE, WAITING
from model.care.services import MENTAL, PHYSICAL, SERVICE_TREATS_ROOT, SOCIAL
from model.engine.threads import CHUNKS, chunk

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
        household = (low * np.asarray(h.low_income_effect) + debt * np.asarray(h.debt_effect)
                     + benefit * np.asarray(h.benefit_effect)).reshape(12, 3)
        dep = model.region.wijk_deprivation[:, None, None] * (w * np.asarray(h.deprivation_effect))[None, None, :]
        target_base = np.asarray(h.target_base)[None, None, :]
        self.base = (target_base - w * household[None, :, :] - dep).astype(f32)  # (wijk, cell, domain)
        # children: only part of the household's income, debt and benefit effects reaches them
        self.base_child = (target_base - w * h.youth_socioeconomic_share * household[None, :, :] - dep).astype(f32)
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
        # responders improve by the mean effect over the share that responds
        self.responds = (1.0 - np.asarray(h.care_non_response, dtype=f32)).astype(f32)
        self.dose_response = f32(h.dose_response)  # the effect per provider: its contact factor to this power
        self.demand_trend = h.demand_trend
        self.youth_demand_trend = h.youth_demand_trend
        self.youth_family_severity_trend = h.youth_family_severity_trend


@numba.njit(inline="always", cache=True)
def frailty(physical, threshold):
    """Physical frailty in [0, 1]: the shortfall of physical health below `threshold`
    (`hospital_care.frailty_threshold`), relative to it. Drives planned hospital care,
    long-term care at home and extra mortality."""
    return max(threshold - physical, np.float32(0.0)) / threshold


@numba.njit(inline="always", cache=True)
def _cell(income, debt, benefit):
    """Determinant cell: income (0 low, 1 mid, 2 high) x debt x benefit."""
    return income * 4 + (2 if debt else 0) + (1 if benefit else 0)


@numba.njit(inline="always", cache=True)
def _target(d, cell_base, age, network, network_effect, physical_decline, social_decline):
    """Target health in domain d: the wijk-and-determinant base of the domain, the network
    (`network_effect` of the domain), and age."""
    t = cell_base + network_effect * (network - np.float32(0.5))
    if d == PHYSICAL:
        t -= physical_decline * max(age - np.float32(40.0), np.float32(0.0))
    elif d == SOCIAL:
        t -= social_decline * max(age - np.float32(70.0), np.float32(0.0))
    return t


@numba.njit(cache=True)
def _targets(age, income, debt, benefit, wijk, network, base, base_child, network_effect, age_decline):
    out = np.empty((3, len(age)), dtype=np.float32)
    for i in range(len(age)):
        table = base_child if age[i] < np.float32(18.0) else base
        cell_base = table[wijk[i], _cell(income[i], debt[i], benefit[i])]
        for d in range(3):
            out[d, i] = _target(d, cell_base[d], age[i], network[i], network_effect[d], age_decline[0],
                                age_decline[1])
    return out


def targets(model) -> np.ndarray:
    """Target health per domain, shape (3, n), from age and determinants."""
    res, rules = model.res, model.health_rules
    return _targets(res.age, res.income, res.debt, res.benefit, res.wijk, res.network, rules.base,
                    rules.base_child, rules.network_effect, rules.age_decline)


@numba.njit(inline="always", cache=True)
def _drifted(x, target, untreated, drift, untreated_drift, untreated_loss):
    """A month of drift to the target; an untreated need recovers slowly and worsens a little."""
    return (x + untreated_drift * (target - x) - untreated_loss) if untreated else (x + drift * (target - x))


BLOCK = 512  # residents handled together: the block's working arrays stay in the fastest cache


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _step(health, severity, state, alive, age, income, debt, benefit, wijk, network, service, root,
          in_voorzorg, shock_keys, trend, youth_trend, family_size, base, base_child, network_effect, age_decline,
          threshold, progression, coupling, shock, scalars, service_effect, service_treats_root, months,
          municipality, provider_index, provider_dose, responds, response_key, month):
    """A month of health for every resident, block by block. Each block runs the steps of the
    module docstring in passes over its residents, so that the straight-line arithmetic of
    drift, coupling and the draws runs on vector instructions (several residents at once) and
    only the rare branches (shocks, care, Voorzorg) go one resident at a time. Every resident
    gets the same operations in the same order as one by one, so the results are the same.

    `health`, `severity` and `state` come as three rows each (one per domain): a row of the
    residents' (3, n) arrays is a plain contiguous array, which the vector instructions need."""
    drift, persistence, coupling_threshold, informal_buffer = scalars[0], scalars[1], scalars[2], scalars[3]
    shock_age, youth_shock, waiting_loss, voorzorg_effect, margin = (scalars[4], scalars[5], scalars[6],
                                                                    scalars[7], scalars[8])
    untreated_drift = drift * (ONE - persistence)
    youth_rate = youth_shock * youth_trend
    # the parameters as scalars: the compiler then knows the block's arrays do not change them
    thr0, thr1, thr2 = threshold[0], threshold[1], threshold[2]
    effect0, effect1, effect2 = network_effect[0], network_effect[1], network_effect[2]
    physical_decline, social_decline = age_decline[0], age_decline[1]
    loss0, loss1, loss2, youth_loss = progression[0], progression[1], progression[2], progression[3]
    c00, c01, c02 = coupling[0, 0], coupling[0, 1], coupling[0, 2]
    c10, c11, c12 = coupling[1, 0], coupling[1, 1], coupling[1, 2]
    c20, c21, c22 = coupling[2, 0], coupling[2, 1], coupling[2, 2]
    shock0, shock1, shock2 = shock[0, 0], shock[0, 1], shock[0, 2]
    n = len(age)
    for c in numba.prange(CHUNKS):  # blocks of residents, each on its own
        lo, hi = chunk(c, n)
        h = np.empty((3, BLOCK), dtype=np.float32)          # the block's health while it changes
        cell_base = np.empty((3, BLOCK), dtype=np.float32)
        rate = np.empty((3, BLOCK), dtype=np.float32)       # shock chance per domain
        u = np.empty((3, BLOCK), dtype=np.float32)
        for start in range(lo, hi, BLOCK):
            m = min(BLOCK, hi - start)
            stop = start + m
            # the wijk-and-determinant base of the targets: a lookup, one resident at a time
            for j in range(m):
                i = start + j
                cell = _cell(income[i], debt[i], benefit[i])
                table = base_child if age[i] < np.float32(18.0) else base
                for d in range(3):
                    cell_base[d, j] = table[wijk[i], cell, d]
            # 1. drift to target (untreated needs recover slowly and worsen a little);
            # 2. coupling: a shortfall below the coupling threshold erodes the domains it feeds
            a_, net_ = age[start:stop], network[start:stop]
            x0_, x1_, x2_ = health[0][start:stop], health[1][start:stop], health[2][start:stop]
            st0, st1, st2 = state[0][start:stop], state[1][start:stop], state[2][start:stop]
            base0, base1, base2 = cell_base[0], cell_base[1], cell_base[2]   # rows: plain 1-d arrays vectorise
            h0, h1, h2 = h[0], h[1], h[2]
            rate0, rate1, rate2 = rate[0], rate[1], rate[2]
            for j in range(m):
                a, net = a_[j], net_[j]
                child = a < np.float32(18.0)
                x0 = _drifted(x0_[j], _target(PHYSICAL, base0[j], a, net, effect0, physical_decline,
                                              social_decline),
                              (x0_[j] < thr0) & (st0[j] != IN_CARE), drift, untreated_drift, loss0)
                x1 = _drifted(x1_[j], _target(MENTAL, base1[j], a, net, effect1, physical_decline,
                                              social_decline),
                              (x1_[j] < thr1) & (st1[j] != IN_CARE), drift, untreated_drift,
                              youth_loss if child else loss1)
                x2 = _drifted(x2_[j], _target(SOCIAL, base2[j], a, net, effect2, physical_decline,
                                              social_decline),
                              (x2_[j] < thr2) & (st2[j] != IN_CARE), drift, untreated_drift,
                              youth_loss if child else loss2)
                s0 = max(coupling_threshold - x0, ZERO)
                s1 = max(coupling_threshold - x1, ZERO)
                s2 = max(coupling_threshold - x2, ZERO)
                h0[j] = x0 - (c00 * s0 + c10 * s1 + c20 * s2)
                h1[j] = x1 - (c01 * s0 + c11 * s1 + c21 * s2)
                h2[j] = x2 - (c02 * s0 + c12 * s1 + c22 * s2)
                rate0[j] = shock0 * (ONE + shock_age * max(a - np.float32(50.0), ZERO))
                rate1[j] = youth_rate * ONE if child else shock1 * trend
                rate2[j] = youth_rate * np.float32(0.7) if child else shock2 * ONE
            # 3. shocks, partly absorbed by the network; the size reuses the draw (u/p is uniform)
            for d in range(3):
                key, u_d = shock_keys[d], u[d]
                for j in range(m):
                    u_d[j] = draw(key, start + j)
            for j in range(m):
                for d in range(3):
                    if u[d, j] < rate[d, j]:
                        # informal support softens mental and social blows, not illness
                        buffer = ONE - informal_buffer * network[start + j] if d != PHYSICAL else ONE
                        # children's family problems grow more severe over the years
                        if d == SOCIAL and age[start + j] < np.float32(18.0):
                            buffer *= family_size
                        h[d, j] += np.log(max(u[d, j] / rate[d, j], np.float32(1e-6))) * shock[1, d] * buffer
            # 4. care towards recovery, the root domain too when the service works on the root;
            #    the effect grows with the contacts given, and a non-responder's episode brings none
            #    (one draw per episode: resident, domain and the month it started);
            #    waiting lists wear people down; Voorzorg groups help a little while waiting
            for j in range(m):
                i = start + j
                if state[0][i] == NONE and state[1][i] == NONE and state[2][i] == NONE and not in_voorzorg[i]:
                    continue
                for d in range(3):
                    if state[d][i] == IN_CARE:
                        s = service[d, i]
                        episode = (i * 3 + d) * 4096 + ((month - months[d, i]) & 4095)
                        if draw(response_key, episode) >= responds[d]:
                            continue  # a non-responder: this episode brings no improvement
                        effect = min(service_effect[s] * provider_dose[provider_index[s, municipality[i]]]
                                     / responds[d], ONE)
                        h[d, j] += effect * max(threshold[d] + margin - h[d, j], ZERO)
                        r = root[d, i]
                        if service_treats_root[s] and r != d:
                            h[r, j] += effect * max(threshold[r] + margin - h[r, j], ZERO)
                    elif state[d][i] == WAITING:
                        h[d, j] -= waiting_loss
                if in_voorzorg[i]:
                    for d in (MENTAL, SOCIAL):
                        h[d, j] += voorzorg_effect * max(threshold[d] + margin - h[d, j], ZERO)
            # health stays in [0, 1]; severity is the relative shortfall below the threshold;
            # the dead keep their last health and have no need
            alive_ = alive[start:stop]
            for d in range(3):
                thr, h_d = threshold[d], h[d]
                health_d, severity_d = health[d][start:stop], severity[d][start:stop]
                for j in range(m):
                    x = min(max(h_d[j], ZERO), ONE)
                    health_d[j] = x if alive_[j] else health_d[j]
                    severity_d[j] = (max(thr - x, ZERO) / thr) if alive_[j] else ZERO


def step(model) -> None:
    """One month of health for every resident, and the resulting needs."""
    res, rules = model.res, model.health_rules
    keys = np.array([model.streams.key(f"health.shock.{d}", model.month) for d in range(3)], dtype=np.uint64)
    years = model.month / 12.0
    trend = np.float32((1.0 + rules.demand_trend) ** years)
    youth_trend = np.float32((1.0 + rules.youth_demand_trend) ** years)
    family_size = np.float32((1.0 + rules.youth_family_severity_trend) ** years)
    model.severity = _severity_buffer(model)
    _step(_rows(res.health), _rows(model.severity), _rows(res.state), res.alive, res.age, res.income, res.debt,
          res.benefit, res.wijk, res.network, res.service, res.root, res.in_voorzorg,
          keys, trend, youth_trend, family_size, rules.base, rules.base_child, rules.network_effect,
          rules.age_decline, rules.threshold, rules.progression, rules.coupling, rules.shock, rules.scalars,
          rules.service_effect, SERVICE_TREATS_ROOT, res.months, res.municipality, model.provider_index,
          model.provider_contact_factor ** rules.dose_response, rules.responds,
          model.streams.key("care.response", 0), np.int64(model.month))


def _rows(per_domain: np.ndarray) -> tuple:
    """The three domain rows of a (3, n) resident array, each a contiguous array."""
    return per_domain[0], per_domain[1], per_domain[2]


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
