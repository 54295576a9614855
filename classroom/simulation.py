"""The classroom model: the scenario a class sets with the levers, and today's system with the
same population and seed (common random numbers), stepped alongside.

`ClassroomModel(**keywords)` is the entry point the page calls on Opnieuw/Reset with the values
of its controls. It builds both configurations through `classroom.levers.build_configs`, the
same `load_config` and `set_values` validation as the command line. A bad value does not raise:
the model keeps the one-line ConfigError in `error`, which the page shows, and does nothing on
step.
"""

from __future__ import annotations

import threading
import weakref

import mesa
import numpy as np

from classroom import levers
from model.config import ConfigError
from model.money.financing import FINANCIERS
from model.people.residents import IN_CARE, WAITING
from model.care.services import LINES, SERVICE_LINE
from model.engine import memory
from model.engine.simulation import WARMUP_MONTHS, CarelinesModel

GRID = 30  # the neighbourhood picture: GRID x GRID residents
# where a resident is: index into PLACES
PLACES = ("none", "nulde", "eerste", "tweede", "waiting", "gone")
PAYERS = ("municipality", "insurer", "residents", "employers")  # who carries care cost in the end
DOMAINS = ("physical", "mental", "social")
NONE = -1

LIVE: weakref.WeakSet = weakref.WeakSet()  # every ClassroomModel still holding its simulations
# the page's server runs small models on many session threads for hours: freed memory goes back
# to the system at once rather than being kept for the next month of a large run
memory.return_freed_memory_promptly()


def month_summary(sim: CarelinesModel) -> dict:
    """The figures the page shows for the month just simulated, read from the model's outcomes."""
    data = sim.outcomes.data
    m = sim.month - 1

    def get(metric, line=NONE, to_line=NONE, domain=NONE, financier=NONE, group=NONE) -> float:
        row = data.get((metric, line, to_line, domain, financier, group))
        return float(row[m, -1]) if row is not None else 0.0

    fin = {name: i for i, name in enumerate(FINANCIERS)}
    spending = {p: get("cost", financier=fin[p]) + get("contributions", financier=fin[p])
                - get("shared_savings", financier=fin[p]) for p in PAYERS}
    return {
        "month": sim.month,
        "clients": [get("clients", line=ln) for ln in range(len(LINES))],
        "waiting": [get("waiting", line=ln) for ln in range(len(LINES))],
        "new": [get("new_episodes", line=ln) for ln in range(len(LINES))],
        "discharges": [get("discharges", line=ln) for ln in range(len(LINES))],
        "referrals": [[get("referrals", line=a, to_line=b) for b in range(len(LINES))] for a in range(len(LINES))],
        "crises": get("crises"),
        "unmet": get("unmet_need"),
        "health": [get("health", domain=d) for d in range(len(DOMAINS))],
        "health_low": get("health", group=0),
        "health_high": get("health", group=2),
        "health_gap": get("health_gap"),
        "spending": spending,
    }


class ClassroomModel(mesa.Model):
    """The scenario set by the page's levers next to today's system, one month per step.

    Keywords (see `classroom.levers`): population, seed, wijkteam_coverage, light_help,
    social_basis, social_basis_cut, welzijn_op_recept, broad_gatekeeper, schuldhulp,
    substitution, fund_size, preventiefonds, rule_nulde, rule_eerste, rule_tweede.
    """

    def __init__(self, population: int = levers.DEFAULT_POPULATION, seed: int = levers.DEFAULT_SEED,
                 wijkteam_coverage: float | None = None, light_help: float | None = None,
                 social_basis: float | None = None, social_basis_cut: float | None = None,
                 welzijn_op_recept: float | None = None, broad_gatekeeper: float | None = None,
                 schuldhulp: float | None = None, substitution: float | None = None,
                 fund_size: float | None = None, preventiefonds: bool = False,
                 rule_nulde: str = levers.TODAY, rule_eerste: str = levers.TODAY, rule_tweede: str = levers.TODAY,
                 rng=None):
        super().__init__(rng=None)
        LIVE.add(self)
        given = {k: v for k, v in dict(
            population=population, seed=seed, wijkteam_coverage=wijkteam_coverage, light_help=light_help,
            social_basis=social_basis, social_basis_cut=social_basis_cut, welzijn_op_recept=welzijn_op_recept,
            broad_gatekeeper=broad_gatekeeper, schuldhulp=schuldhulp, substitution=substitution,
            fund_size=fund_size, preventiefonds=preventiefonds, rule_nulde=rule_nulde, rule_eerste=rule_eerste,
            rule_tweede=rule_tweede).items() if v is not None}
        self.error: str | None = None
        self.sim = self.base = None
        self.history: list[dict] = []
        self.baseline_history: list[dict] = []
        self.sample = np.zeros(0, dtype=np.int64)
        self._lock = threading.Lock()
        self.month = 0
        self.total_months = 12 * levers.YEARS
        try:
            scenario_cfg, baseline_cfg, self.settings = levers.build_configs(**given)
        except ConfigError as exc:
            self.error = str(exc)
            self.settings = levers.defaults()
            self.running = False
            return
        self.sim = CarelinesModel(scenario_cfg)
        self.base = CarelinesModel(baseline_cfg)
        for sim in (self.sim, self.base):
            while sim.month < 0:  # warm-up: the page starts at month 0 with settled queues
                sim.step()
        self.sample = self._draw_sample()
        self.running = True

    # ------------------------------------------------------------------ the neighbourhood
    def _draw_sample(self) -> np.ndarray:
        """GRID x GRID residents alive at the start, drawn with the seed, ordered by municipality
        and wijk so that neighbours on the grid are neighbours in the region."""
        res = self.sim.res
        alive = np.flatnonzero(res.alive[:res.n])
        rng = np.random.default_rng(self.settings["seed"])
        ids = rng.choice(alive, size=min(GRID * GRID, len(alive)), replace=False)
        order = np.lexsort((ids, res.wijk[ids], res.municipality[ids]))
        return ids[order]

    def places(self) -> np.ndarray:
        """Where each sampled resident is now (index into PLACES): the highest line they are in
        care in, else waiting if on a waiting list, else no care; 'gone' once they died."""
        if self.sim is None:
            return np.zeros(0, dtype=np.int8)
        res, ids = self.sim.res, self.sample
        state = res.state[:, ids]
        service = res.service[:, ids].astype(np.int64)
        line = np.where(state == IN_CARE, SERVICE_LINE[np.clip(service, 0, None)], -1).max(axis=0)
        out = np.where(line >= 0, line + 1, np.where((state == WAITING).any(axis=0), 4, 0))
        out = np.where(res.alive[ids], out, 5)
        return out.astype(np.int8)

    # ------------------------------------------------------------------ time
    def step(self) -> None:
        """One month of both models (nothing once finished or after a configuration error)."""
        with self._lock:
            if self.sim is None or self.month >= self.total_months:
                self.running = False
                return
            for sim, history in ((self.sim, self.history), (self.base, self.baseline_history)):
                sim.step()
                history.append(month_summary(sim))
            self.month = self.sim.month
            self.running = self.month < self.total_months

    def release(self) -> None:
        """Let go of both simulations (the bulk of the memory), e.g. when the page session that
        showed this model has closed: the page's framework may keep a reference to the model
        object itself for a while, but not to what it simulated."""
        with self._lock:
            sims = (self.sim, self.base)
            self.sim = self.base = None
            self.history, self.baseline_history = [], []
            self.sample = np.zeros(0, dtype=np.int64)
            self.running = False
            for sim in sims:
                if sim is not None:
                    sim.close()
        LIVE.discard(self)
        # the page server runs for hours with sessions on many threads: without this the C heap
        # keeps every page it ever needed (the most models alive at once, plus the gaps)
        memory.give_back_freed_memory()

    @property
    def year(self) -> int:
        return (self.sim.cfg.start_year if self.sim else 2025) + self.month // 12

    def cumulative_spending(self) -> dict:
        """Care spending per payer from month 0 to now: scenario, baseline and the difference."""
        out = {}
        for p in PAYERS:
            s = sum(h["spending"][p] for h in self.history)
            b = sum(h["spending"][p] for h in self.baseline_history)
            out[p] = (s, b, s - b)
        return out
