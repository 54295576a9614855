"""The core resident rules as a small, closed subset, vectorized the way carelines runs them.

The subset is what a per-agent reference (`benchmarks.mesa_reference`) can transcribe one
resident at a time, so that both can be compared result for result and timed side by side:

1. health: carelines' own compiled health step (`model.people.health.step`): drift to the
   age-and-determinant target, untreated-need persistence and progression, coupling, shocks
   absorbed by the network, and the care effect; needs as relative shortfalls;
2. help-seeking: residents with a need and no episode seek help with carelines' probability
   (`model.people.help_seeking`), and all of them go to the GP;
3. treatment: a GP episode of fixed length (the GP's planned episode length), then discharge.

Everything else stands still: no ageing, deaths or births, no change in debt, benefits or
network, no waiting lists, capacity, referral or financing. Residents, targets and draws
come from a real `CarelinesModel`, so both versions start from the same population and use
the same counter-based random streams, draw for draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

import model as carelines
from model.people import health
from model.people.help_seeking import _seekers
from model.people.residents import IN_CARE, NO_SERVICE, NONE
from model.care.services import S

GP = S["gp"]


def start_model(n: int, seed: int):
    """A freshly built carelines model (health at its targets, no episodes), set to month 0.
    The subset's care always works (no non-responders) at the GP's standard contacts."""
    from model.care.providers import provider_arrays
    from model.engine.simulation import CarelinesModel

    cfg = carelines.load_config("baseline", [f"population.size={n}", f"seed={seed}", "years=2",
                                             "health.care_non_response=[0,0,0]"])
    sim = CarelinesModel(cfg)
    provider_arrays(sim)
    res = sim.res
    res.state[:] = NONE
    res.service[:] = NO_SERVICE
    res.months[:] = 0
    res.in_voorzorg[:] = False
    sim.month = 0
    health.update_needs(sim)
    return sim


@dataclass
class SubsetRules:
    """The parameters of the subset, read from a carelines model, as plain Python values."""

    drift: float
    persistence: float
    threshold: list
    progression: list          # physical, mental, social
    youth_progression: float
    coupling_threshold: float
    coupling: list             # row: source domain, column: domain eroded
    shock_rate: list
    shock_size: list
    shock_age_physical: float
    youth_shock_rate: float
    demand_trend: float        # adults' mental shocks grow more frequent by this a year
    youth_demand_trend: float  # children's mental and social shocks, likewise
    youth_family_severity_trend: float  # children's social shocks grow larger by this a year
    informal_buffer: float
    care_effect: float         # the GP's treatment effect
    recovery_margin: float
    episode_months: int        # the GP's planned episode length
    seek_base: list
    seek_severity: list
    informal_absorption: float
    latent_demand: float

    @classmethod
    def from_model(cls, sim) -> SubsetRules:
        h, hs = sim.cfg.health, sim.cfg.help_seeking
        return cls(
            drift=h.drift, persistence=h.need_persistence, threshold=list(h.need_threshold),
            progression=list(h.untreated_progression), youth_progression=h.youth_progression,
            coupling_threshold=h.coupling_threshold, coupling=[list(row) for row in h.coupling],
            shock_rate=list(h.shock_rate), shock_size=list(h.shock_size),
            shock_age_physical=h.shock_age_physical, youth_shock_rate=h.youth_shock_rate,
            demand_trend=h.demand_trend, youth_demand_trend=h.youth_demand_trend,
            youth_family_severity_trend=h.youth_family_severity_trend, informal_buffer=h.informal_buffer,
            care_effect=float(sim.services_cfg_array("effect")[GP]), recovery_margin=health.RECOVERY_MARGIN,
            episode_months=max(1, round(sim.cfg.services.gp.episode_months)),
            seek_base=list(hs.seek_base), seek_severity=list(hs.seek_severity),
            informal_absorption=hs.informal_absorption, latent_demand=hs.latent_demand)


def wijkteam_reach(sim) -> np.ndarray:
    """Per resident: how accessible the local wijkteam is (coverage x light help), which
    uncovers latent demand for mental, social and youth needs."""
    pol = sim.policy
    muni = sim.res.municipality
    return pol.coverage[muni] * (0.5 + 0.5 * pol.light_help[muni])


class VectorizedSubset:
    """The subset on arrays: every process acts on all residents at once."""

    def __init__(self, n: int, seed: int):
        self.sim = start_model(n, seed)
        self.rules = SubsetRules.from_model(self.sim)
        pol = self.sim.policy
        self.reach_by_municipality = pol.coverage * (0.5 + 0.5 * pol.light_help)

    def step(self) -> None:
        sim = self.sim
        health.step(sim)
        self.seek_help()
        self.continue_care()
        sim.month += 1

    def seek_help(self) -> None:
        """carelines' help-seeking chance (its own compiled kernel, `help_seeking._seekers`);
        every resident who seeks help starts a GP episode."""
        sim, r = self.sim, self.rules
        res = sim.res
        f32 = np.float32
        ids, _, _, bounds = _seekers(sim.severity, res.state, res.network, res.age, res.municipality,
                                     self.reach_by_municipality, np.asarray(r.seek_base, dtype=f32),
                                     np.asarray(r.seek_severity, dtype=f32), f32(r.informal_absorption),
                                     r.latent_demand,
                                     np.array([sim.streams.key(f"help_seeking.{d}", sim.month) for d in range(3)],
                                              dtype=np.uint64))
        for d in range(3):
            start = ids[bounds[d]:bounds[d + 1]]
            res.state[d, start] = IN_CARE
            res.service[d, start] = GP
            res.months[d, start] = 0

    def continue_care(self) -> None:
        """A month of care; episodes end at their planned length."""
        res = self.sim.res
        _continue_care(res.state, res.service, res.months, self.rules.episode_months)

    # ------------------------------------------------------------------ what is compared
    def health_by_domain(self) -> np.ndarray:
        return self.sim.res.health.astype(np.float64)

    def in_care_by_domain(self) -> np.ndarray:
        return self.sim.res.state == IN_CARE


@numba.njit(cache=True)
def _continue_care(state, service, months, episode_months):
    for d in range(3):
        for i in range(state.shape[1]):
            if state[d, i] == IN_CARE:
                months[d, i] += 1
                if months[d, i] >= episode_months:
                    state[d, i] = NONE
                    service[d, i] = NO_SERVICE
                    months[d, i] = 0


def summary(health_by_domain: np.ndarray, in_care: np.ndarray, threshold) -> dict:
    """Mean health and the share with a need (and in care) per domain; arrays shaped (3, n)."""
    thr = np.asarray(threshold, dtype=np.float64)[:, None]
    return {"mean_health": health_by_domain.mean(axis=1).tolist(),
            "need_share": (health_by_domain < thr).mean(axis=1).tolist(),
            "in_care_share": in_care.mean(axis=1).tolist()}
