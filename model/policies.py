"""Policy levers as named, time-scheduled interventions.

Each month `PolicyState.update` turns the configured levers (`configs`, section `policies`) into
the values the processes read: wijkteam coverage and light help per municipality, capacity
multipliers per service, the gatekeeper's recognition of social roots, Welzijn op Recept, POH
spread, schuldhulp outreach, Voorzorg, financing rules, ontschotting, the prevention fund,
workforce changes and the two risk cases (sluitpost cuts and substitution without funds).
A lever applies from its `start_month`.
"""

from __future__ import annotations

import numpy as np

from model.care.services import S, SERVICE_NAMES, SERVICES

# social workers carry larger caseloads than specialist care staff: one FTE moved from
# specialist GGZ or youth care gives this many nulde-lijn slots per slot removed (assumption)
SOCIAL_WORK_CASELOAD_RATIO = 2.0


class PolicyState:
    """The current value of every lever; recomputed at the start of each month."""

    def __init__(self, model):
        self.model = model
        n_muni = model.region.n_municipalities
        self.sluitpost_cut = np.zeros(n_muni)          # set by municipalities after overspending
        self.capacity_multiplier = np.ones(len(SERVICES))
        self.local_capacity_multiplier = np.ones((len(SERVICES), n_muni))
        self.rules: dict[str, str] = {}
        self.update()

    def active(self, lever) -> bool:
        return lever.enabled and self.model.month >= lever.start_month

    def level(self, lever, default):
        return lever.level if self.active(lever) else default

    def update(self) -> None:
        model = self.model
        p = model.cfg.policies
        g = model.cfg.gatekeeper
        munis = model.region.municipalities
        n = len(munis)
        self.light_help = np.full(n, p.wijkteam_light_help.level) if self.active(p.wijkteam_light_help) \
            else np.array([m.wijkteam_light_help for m in munis])
        self.coverage = np.full(n, p.wijkteam_coverage.level) if self.active(p.wijkteam_coverage) \
            else np.array([m.wijkteam_coverage for m in munis])
        if model.calendar_year < model.cfg.region.wijkteam_start_year:  # before the decentralisation
            self.light_help = np.zeros(n)
            self.coverage = np.full(n, model.cfg.region.pre_wijkteam_coverage)
        self.root_recognition = self.level(p.broad_gatekeeper, g.root_recognition)
        self.welzijn_op_recept = self.level(p.welzijn_op_recept, g.welzijn_op_recept)
        self.poh_jeugd_share = self.level(p.poh_jeugd, p.poh_jeugd_baseline_share)
        self.voorzorg_share = self.level(p.voorzorg, 0.0)
        self.substitution_share = self.level(p.substitution_without_funds, 0.0)
        self.integrated = self.active(p.ontschotting)
        self.savings_share = min(max(self.level(p.ontschotting, 0.0), 0.0), 1.0)
        schuldhulp = self.level(p.schuldhulp, 1.0)
        self.schuldhulp_outreach = 0.02 * (schuldhulp - 1.0) if self.active(p.schuldhulp) else 0.0
        switch = p.financing_switch
        self.rules = {name: getattr(switch, name) for name in SERVICE_NAMES
                      if getattr(switch, name)} if self.active(switch) else {}
        if self.integrated:  # one budget: who was paid per verrichting now shares in its savings
            for name in SERVICE_NAMES:
                if self.rules.get(name, getattr(model.cfg.financing, name).rule) == "per_verrichting":
                    self.rules[name] = "integrated_budget"

        # capacities: staff per line
        cap = np.ones(len(SERVICES))
        staff = 1.0 - self.level(p.staff_shortage, 0.0)
        cap *= staff
        invest = self.level(p.social_basis_investment, 1.0)
        cut = self.level(p.social_basis_cut, 0.0)
        shift = self.level(p.workforce_shift, 0.0)
        nulde = invest * (1.0 - cut)
        cap[S["social_basis"]] *= nulde
        cap[S["voorzorg"]] *= nulde if self.voorzorg_share > 0 else 0.0  # groups only under the lever
        cap[S["schuldhulp"]] *= schuldhulp * (1.0 - cut)
        cap[S["poh_ggz"]] *= self.level(p.poh_ggz, 1.0)
        cap[S["poh_jeugd"]] *= self.poh_jeugd_share / max(p.poh_jeugd_baseline_share, 1e-9)
        if shift > 0:
            moved = 0.0
            for name in ("specialist_ggz", "youth_ambulant"):
                svc = model.cfg.services.__getattribute__(name)
                moved += shift * svc.capacity_per_1000
                cap[S[name]] *= 1.0 - shift
            base = model.cfg.services.social_basis.capacity_per_1000
            cap[S["social_basis"]] += SOCIAL_WORK_CASELOAD_RATIO * moved / max(base, 1e-9) * staff
        self.capacity_multiplier = cap

        # local: each municipality's social basis, minus its own sluitpost cut
        local = np.ones((len(SERVICES), n))
        local_basis = np.array([m.social_basis_capacity for m in munis]) * (1.0 - self.sluitpost_cut)
        for name in ("social_basis", "voorzorg", "schuldhulp"):
            local[S[name]] = local_basis
        staffing = model.cfg.region.wijkteam_staff_per_light_help
        local[S["wijkteam"]] = np.maximum(0.2, 1.0 + staffing * (self.light_help - 0.5))
        self.local_capacity_multiplier = local
        self.community_building = local_basis * invest * (1.0 - cut) + self.fund_building()
        self.social_basis_access = np.minimum(1.5, local_basis * invest * (1.0 - cut))

    # ------------------------------------------------------------------ prevention fund
    def fund_building(self) -> np.ndarray:
        """Community work the fund pays for with half its spending, as a share of the social
        basis's own community work: the euros buy FTE at the cost of a social worker."""
        fund = self.model.fund
        if fund is None:
            return 0.0
        work = self.model.cfg.social_work
        own = work.fte_per_1000 * work.community_work_share / 1000.0 * work.cost_per_fte()  # euro per resident-year
        per_resident_year = 0.5 * fund.monthly_spending() * 12.0 / max(self.model.initial_population, 1)
        return np.full(self.model.region.n_municipalities, per_resident_year / max(own, 1e-9))

    def extra_capacities(self, providers) -> np.ndarray | float:
        """`extra_capacity` of each of `providers`, as an array (0.0 when there is no fund)."""
        if self.model.fund is None:
            return 0.0
        return np.array([self.extra_capacity(p) for p in providers], dtype=np.float64)

    def extra_capacity(self, provider) -> float:
        fund = self.model.fund
        if fund is None or provider.service != S["social_basis"]:
            return 0.0
        return fund.extra_slots(provider)
