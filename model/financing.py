"""Financing: financiers as Mesa agents, the payment rules, and the one ledger.

Financiers: each municipality (nulde lijn, wijkteam, POH-jeugd, youth care, Wmo), the insurer
(GP, POH-GGZ, hospital, specialist GGZ), residents (eigen risico), the preventiefonds
(filled by municipalities, insurer and employers, spent on the nulde lijn), employers (fund
contributions; they also bear productivity loss, `model.productivity`), and under ontschotting
one regional budget that pays for everything the municipalities and the insurer paid, with
savings shared back.

Every euro moves through `Ledger.add`: month, payer, payee, municipality, line, domain,
resident group, kind ("care", "contribution", "shared_savings" or "productivity_loss": lost
production, payee -1) and amount.
"""

from __future__ import annotations

import mesa
import numba
import numpy as np
import pandas as pd

from model import care
from model.residents import GROUPS
from model.services import LINES, REPORT_DOMAINS, S, SERVICES

FINANCIERS = ("municipality", "insurer", "residents", "preventiefonds", "employers", "regional_budget")
F = {name: i for i, name in enumerate(FINANCIERS)}
KINDS = ("care", "contribution", "shared_savings", "productivity_loss")
NO_GROUP = -1
NO_MUNICIPALITY = -1


class Ledger:
    """Every payment, as columns of numpy arrays gathered month by month."""

    COLUMNS = ("month", "payer", "payee", "municipality", "line", "domain", "group", "kind", "amount")

    def __init__(self):
        self._chunks: list[dict] = []

    def add(self, month, payer, payee, municipality, line, domain, group, kind, amount) -> None:
        amount = np.atleast_1d(np.asarray(amount, dtype=np.float64))
        keep = amount != 0
        if not keep.any():
            return
        n = len(amount)
        cols = dict(month=month, payer=payer, payee=payee, municipality=municipality, line=line,
                    domain=domain, group=group, kind=kind, amount=amount)
        self._chunks.append({k: np.broadcast_to(np.asarray(v), (n,))[keep] for k, v in cols.items()})

    def arrays(self) -> dict:
        if not self._chunks:
            return {c: np.zeros(0) for c in self.COLUMNS}
        return {c: np.concatenate([ch[c] for ch in self._chunks]) for c in self.COLUMNS}

    def month_chunks(self, month: int):
        """The payment batches of one month (the latest month is at the end)."""
        for ch in reversed(self._chunks):
            if ch["month"][0] != month:
                break
            yield ch

    def month_totals(self, month: int, kind: str, payer: str, n_municipalities: int) -> np.ndarray:
        """Amounts of one kind paid by one payer in one month, per municipality."""
        out = np.zeros(n_municipalities)
        for ch in self.month_chunks(month):
            sel = (ch["kind"] == KINDS.index(kind)) & (ch["payer"] == F[payer])
            out += np.bincount(ch["municipality"][sel].astype(np.int64), weights=ch["amount"][sel],
                               minlength=n_municipalities)
        return out

    def to_frame(self, model) -> pd.DataFrame:
        a = self.arrays()
        names = model.region.names
        payees = [p.name for p in model.providers] + list(FINANCIERS)
        provider_types = [SERVICES[p.service].name for p in model.providers] + list(FINANCIERS) + [""]

        def labels(values, names_):
            """Names looked up by code, "" or "region" (the last name) for -1; one lookup, no loop per row."""
            return np.array(list(names_), dtype=object)[a[values].astype(np.int64)]

        df = pd.DataFrame({
            "month": a["month"].astype(np.int32),
            "payer": pd.Categorical.from_codes(a["payer"].astype(int), FINANCIERS),
            "payee": pd.Categorical.from_codes(a["payee"].astype(int), payees),
            "provider_type": labels("payee", provider_types),
            "municipality": labels("municipality", list(names) + ["region"]),
            "line": labels("line", LINES + ("",)),
            "domain": labels("domain", REPORT_DOMAINS + ("",)),
            "group": labels("group", GROUPS + ("",)),
            "kind": pd.Categorical.from_codes(a["kind"].astype(int), KINDS),
            "amount": a["amount"],
        })
        return df


class Financier(mesa.Agent):
    """A payer. `kind` is one of FINANCIERS; municipalities also carry their index."""

    def __init__(self, model, kind: str, municipality: int | None = None):
        super().__init__(model)
        self.kind = kind
        self.municipality = municipality
        self.paid_year = 0.0

    def new_year(self) -> None:
        self.paid_year = 0.0


class Municipality(Financier):
    """Pays for the social domain from a yearly budget; after overspending it cuts prevention
    (the social basis) first the next year: the sluitpost. Budgets are incremental: last
    year's spending plus `municipal_budget_slack`."""

    def __init__(self, model, municipality: int):
        super().__init__(model, "municipality", municipality)
        self.budget_year = np.inf  # set from spending at the end of the warm-up

    def set_budget(self, expected_spending: float) -> None:
        self.budget_year = expected_spending * (1.0 + self.model.cfg.financing.municipal_budget_slack)

    def new_year(self) -> None:
        """Compare last year's spending with its budget; cut prevention after overspending; set
        this year's budget incrementally from last year's spending."""
        fin = self.model.cfg.financing
        if np.isfinite(self.budget_year) and self.paid_year > 0:
            overspend = self.paid_year / self.budget_year - 1.0
            cut = float(np.clip(fin.sluitpost_cut * overspend, 0.0, fin.sluitpost_max_cut))
            self.model.policy.sluitpost_cut[self.municipality] = cut
            self.model.outcomes.set_value("prevention_cut", self.municipality, cut)
            self.model.outcomes.set_value("municipal_overspend", self.municipality, overspend)
            self.set_budget(self.paid_year)
        super().new_year()


class Preventiefonds(Financier):
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
        pop = model.alive_by_municipality()
        total = self.cfg.contribution_per_resident * pop
        share_m, share_i, share_e = self.cfg.shares
        me = len(model.providers) + F["preventiefonds"]
        munis = np.arange(len(pop))
        model.ledger.add(model.month, F["municipality"], me, munis, -1, -1, NO_GROUP, 1, share_m * total)
        model.ledger.add(model.month, F["insurer"], me, munis, -1, -1, NO_GROUP, 1, share_i * total)
        model.ledger.add(model.month, F["employers"], me, munis, -1, -1, NO_GROUP, 1, share_e * total)
        for muni, amount in zip(munis, share_m * total):
            model.municipalities[muni].paid_year += amount
        self.balance += float(total.sum())
        self.yearly_income = float(total.sum())

    def monthly_spending(self) -> float:
        return self.yearly_income / 12.0 if self.active() else 0.0

    def extra_slots(self, provider) -> float:
        """Social-basis slots the fund pays for at this provider with half of its spending."""
        spend = 0.5 * self.monthly_spending() * provider.residents_served / max(self.model.initial_population, 1)
        cfg = provider.cfg
        return spend / max(cfg.contacts_per_month * cfg.tariff, 1e-9)

    def community_building(self) -> np.ndarray:
        """Community building paid by the other half of the fund's spending: EUR 10 per resident
        per year raises the building level by 0.5 (assumption)."""
        per_resident_year = 0.5 * self.monthly_spending() * 12.0 / max(self.model.initial_population, 1)
        return np.full(self.model.region.n_municipalities, 0.05 * per_resident_year)

    def pay(self) -> None:
        spend = self.monthly_spending()
        if spend <= 0:
            return
        model = self.model
        basis = [p for p in model.providers if p.service == S["social_basis"]]
        shares = np.array([p.residents_served for p in basis], dtype=np.float64)
        amounts = spend * shares / shares.sum()
        model.ledger.add(model.month, F["preventiefonds"], np.array([p.index for p in basis]),
                         np.array([p.municipality for p in basis]), 0, 2, NO_GROUP, 0, amounts)
        for provider, amount in zip(basis, amounts):
            provider.extra_funds_year += amount
        self.balance -= spend


class RegionalBudget(Financier):
    """Ontschotting: one regional pot that pays what municipalities and the insurer paid.

    It is filled each month with what each contributor paid on average in the year before it
    started; at each year end the surplus is shared back (or a deficit topped up) in proportion."""

    def __init__(self, model):
        super().__init__(model, "regional_budget")
        self.balance = 0.0
        self.monthly_contribution = None   # (municipality array, insurer array) per municipality
        self.contributed_year = None

    def start(self, reference: dict) -> None:
        self.monthly_contribution = reference
        self.contributed_year = {k: np.zeros_like(v) for k, v in reference.items()}

    def collect(self) -> None:
        model = self.model
        me = len(model.providers) + F["regional_budget"]
        munis = np.arange(model.region.n_municipalities)
        for payer, amounts in self.monthly_contribution.items():
            model.ledger.add(model.month, F[payer], me, munis, -1, -1, NO_GROUP, 1, amounts)
            self.contributed_year[payer] += amounts
            self.balance += float(amounts.sum())
            if payer == "municipality":
                for m, a in zip(munis, amounts):
                    model.municipalities[m].paid_year += a

    def settle_year(self) -> None:
        """Share the surplus back (shared savings) or top up a deficit, pro rata."""
        model = self.model
        total = sum(float(v.sum()) for v in self.contributed_year.values())
        if total <= 0:
            return
        munis = np.arange(model.region.n_municipalities)
        for payer, contributed in self.contributed_year.items():
            share = contributed / total
            amounts = self.balance * share
            payee = len(model.providers) + F[payer]
            if self.balance >= 0:
                model.ledger.add(model.month, F["regional_budget"], payee, munis, -1, -1, NO_GROUP, 2, amounts)
            else:
                model.ledger.add(model.month, F[payer], len(model.providers) + F["regional_budget"], munis,
                                 -1, -1, NO_GROUP, 1, -amounts)
            if payer == "municipality":
                for m, a in zip(munis, amounts):
                    model.municipalities[m].paid_year -= a
            contributed[:] = 0.0
        self.balance = 0.0


def pay_providers(model, ids, prov, domain, group, contacts) -> None:
    """Pay every provider for this month by its contract, and record it in the ledger.

    Args are this month's contacts, one entry per resident-contact batch.
    """
    providers = model.providers
    n_prov = len(providers)
    tariff = np.array([p.cfg.tariff for p in providers])
    value = contacts * tariff[prov]
    # value of delivered care drives budget rationing, whatever the rule
    spent = np.bincount(prov, weights=value, minlength=n_prov)
    for p, s in zip(providers, spent):
        p.spent_year += s

    # which providers are paid per contact, decided per provider and looked up per contact
    fee_provider = np.array([p.rule == "per_verrichting" for p in providers])
    if model.cfg.financing.gp_consult_fee_with_capitation:
        fee_provider |= np.array([p.rule == "capitation" for p in providers]) & (model.provider_service == S["gp"])
    fee_paid = fee_provider[prov]
    own = care.eigen_risico_share(model, ids, model.provider_service[prov], value, fee_paid)

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

    # lump sums: budget (a twelfth of the year) and capitation (per enrolled resident)
    pop = model.alive_by_municipality()
    lump = np.zeros(n_prov)
    for i, p in enumerate(providers):
        if p.rule == "budget":
            lump[i] = p.budget_year / 12.0
        elif p.rule == "capitation":
            lump[i] = p.capitation_per_resident() / 12.0 * pop[p.municipality]
    nz = np.nonzero(lump)[0]
    dom = np.array([SERVICES[model.providers[i].service].main_domain for i in nz], dtype=np.int64)
    model.ledger.add(model.month, model.provider_payer[nz], nz, model.provider_municipality[nz],
                     model.provider_line[nz], dom, NO_GROUP, 0, lump[nz])
    if model.fund is not None:
        model.fund.pay()
    book_month(model)


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
