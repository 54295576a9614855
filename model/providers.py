"""Providers: one Mesa agent per service and municipality, with capacity, a contract, and
behaviour that responds to the contract. For the hospital and specialist GGZ the agent stands
for the part of their capacity that serves the municipality's residents.

- per verrichting: revenue grows with contacts, so the provider accepts milder cases, delivers
  more contacts per month and discharges later (supply-induced demand, `supply_elasticity`).
- budget: a fixed yearly amount; the provider shortens episodes (`budget_shortening`), and once
  the year's budget is used up it admits nobody and refers waiting clients down
  (`budget_refer_out`, see `model.care.leave_waiting_lists`).
- capitation: paid per enrolled resident; volume-neutral.

Capacity follows demand under per verrichting only: each January the provider closes a share
(`financing.capacity_response`) of the gap between last month's demand (clients in care and
waiting) and its capacity. Budget-funded providers keep the capacity the budget pays for.

Derived amounts (a budget or capitation of 0 in the config) pay for `DERIVED_BUDGET_SHARE`
of the provider's current capacity used in full, so budgets follow capacity changes such as
a sluitpost cut.
"""

from __future__ import annotations

import mesa
import numpy as np

from model import care
from model.services import LINES, S, SERVICES, SUPPORT_SERVICES

# planned hospital care and long-term support have no episodes or waiting lists to follow: their
# capacity is set in the config (and by levers)
DIRECT_SERVICES = {S[name] for name in ("hospital_outpatient", "hospital_planned") + SUPPORT_SERVICES}
DERIVED_BUDGET_SHARE = 0.9  # derived budgets pay for 90% of full-capacity use: rationing can bind


class Provider(mesa.Agent):
    """A care provider of one service type in one municipality (or the whole region)."""

    def __init__(self, model, service: int, municipality: int, residents_served: int):
        super().__init__(model)
        self.service = service
        self.municipality = municipality
        spec = SERVICES[service]
        self.cfg = getattr(model.cfg.services, spec.name)
        self.contract = getattr(model.cfg.financing, spec.name)
        self.residents_served = residents_served
        self.staff = spec.name == "social_basis"  # priced by its staff (`social_work`), not per contact
        self.base_capacity = self._capacity_per_1000() * residents_served / 1000.0
        self.capacity = self.base_capacity
        self.expansion = 1.0  # capacity grown with demand under per verrichting, relative to base
        self.rule = self.contract.rule
        self.budget_year = self._yearly_budget()
        self.extra_funds_year = 0.0  # paid on top of the budget (preventiefonds), this year
        self.spent_year = 0.0        # value of delivered contacts at tariff, this calendar year

    @property
    def spec(self):
        return SERVICES[self.service]

    @property
    def name(self) -> str:
        return f"{self.spec.name}:{self.model.region.names[self.municipality]}"

    @property
    def line_name(self) -> str:
        return LINES[self.spec.line]

    def full_capacity_value(self) -> float:
        """Yearly value of the current capacity used in full, at tariff."""
        return self.capacity * self.cfg.contacts_per_month * self.cfg.tariff * 12.0

    def _capacity_per_1000(self) -> float:
        """Client slots per 1,000 residents: the social basis's from its social workers' casework hours."""
        if self.staff:
            work = self.model.cfg.social_work
            return work.fte_per_1000 * work.clients_per_fte()
        return self.cfg.capacity_per_1000

    def staff_cost(self) -> float:
        """Yearly cost of the staff behind the current capacity (all their hours: casework, groups,
        community work, outreach and time between clients)."""
        work = self.model.cfg.social_work
        fte = work.fte_per_1000 * self.residents_served / 1000.0
        return fte * work.cost_per_fte() * (self.capacity / self.base_capacity if self.base_capacity else 0.0)

    def _yearly_budget(self) -> float:
        if self.staff and self.contract.budget_per_resident <= 0:
            return self.staff_cost()
        if self.contract.budget_per_resident > 0:
            return self.contract.budget_per_resident * self.residents_served * self.capacity / self.base_capacity \
                if self.base_capacity else 0.0
        return DERIVED_BUDGET_SHARE * self.full_capacity_value()

    def capitation_per_resident(self) -> float:
        if self.contract.capitation_per_resident > 0:
            return self.contract.capitation_per_resident
        return DERIVED_BUDGET_SHARE * self.full_capacity_value() / max(self.residents_served, 1)

    # ------------------------------------------------------------------ contract behaviour
    def length_factor(self) -> float:
        fin = self.model.cfg.financing
        return {"per_verrichting": 1.0 + fin.supply_elasticity,
                "budget": 1.0 - fin.budget_shortening}.get(self.rule, 1.0)

    def contact_factor(self) -> float:
        return 1.0 + self.model.cfg.financing.supply_elasticity if self.rule == "per_verrichting" else 1.0

    def min_severity(self) -> float:
        if self.rule == "per_verrichting":
            return self.cfg.min_severity * (1.0 - 2.0 * self.model.cfg.financing.supply_elasticity)
        return self.cfg.min_severity

    @property
    def rationing(self) -> bool:
        return self.rule == "budget" and self.spent_year >= self.budget_year + self.extra_funds_year

    def step(self) -> None:
        """Monthly: take this month's capacity and contract from the policy state; in January
        start a new budget year."""
        pol = self.model.policy
        self.rule = pol.rules.get(self.spec.name, self.contract.rule)
        mult = pol.capacity_multiplier[self.service] * pol.local_capacity_multiplier[self.service][self.municipality]
        self.capacity = self.base_capacity * self.expansion * mult + pol.extra_capacity(self)
        if self.model.month % 12 == 0:
            self.spent_year = 0.0
            self.extra_funds_year = 0.0
            self.budget_year = self._yearly_budget()


def follow_demand(model) -> None:
    """January: providers paid per verrichting move their capacity towards last month's demand
    (clients in care plus waiting), closing `financing.capacity_response` of the gap. They do not
    grow while a lever has cut their staff (staff shortage, staff moved to social work)."""
    response = model.cfg.financing.capacity_response
    if response <= 0 or not hasattr(model, "provider_capacity"):
        return
    res = model.res
    demand = np.zeros(len(model.providers))
    w_dom, w_ids, c_dom, c_ids = care.episode_lists(model)
    for domains, ids in ((w_dom, w_ids), (c_dom, c_ids)):
        demand += np.bincount(care.provider_of(model, res.service[domains, ids], ids), minlength=len(demand))
    staff_cut = model.policy.capacity_multiplier < 1.0  # staff shortage or staff moved to social work
    for p, capacity, wanted in zip(model.providers, model.provider_capacity, demand):
        if p.rule == "per_verrichting" and capacity > 0 and p.service not in DIRECT_SERVICES:
            # at most halved or doubled in a year: hiring and closing places take time
            change = min(2.0, max(0.5, 1.0 + response * (wanted / capacity - 1.0)))
            if change > 1.0 and staff_cut[p.service]:
                continue  # no staff to hire: the queue stays
            p.expansion *= change


def provider_arrays(model) -> None:
    """Copy the providers' current state into arrays for the vectorised resident processes."""
    providers = model.providers
    model.provider_capacity = np.array([p.capacity for p in providers], dtype=np.float64)
    model.provider_length_factor = np.array([p.length_factor() for p in providers], dtype=np.float32)
    model.provider_contact_factor = np.array([p.contact_factor() for p in providers], dtype=np.float32)
    model.provider_min_severity = np.array([p.min_severity() for p in providers], dtype=np.float32)
    model.provider_early_discharge = np.array([p.rule != "per_verrichting" for p in providers])
    model.provider_rationing = np.array([p.rationing for p in providers])
