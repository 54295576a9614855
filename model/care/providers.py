"""Providers: one Mesa agent per service and municipality, with capacity, a contract, and
behaviour that responds to the contract. For the hospital and specialist GGZ the agent stands
for the part of their capacity that serves the municipality's residents.

A provider keeps its state (capacity, its growth with demand, the value of care delivered this
year, its yearly budget) and leaves how it is paid and how it responds to its contract object
(`Provider.contract`, one of the financing rules in `model.money.contracts`): episode length,
contacts per month, the mildest need accepted, early discharge, the staff a budget pays for and each January's
capacity response to demand. When the financing switch gives its service another rule, the
provider gets a new contract object of that rule.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.care import episodes
from model.money.contracts import contract_for, fixed_responses
from model.care.services import LINES, SERVICES


class Provider(mesa.Agent):
    """A care provider of one service type in one municipality (or the whole region)."""

    def __init__(self, model, service: int, municipality: int, residents_served: int):
        super().__init__(model)
        self.service = service
        self.municipality = municipality
        spec = SERVICES[service]
        self.cfg = getattr(model.cfg.services, spec.name)
        self.terms = getattr(model.cfg.financing, spec.name)  # rule and amounts in the config
        self.residents_served = residents_served
        self.staff = spec.name == "social_basis"  # priced by its staff (`social_work`), not per contact
        self.base_capacity = self._capacity_per_1000() * residents_served / 1000.0
        self.capacity = self.base_capacity
        self.expansion = 1.0  # capacity grown with demand (per verrichting), relative to base
        self.spent_year = 0.0        # value of delivered contacts at tariff, this calendar year
        self.capacity_value_year = 0.0  # value of the capacity offered this calendar year, at tariff
        self.used_last_year = None   # last year's delivered care as a share of the capacity offered
        self.contract = contract_for(self.terms.rule, self)
        self.budget_year = self.contract.yearly_budget()
        self.staffing = 1.0          # share of the planned capacity this year's budget staffs

    @property
    def spec(self):
        return SERVICES[self.service]

    @property
    def rule(self) -> str:
        """The name of the financing rule the provider is paid by this month."""
        return self.contract.name

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

    def step(self) -> None:
        """Monthly: take this month's contract and planned capacity from the policy state; in
        January start a new budget year, in which a budget staffs what it pays for
        (`Contract.staffing`); fund money adds places on top. The model steps all its providers
        at once (`step_providers`)."""
        step_providers(self.model, [self])

    def new_contract_year(self, rule: str) -> None:
        """The part of `step` that only changes anything under a new rule or in January, while
        `capacity` is the planned capacity: the contract of financing rule `rule`, and the
        budget year with the staffing it pays for."""
        if rule != self.contract.name:
            self.contract = contract_for(rule, self)
            if self.model.month % 12:  # a new rule during the year: its money from now on
                self.budget_year = self.contract.yearly_budget()
                self.staffing = self.contract.staffing()
        if self.model.month % 12 == 0:
            if self.capacity_value_year > 0:
                self.used_last_year = self.spent_year / self.capacity_value_year
            self.spent_year = 0.0
            self.capacity_value_year = 0.0
            self.budget_year = self.contract.yearly_budget()
            self.staffing = self.contract.staffing()


def step_providers(model, providers: list[Provider] | None = None) -> None:
    """`Provider.step` for each of `providers` (by default all, in creation order): the contract
    and budget year one provider at a time where they change (a new rule, January), this
    month's capacity and the value it offers as arrays over the providers. The providers'
    attributes hold the results, as after each one's own step."""
    everyone = providers is None
    providers = model.providers if everyone else providers
    pol = model.policy
    service, municipality, base, contacts_per_month, tariff = _fixed_terms(model, providers, everyone)
    expansion = np.array([p.expansion for p in providers])
    mult = pol.capacity_multiplier[service] * pol.local_capacity_multiplier[service, municipality]
    planned = base * expansion * mult  # planned: staff the levers allow
    january = model.month % 12 == 0
    rules = [pol.rules.get(spec.name, getattr(model.cfg.financing, spec.name).rule) for spec in SERVICES]
    for p, capacity in zip(providers, planned.tolist()):
        if january or rules[p.service] != p.contract.name:
            p.capacity = capacity
            p.new_contract_year(rules[p.service])
    staffing = np.array([p.staffing for p in providers])
    capacity = planned * staffing + pol.extra_capacities(providers)
    # a twelfth of `Provider.full_capacity_value`, in the same order of operations
    value_year = np.array([p.capacity_value_year for p in providers]) + \
        capacity * contacts_per_month * tariff * 12.0 / 12.0
    for p, c, v in zip(providers, capacity.tolist(), value_year.tolist()):
        p.capacity = c
        p.capacity_value_year = v


def _fixed_terms(model, providers, everyone: bool):
    """Per provider: service, municipality, base capacity, contacts per month and tariff; fixed
    for a model's life, so made once for all its providers."""
    fixed = getattr(model, "_provider_fixed_terms", None) if everyone else None
    if fixed is None:
        fixed = (np.array([p.service for p in providers], dtype=np.int64),
                 np.array([p.municipality for p in providers], dtype=np.int64),
                 np.array([p.base_capacity for p in providers], dtype=np.float64),
                 np.array([p.cfg.contacts_per_month for p in providers], dtype=np.float64),
                 np.array([p.cfg.tariff for p in providers], dtype=np.float64))
        if everyone:
            model._provider_fixed_terms = fixed
    return fixed


def follow_demand(model) -> None:
    """January: each provider's contract responds to last month's demand (clients in care plus
    waiting) and capacity; under per verrichting capacity moves towards demand
    (`model.money.contracts.PerVerrichting.respond_to_demand`). A lever that cut the staff of a
    service (staff shortage, staff moved to social work) is passed on: there is nobody to hire."""
    if model.cfg.financing.capacity_response <= 0 or not hasattr(model, "provider_capacity"):
        return
    res = model.res
    demand = np.zeros(len(model.providers))
    w_dom, w_ids, c_dom, c_ids = episodes.episode_lists(model)
    for domains, ids in ((w_dom, w_ids), (c_dom, c_ids)):
        demand += np.bincount(episodes.provider_of(model, res.service[domains, ids], ids), minlength=len(demand))
    staff_cut = model.policy.capacity_multiplier < 1.0  # staff shortage or staff moved to social work
    for p, capacity, wanted in zip(model.providers, model.provider_capacity, demand):
        p.contract.respond_to_demand(wanted, capacity, staff_cut[p.service])


def provider_arrays(model) -> None:
    """Copy the providers' current state and their contracts' responses into arrays for the
    vectorised resident processes. The responses are asked again only when a contract changed
    or may respond differently from month to month (`Contract.fixed_responses`)."""
    providers = model.providers
    contracts = [p.contract for p in providers]
    model.provider_capacity = np.array([p.capacity for p in providers], dtype=np.float64)
    kept = getattr(model, "_contract_responses", None)
    if kept is not None and kept[0] == contracts:  # the same contract objects (compared by identity)
        responses = kept[1]
    else:
        responses = (np.array([c.length_factor() for c in contracts], dtype=np.float32),
                     np.array([c.contact_factor() for c in contracts], dtype=np.float32),
                     np.array([c.min_severity() for c in contracts], dtype=np.float32),
                     np.array([c.early_discharge for c in contracts], dtype=bool),
                     np.array([c.paid_per_contact() for c in contracts], dtype=bool))
        for array in responses:
            array.flags.writeable = False  # shared by the months that keep the contracts
        model._contract_responses = (contracts, responses) if all(map(fixed_responses, contracts)) else None
    (model.provider_length_factor, model.provider_contact_factor, model.provider_min_severity,
     model.provider_early_discharge, model.provider_paid_per_contact) = responses
