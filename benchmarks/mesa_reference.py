"""The subset of carelines' resident rules written the idiomatic Mesa way: one `mesa.Agent`
per resident, stepped with `model.agents.shuffle_do("step")`.

This is the yardstick for the vectorized model: the same rules as `benchmarks.subset`
(health drift, untreated-need persistence and progression, coupling, shocks absorbed by the
network, help-seeking to the GP, a fixed-length GP episode with its care effect), transcribed
resident by resident in plain Python. Residents, targets and parameters come from a carelines
model, and every random draw is carelines' own counter-based draw for the same stream, month
and resident id, so the two versions can be compared resident by resident.
Residents do not interact here, so the shuffled order does not change the results.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from benchmarks.subset import SubsetRules, start_model, wijkteam_reach
from model.people import health
from model.engine.random_streams import RandomStreams, draw

PHYSICAL, MENTAL, SOCIAL = 0, 1, 2


class Resident(mesa.Agent):
    """One resident: three health stocks and at most one GP episode per domain."""

    def __init__(self, model, resident_id, age, network, target, start_health, reach):
        super().__init__(model)
        self.resident_id = resident_id  # carelines' row: the key of this resident's draws
        self.age = age
        self.network = network
        self.target = target            # target health per domain (age and determinants)
        self.health = list(start_health)
        self.reach = reach              # accessibility of the local wijkteam
        self.in_care = [False, False, False]
        self.months = [0, 0, 0]
        self.severity = [0.0, 0.0, 0.0]

    def step(self):
        self.update_health()
        self.seek_help()
        self.continue_care()

    def update_health(self):
        r, m = self.model.rules, self.model
        child = self.age < 18.0
        h = self.health
        # drift to target; an untreated need recovers slowly and worsens a little
        for d in range(3):
            x = h[d]
            if x < r.threshold[d] and not self.in_care[d]:
                x += r.drift * (1.0 - r.persistence) * (self.target[d] - x)
                x -= r.youth_progression if (child and d != PHYSICAL) else r.progression[d]
            else:
                x += r.drift * (self.target[d] - x)
            h[d] = x
        # coupling: a shortfall below the coupling threshold erodes the domains it feeds
        shortfall = [max(r.coupling_threshold - x, 0.0) for x in h]
        for d in range(3):
            h[d] -= sum(r.coupling[k][d] * shortfall[k] for k in range(3))
        # shocks, the mental and social ones partly absorbed by the network; the size reuses the draw
        for d in range(3):
            buffer = 1.0 - r.informal_buffer * self.network if d != PHYSICAL else 1.0
            if d == SOCIAL and child:
                buffer *= m.family_size  # children's family problems grow more severe over the years
            if d == PHYSICAL:
                rate = r.shock_rate[0] * (1.0 + r.shock_age_physical * max(self.age - 50.0, 0.0))
            elif child:
                rate = r.youth_shock_rate * m.youth_trend * (1.0 if d == MENTAL else 0.7)
            else:
                rate = r.shock_rate[d] * (m.trend if d == MENTAL else 1.0)
            u = draw(m.shock_keys[d], self.resident_id)
            if u < rate:
                h[d] += math.log(max(u / rate, 1e-6)) * r.shock_size[d] * buffer
        # care towards recovery in the treated domain
        for d in range(3):
            if self.in_care[d]:
                h[d] += r.care_effect * max(r.threshold[d] + r.recovery_margin - h[d], 0.0)
            h[d] = min(max(h[d], 0.0), 1.0)
            self.severity[d] = max(r.threshold[d] - h[d], 0.0) / r.threshold[d]

    def seek_help(self):
        r, m = self.model.rules, self.model
        for d in range(3):
            s = self.severity[d]
            if s <= 0.0 or self.in_care[d]:
                continue
            p = (r.seek_base[d] + r.seek_severity[d] * s) * (1.0 - r.informal_absorption * self.network * (1.0 - s))
            if d != PHYSICAL:
                p += r.latent_demand * self.reach * (1.0 if (self.age < 18.0 or d == SOCIAL) else 0.3)
            if draw(m.seek_keys[d], self.resident_id) < min(max(p, 0.0), 1.0):
                self.in_care[d] = True
                self.months[d] = 0

    def continue_care(self):
        for d in range(3):
            if self.in_care[d]:
                self.months[d] += 1
                if self.months[d] >= self.model.rules.episode_months:
                    self.in_care[d] = False
                    self.months[d] = 0


class ReferenceModel(mesa.Model):
    """The subset with one agent per resident, built from a carelines model's residents."""

    def __init__(self, n: int, seed: int):
        super().__init__(rng=seed)
        sim = start_model(n, seed)
        self.rules = SubsetRules.from_model(sim)
        self.streams = RandomStreams(seed)
        self.month = 0
        res = sim.res
        targets = health.targets(sim).T.tolist()
        start = res.health.T.tolist()
        reach = wijkteam_reach(sim).tolist()
        for i, (age, network) in enumerate(zip(res.age.tolist(), res.network.tolist())):
            Resident(self, i, age, network, targets[i], start[i], reach[i])

    def step(self):
        # this month's stream keys and demand trends, shared by all residents
        self.shock_keys = [self.streams.key(f"health.shock.{d}", self.month) for d in range(3)]
        self.seek_keys = [self.streams.key(f"help_seeking.{d}", self.month) for d in range(3)]
        years = self.month / 12.0
        self.trend = (1.0 + self.rules.demand_trend) ** years
        self.youth_trend = (1.0 + self.rules.youth_demand_trend) ** years
        self.family_size = (1.0 + self.rules.youth_family_severity_trend) ** years
        self.agents.shuffle_do("step")
        self.month += 1

    # ------------------------------------------------------------------ what is compared
    def health_by_domain(self) -> np.ndarray:
        """Health per domain, shape (3, n), in resident-id order."""
        out = np.empty((3, len(self.agents)))
        for a in self.agents:
            out[:, a.resident_id] = a.health
        return out

    def in_care_by_domain(self) -> np.ndarray:
        out = np.zeros((3, len(self.agents)), dtype=bool)
        for a in self.agents:
            out[:, a.resident_id] = a.in_care
        return out
