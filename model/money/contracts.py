"""How money flows: the financing rules, the pots that pay on behalf of others, and the month's
payments.

**Financing rules.** Every provider has a contract: an object of one of the `Contract` classes
below, chosen by the rule name in `financing.<service>.rule` (or in
`policies.financing_switch.<service>` while the switch applies). A contract owns

- how its provider is paid each month: per contact at tariff (`paid_per_contact`) or a lump
  sum (`monthly_payment`: a twelfth of the yearly budget, or capitation per enrolled resident);
- how its provider responds: episode length and contacts per month (`length_factor`,
  `contact_factor`), the mildest need it accepts (`min_severity`), discharge on recovery before
  the planned length (`early_discharge`), the capacity its money staffs (`staffing`), and each
  January's capacity response to demand (`respond_to_demand`);
- the yearly amounts it derives: the budget (`yearly_budget`) and capitation per resident.

The rules:

- `per_verrichting` (`PerVerrichting`): paid per contact. Revenue grows with contacts, so the
  provider accepts milder cases, gives more contacts per month and keeps clients longer, with
  no discharge on recovery (`financing.supply_elasticity`); each January its capacity moves
  towards demand (`financing.capacity_response`).
- `budget` (`Budget`): a twelfth of the yearly budget each month; the budget staffs the year's
  capacity, planned or last year's use (`financing.budget_basis`). Episodes are shorter
  (`financing.budget_shortening`); the provider rations by waiting, never by closing its doors.
- `capitation` (`Capitation`): paid per enrolled resident, volume-neutral; the GP is also paid
  per consult (`financing.gp_consult_fee_with_capitation`).
- `integrated_budget` (`IntegratedBudget`): under ontschotting, paid per contact from the
  regional budget with a share of its yearly surplus (shared savings); the per-verrichting
  volume response shrinks by that share.

Derived amounts (a budget or capitation of 0 in the config) follow the provider's current
capacity, so they follow capacity changes such as a sluitpost cut: a budget pays for it in full,
capitation for `DERIVED_BUDGET_SHARE` of its full use.

A rule is one class here: a subclass of `Contract` with a `name` is registered under that name
in `RULES`, and that name is then a valid value of `financing.<service>.rule` and of the
financing switch (`model.parameters.FINANCING_RULES` reads `RULES`). Providers build their
contract with `contract_for`.

**Pots that pay on behalf of others.** The `Preventiefonds` (filled by municipalities, the
insurer and employers, spent on the nulde lijn) and, under ontschotting, the `RegionalBudget`
(filled by municipalities and the insurer with what they paid before, it pays every provider,
shares part of its savings with them and the rest back to the contributors). Both are financiers (`model.money.financing.Financier`, Mesa agents).

**The month's payments.** `pay_providers` pays every provider by its contract and records it
in the ledger, with the residents' eigen risico (`model.money.eigen_risico`) on fee payments;
`update_payers` lets the regional budget pay under ontschotting.
"""

from __future__ import annotations

from typing import ClassVar

import numba
import numpy as np

from model.money import eigen_risico
from model.money.financing import F, NO_GROUP, Financier
from model.people.residents import GROUPS
from model.care.services import DIRECT_SERVICES, S, SERVICES

DERIVED_BUDGET_SHARE = 0.9  # derived capitation pays for 90% of full-capacity use (a practice is never full)

RULES: dict[str, type[Contract]] = {}  # rule name -> contract class, in the order they are defined


# --------------------------------------------------------------------------- financing rules
class Contract:
    """How one provider is paid and how it responds: the defaults of a contract that pays no
    fees and no lump sum and leaves the provider's behaviour as configured.

    A subclass that sets `name` is a financing rule, registered in `RULES` under that name.
    Each provider holds its own contract object (`Provider.contract`) and gets a new one when
    its rule changes."""

    name: ClassVar[str] = ""
    early_discharge: ClassVar[bool] = True  # episodes end on recovery, before the planned length
    # whether `paid_per_contact`, `length_factor`, `contact_factor` and `min_severity` follow from
    # the contract's class, its provider's service and the config alone (so a provider keeps them
    # for as long as it keeps its contract object); read only from the class that sets it
    # (`fixed_responses`), so that a subclass that changes a response is not taken for fixed
    fixed_responses: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name:
            if name in RULES:
                raise ValueError(f"financing rule '{name}' is defined twice ({RULES[name].__name__}, {cls.__name__})")
            RULES[name] = cls

    def __init__(self, provider):
        self.provider = provider

    @property
    def financing(self):
        return self.provider.model.cfg.financing

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.provider.name})"

    # ------------------------------------------------------------------ payment
    def paid_per_contact(self) -> bool:
        """Whether the provider is paid its tariff for each contact."""
        return False

    def monthly_payment(self, residents: float) -> float:
        """The lump sum paid this month, whatever the provider delivers; `residents` are the
        living residents of its municipality."""
        return 0.0

    def yearly_budget(self) -> float:
        """The provider's budget for the coming year, paid in twelfths; set each January and when
        the provider's rule changes (`Provider.step`). None by default."""
        return 0.0

    def staffing(self) -> float:
        """The share of the planned capacity the year's money staffs (set each January)."""
        return 1.0

    # ------------------------------------------------------------------ response
    def length_factor(self) -> float:
        """Planned episode length relative to `services.<s>.episode_months`."""
        return 1.0

    def contact_factor(self) -> float:
        """Contacts per month in care relative to `services.<s>.contacts_per_month`."""
        return 1.0

    def min_severity(self) -> float:
        """The mildest need the provider accepts on referral."""
        return self.provider.cfg.min_severity

    def respond_to_demand(self, demand: float, capacity: float, staff_cut: bool) -> None:
        """January: change the provider's capacity (`Provider.expansion`) in response to last
        month's demand (clients in care plus waiting) and capacity. `staff_cut`: a lever has
        cut the staff of this service. By default capacity stays what the contract pays for."""


class PerVerrichting(Contract):
    """Paid per contact (fee for service). Revenue grows with contacts, so the provider accepts
    milder cases, delivers more contacts per month and discharges later (supply-induced
    demand, `financing.supply_elasticity`), and grows its capacity where clients wait."""

    name = "per_verrichting"
    early_discharge = False
    fixed_responses = True

    def paid_per_contact(self) -> bool:
        return True

    def elasticity(self) -> float:
        """How strongly the provider stretches volume for revenue."""
        return self.financing.supply_elasticity

    def length_factor(self) -> float:
        return 1.0 + self.elasticity()

    def contact_factor(self) -> float:
        return 1.0 + self.elasticity()

    def min_severity(self) -> float:
        return self.provider.cfg.min_severity * (1.0 - 2.0 * self.elasticity())

    def respond_to_demand(self, demand: float, capacity: float, staff_cut: bool) -> None:
        """Close `financing.capacity_response` of the gap between demand and capacity, at most
        halving or doubling in a year (hiring and closing places take time); while a lever has
        cut the staff, the labour market lets a provider grow by at most
        `financing.hiring_under_shortage` a year. Planned hospital care and long-term support
        have no queues to follow (`DIRECT_SERVICES`)."""
        p = self.provider
        if capacity > 0 and p.service not in DIRECT_SERVICES:
            change = min(2.0, max(0.5, 1.0 + self.financing.capacity_response * (demand / capacity - 1.0)))
            if staff_cut:
                change = min(change, 1.0 + self.financing.hiring_under_shortage)  # few to hire
            p.expansion *= change


class Budget(Contract):
    """A fixed yearly budget, paid in twelfths, that staffs the provider: each January the budget
    buys the year's capacity (`staffing`). Without a budget in the config it pays for the planned
    capacity in full (`financing.budget_basis` "plan"), or it is what the provider's care was
    worth last year ("last_year_spending": historic budgeting, so capacity left idle is lost and a
    queue buys no extra staff). The provider shortens episodes (`financing.budget_shortening`) and
    rations by waiting: it keeps admitting up to the capacity its budget staffs, and whoever
    does not fit waits."""

    name = "budget"
    fixed_responses = True

    def monthly_payment(self, residents: float) -> float:
        return self.provider.budget_year / 12.0

    def length_factor(self) -> float:
        return 1.0 - self.financing.budget_shortening

    def planned_budget(self) -> float:
        """The budget that pays for the planned capacity in full (or the configured budget)."""
        p = self.provider
        per_resident = p.terms.budget_per_resident
        if p.staff and per_resident <= 0:
            return p.staff_cost()
        if per_resident > 0:
            return per_resident * p.residents_served * p.capacity / p.base_capacity if p.base_capacity else 0.0
        return p.full_capacity_value()

    def yearly_budget(self) -> float:
        p = self.provider
        planned = self.planned_budget()
        if self.financing.budget_basis == "last_year_spending" and p.used_last_year is not None:
            slack = 1.0 + self.financing.municipal_budget_slack
            return planned * min(p.used_last_year * slack, 1.0 + self.financing.municipal_budget_slack)
        return planned

    def staffing(self) -> float:
        planned = self.planned_budget()
        return self.provider.budget_year / planned if planned > 0 else 1.0


class Capitation(Contract):
    """Paid per enrolled resident (every living resident of the municipality): volume-neutral.
    The GP is also paid per consult when `financing.gp_consult_fee_with_capitation`."""

    name = "capitation"
    fixed_responses = True

    def paid_per_contact(self) -> bool:
        return self.provider.service == S["gp"] and self.financing.gp_consult_fee_with_capitation

    def monthly_payment(self, residents: float) -> float:
        return self.per_resident() / 12.0 * residents

    def per_resident(self) -> float:
        """Yearly capitation: `capitation_per_resident` of the contract terms, or
        `DERIVED_BUDGET_SHARE` of full use of the current capacity per resident served."""
        p = self.provider
        if p.terms.capitation_per_resident > 0:
            return p.terms.capitation_per_resident
        return DERIVED_BUDGET_SHARE * p.full_capacity_value() / max(p.residents_served, 1)


class IntegratedBudget(PerVerrichting):
    """Ontschotting: paid per contact from the regional budget (`RegionalBudget`), which pays a
    share of each year's surplus back to the providers it paid (shared savings,
    `policies.ontschotting.level`), in proportion to what each was paid. A provider that
    stretches volume by one euro lowers the surplus by that euro but its own bonus only by its
    part of it: its stake is the savings share times its share of the budget's payments (free
    riding), or times one if the region's providers act as one network
    (`financing.shared_savings_cooperation` weighs the two). The per-verrichting response
    (`financing.supply_elasticity`) shrinks by that stake; capacity still follows demand. Under
    the lever every provider otherwise paid per verrichting gets this contract; its savings are
    what these providers do differently, paid for by their bonus."""

    name = "integrated_budget"

    def stake(self) -> float:
        """The part of a euro of extra volume the provider loses through its smaller bonus."""
        model = self.provider.model
        cooperation = self.financing.shared_savings_cooperation
        own = model.regional_budget.payment_share()[self.provider.index] if model.regional_budget else 0.0
        return model.policy.savings_share * (cooperation + (1.0 - cooperation) * own)

    def elasticity(self) -> float:
        return self.financing.supply_elasticity * (1.0 - self.stake())


def fixed_responses(contract: Contract) -> bool:
    """Whether the contract's class declares its responses fixed (`Contract.fixed_responses`)."""
    return type(contract).__dict__.get("fixed_responses", False)


def contract_for(rule: str, provider) -> Contract:
    """A new contract of financing rule `rule` for `provider`."""
    try:
        cls = RULES[rule]
    except KeyError:
        raise ValueError(f"unknown financing rule '{rule}': the rules are {', '.join(RULES)}") from None
    return cls(provider)


# --------------------------------------------------------------------------- pots
class Pot(Financier):
    """A financier that is filled by others and pays on their behalf."""

    def receive(self, payer: str, amounts: np.ndarray) -> None:
        """Contributions from `payer`, one amount per municipality, into the ledger; municipal
        contributions count in each municipality's yearly total."""
        model = self.model
        munis = np.arange(len(amounts))
        model.ledger.add(model.month, F[payer], len(model.providers) + F[self.kind], munis, -1, -1, NO_GROUP, 1,
                         amounts)
        if payer == "municipality":
            for m, a in zip(munis, amounts):
                model.municipalities[m].paid_year += a


class Preventiefonds(Pot):
    """Regional prevention fund: yearly contributions, ring-fenced spending on the nulde lijn
    (extra social-basis capacity and community building), for a limited lifespan."""

    def __init__(self, model):
        super().__init__(model, "preventiefonds")
        self.cfg = model.cfg.policies.preventiefonds
        self.balance = 0.0
        self.yearly_income = 0.0

    def active(self) -> bool:
        m = self.model.month - self.cfg.start_month
        return self.cfg.enabled and m >= 0 and (self.cfg.structural or m < 12 * self.cfg.duration_years)

    def collect(self) -> None:
        """At the start of each fund year: contributions from municipalities, insurer, employers."""
        model = self.model
        if not self.active() or (model.month - self.cfg.start_month) % 12:
            if not self.active():
                self.yearly_income = 0.0
            return
        total = self.cfg.contribution_per_resident * model.alive_by_municipality()
        for payer, share in zip(("municipality", "insurer", "employers"), self.cfg.shares):
            self.receive(payer, share * total)
        self.balance += float(total.sum())
        self.yearly_income = float(total.sum())

    def monthly_spending(self) -> float:
        return self.yearly_income / 12.0 if self.active() else 0.0

    def extra_slots(self, provider) -> float:
        """Social-basis slots the fund pays for at this provider with half of its spending."""
        spend = 0.5 * self.monthly_spending() * provider.residents_served / max(self.model.initial_population, 1)
        cfg = provider.cfg
        return spend / max(cfg.contacts_per_month * cfg.tariff, 1e-9)

    def pay(self) -> None:
        """This month's spending, to the social-basis providers in proportion to their residents,
        on top of their budget (the places it buys: `Preventiefonds.extra_slots`)."""
        spend = self.monthly_spending()
        if spend <= 0:
            return
        model = self.model
        basis = [p for p in model.providers if p.service == S["social_basis"]]
        shares = np.array([p.residents_served for p in basis], dtype=np.float64)
        amounts = spend * shares / shares.sum()
        model.ledger.add(model.month, F["preventiefonds"], np.array([p.index for p in basis]),
                         np.array([p.municipality for p in basis]), 0, 2, NO_GROUP, 0, amounts)
        self.balance -= spend


class RegionalBudget(Pot):
    """Ontschotting: one regional pot that pays what municipalities and the insurer paid.

    It is filled each month with what each contributor paid on average in the year before it
    started; at each year end the surplus is shared back (or a deficit topped up) in proportion."""

    def __init__(self, model):
        super().__init__(model, "regional_budget")
        self.balance = 0.0
        self.monthly_contribution = None   # (municipality array, insurer array) per municipality
        self.contributed_year = None
        self._payment_share = None  # see `payment_share`

    def start(self, reference: dict) -> None:
        self.monthly_contribution = reference
        self.contributed_year = {k: np.zeros_like(v) for k, v in reference.items()}

    def collect(self) -> None:
        for payer, amounts in self.monthly_contribution.items():
            self.receive(payer, amounts)
            self.contributed_year[payer] += amounts
            self.balance += float(amounts.sum())

    def settle_year(self) -> None:
        """At the year's end: a surplus goes partly to the providers it paid, in proportion to
        what each was paid this year (shared savings, `policies.ontschotting.level`), and the
        rest back to the contributors pro rata; a deficit is topped up by them pro rata."""
        model = self.model
        total = sum(float(v.sum()) for v in self.contributed_year.values())
        if total <= 0:
            return
        share = self._recent_payment_share(F["regional_budget"])
        self._payment_share = share if share.any() else None  # the providers' stakes next year
        bonus = model.policy.savings_share * self.balance if self.balance > 0 else 0.0
        bonus = self.pay_providers_share(bonus, share) if bonus > 0 else 0.0
        rest = self.balance - bonus
        munis = np.arange(model.region.n_municipalities)
        for payer, contributed in self.contributed_year.items():
            share = contributed / total
            amounts = rest * share
            payee = len(model.providers) + F[payer]
            if rest >= 0:
                model.ledger.add(model.month, F["regional_budget"], payee, munis, -1, -1, NO_GROUP, 2, amounts)
            else:
                model.ledger.add(model.month, F[payer], len(model.providers) + F["regional_budget"], munis,
                                 -1, -1, NO_GROUP, 1, -amounts)
            if payer == "municipality":
                for m, a in zip(munis, amounts):
                    model.municipalities[m].paid_year -= a
            contributed[:] = 0.0
        self.balance = bonus  # the bonus is care paid this month: `book_month` draws it from the balance

    def close(self) -> None:
        """At the end of the run: settle the last (part) year as at a year end, so no surplus or
        deficit is left in the pot when the books close; the providers' bonus is care paid in
        this last month and drawn from the balance at once."""
        if self.monthly_contribution is not None:
            self.settle_year()
            self.balance = 0.0

    def payment_share(self) -> np.ndarray:
        """Each provider's share of the care payments of the last 12 months: those of this budget
        once it has paid a year, before that those of every financier (what the providers
        expect their part of the bonus to be). Set again at each year end."""
        if self._payment_share is None:
            self._payment_share = self._recent_payment_share(F["regional_budget"])
            if not self._payment_share.any():
                self._payment_share = self._recent_payment_share(None)
        return self._payment_share

    def _recent_payment_share(self, payer) -> np.ndarray:
        model = self.model
        a = model.ledger.arrays(first_month=model.month - 12)
        sel = (a["kind"] == 0) & (a["month"] >= model.month - 12) & (a["payee"] < len(model.providers))
        if payer is not None:
            sel &= a["payer"] == payer
        paid = np.bincount(a["payee"][sel].astype(np.int64), weights=a["amount"][sel], minlength=len(model.providers))
        total = paid.sum()
        return paid / total if total > 0 else paid

    def pay_providers_share(self, amount: float, share: np.ndarray) -> float:
        """`amount` of the surplus to the providers in proportion to `share` (what this budget
        paid each in the last 12 months); booked as care paid by the regional budget this month.
        Returns what was paid (0 when it paid no provider)."""
        model = self.model
        if not share.any():
            return 0.0
        nz = np.nonzero(share > 0)[0]
        dom = np.array([SERVICES[model.providers[i].service].main_domain for i in nz], dtype=np.int64)
        model.ledger.add(model.month, F["regional_budget"], nz, model.provider_municipality[nz],
                         model.provider_line[nz], dom, NO_GROUP, 0, amount * share[nz])
        return amount


def update_payers(model) -> None:
    """Who pays each provider this month: its service's financier today, or under ontschotting
    the regional budget (started, when the lever first applies, from the last 12 months'
    payments of municipalities and insurer)."""
    model.provider_payer = model.base_payer.copy()
    budget = model.regional_budget
    if budget is None or not model.policy.integrated:
        return
    if budget.monthly_contribution is None:
        budget.start(model.reference_spending())
    model.provider_payer[:] = F["regional_budget"]


# --------------------------------------------------------------------------- the month's payments
def pay_providers(model, ids, prov, domain, group, contacts) -> None:
    """Pay every provider for this month by its contract, and record it in the ledger.

    Args are this month's contacts, one entry per resident-contact batch.
    """
    providers = model.providers
    n_prov = len(providers)
    value = contacts * _tariffs(model)[prov]
    # value of delivered care, whatever the rule: a budget based on last year's spending reads it
    spent = np.array([p.spent_year for p in providers]) + np.bincount(prov, weights=value, minlength=n_prov)
    for p, s in zip(providers, spent.tolist()):
        p.spent_year = s

    # fees: which providers are paid per contact (`provider_arrays`), looked up per contact
    fee_paid = model.provider_paid_per_contact[prov]
    own = eigen_risico.resident_share(model, ids, model.provider_service[prov], value, fee_paid)

    # fee payments aggregated by (provider, domain, group); residents pay their eigen risico part
    total, by_residents = _fee_sums(prov, domain, group, value, own, fee_paid, n_prov * 4 * len(GROUPS),
                                    len(GROUPS))
    nz = np.nonzero(total)[0]
    k_prov, rest = np.divmod(nz, 4 * len(GROUPS))
    k_dom, k_grp = np.divmod(rest, len(GROUPS))
    payer = model.provider_payer[k_prov]
    muni = model.provider_municipality[k_prov]
    line = model.provider_line[k_prov]
    model.ledger.add(model.month, payer, k_prov, muni, line, k_dom, k_grp, 0, total[nz] - by_residents[nz])
    model.ledger.add(model.month, F["residents"], k_prov, muni, line, k_dom, k_grp, 0, by_residents[nz])

    # lump sums (budget, capitation), whatever was delivered
    pop = model.alive_by_municipality().tolist()
    lump = np.array([p.contract.monthly_payment(pop[p.municipality]) for p in providers], dtype=np.float64)
    nz = np.nonzero(lump)[0]
    model.ledger.add(model.month, model.provider_payer[nz], nz, model.provider_municipality[nz],
                     model.provider_line[nz], _main_domains(model)[nz], NO_GROUP, 0, lump[nz])
    if model.fund is not None:
        model.fund.pay()
    book_month(model)


def _tariffs(model) -> np.ndarray:
    """Each provider's tariff: fixed for a model's life, so gathered once."""
    tariff = getattr(model, "_provider_tariffs", None)
    if tariff is None:
        tariff = model._provider_tariffs = np.array([p.cfg.tariff for p in model.providers])
    return tariff


def _main_domains(model) -> np.ndarray:
    """Each provider's main domain (of its service): fixed for a model's life, so gathered once."""
    domains = getattr(model, "_provider_main_domains", None)
    if domains is None:
        domains = model._provider_main_domains = np.array([SERVICES[p.service].main_domain for p in model.providers],
                                                          dtype=np.int64)
    return domains


@numba.njit(cache=True)
def _fee_sums(prov, domain, group, value, own, fee_paid, size, n_groups):
    """Value of the fee-paid contacts and the residents' part of it, per (provider, reporting
    domain, group), added in the order the contacts were recorded."""
    total = np.zeros(size)
    by_residents = np.zeros(size)
    for j in range(len(prov)):
        if fee_paid[j]:
            k = (prov[j] * 4 + domain[j]) * n_groups + group[j]
            total[k] += value[j]
            by_residents[k] += own[j]
    return total, by_residents


def book_month(model) -> None:
    """Book this month's care payments on the financiers that made them: municipalities count
    them against their yearly budget, the regional budget draws them from its balance."""
    n = model.region.n_municipalities
    paid = model.ledger.month_totals(model.month, "care", "municipality", n)
    for municipality, amount in zip(model.municipalities, paid):
        municipality.paid_year += amount
    if model.regional_budget is not None:
        model.regional_budget.balance -= model.ledger.month_totals(model.month, "care", "regional_budget", n).sum()
