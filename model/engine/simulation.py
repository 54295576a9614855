"""The carelines model: time, the region, residents, providers, financiers and the step order.

One month, in this order (the only place where the order is written down):

 0. New year (each January): municipalities review last year's spending against their budget
    and cut the social basis after overspending (sluitpost); eigen risico (`model.money.eigen_risico`)
    and yearly GP-contact flags reset; the regional budget shares its savings.
 1. Policies: the levers that apply this month (`model.policies`); in January providers paid
    per verrichting then move their capacity towards last year's demand, unless a lever has
    cut their staff (`model.care.providers`, `model.money.contracts`).
 2. Providers: this month's contract (a new one when the financing switch changes the rule)
    and capacity; in January a new budget year, in which budgets staff what they pay for
    (`model.care.providers`, `model.money.contracts`).
 3. Demography: ageing, deaths, births (`model.people.demography`).
 4. Community activities: participants stop, residents with weak networks join, up to the
    places the social basis's community workers run (`model.people.community`); determinants: debt,
    benefits, network strength, higher for participants (`model.people.determinants`).
 5. Health: drift to target, coupling, shocks, care effect, waiting; needs (`model.people.health`).
 6. Work: who aged 18-66 is in paid work; absence with a severe need; productivity loss within
    the friction period, booked in the ledger as the employers' cost; leaving work after a long
    absence and returning after recovery (`model.people.productivity`).
 7. Crises: severe needs without care become emergency placements (`model.care.tweede_lijn`).
 8. Help-seeking: to the nulde lijn, wijkteam or GP, who treat or refer, weighing last month's
    expected waits, with social help next to medical care for a recognised social root
    (`model.people.help_seeking`, `model.care.nulde_lijn`, `model.care.eerste_lijn`, `model.care.tweede_lijn`).
 9. Schuldhulp outreach and Voorzorg groups for GGZ waiters (`model.care.nulde_lijn`).
10. Waiting lists: residents whose need passed leave them, some give up; the rest are admitted,
    longest waiting first, up to capacity, refilling the places freed last month; the expected
    waits that referrals weigh next month (`model.care.episodes`).
11. Care: contacts and waiting months (`model.care.episodes`).
12. Planned and chronic hospital care: outpatient care and planned admissions, by physical
    frailty (`model.care.hospital_care`).
13. Long-term support at home: wijkverpleging, Wmo household help and aids start and end
    (`model.care.long_term_support`).
14. Episode review: discharge, escalation, step-down (`model.care.tweede_lijn`).
15. Financing: the fund and regional budget collect; providers are paid by their contract,
    residents pay their eigen risico on fees, the fund pays the social basis; everything goes
    into the ledger (`model.money.contracts`, `model.money.financing`).
16. Outcomes: this month's metrics (`model.engine.outcomes`).

The model first runs `WARMUP_MONTHS` unrecorded months so that health, queues and episodes
settle; month 0 is January of `start_year`, and lever start months count from there.
"""

from __future__ import annotations

import mesa
import numpy as np

from model.care import episodes, hospital_care, long_term_support, nulde_lijn, tweede_lijn
from model.people import community, demography, determinants, health, help_seeking, productivity
from model.money import eigen_risico
from model.engine import memory
from model.care.episodes import as_column
from model.money.contracts import Preventiefonds, RegionalBudget, pay_providers, update_payers
from model.money.financing import F, Financier, Ledger, Municipality
from model.engine.outcomes import Outcomes
from model.parameters import Config
from model.policies import PolicyState
from model.care.providers import Provider, follow_demand, provider_arrays, step_providers
from model.engine.random_streams import RandomStreams
from model.people.region import build_region
from model.people.residents import create_population, care_propensity, group_index
from model.care.services import SERVICES

WARMUP_MONTHS = 24


class CarelinesModel(mesa.Model):
    """Residents with physical, mental and social health moving through the nulde, eerste and
    tweede lijn under financing rules.

    Args:
        config: a validated `Config` (see `model.load_config`).
    """

    def __init__(self, config: Config):
        super().__init__(rng=config.seed)
        memory.reuse_freed_memory()
        self.cfg = config
        self.streams = RandomStreams(config.seed)
        self.region = build_region(config.region)
        self.res = create_population(config.population, self.region, self.streams.generator("init"))
        self.set_care_propensity(np.arange(self.res.n))
        self.initial_population = config.population.size
        self.month = -WARMUP_MONTHS
        self.total_months = 12 * config.years
        self.outcomes = Outcomes(self, self.total_months)
        self.ledger = Ledger()
        self._service_arrays = {}
        self.population_by_municipality = None
        self._month_contacts: list = []

        n_muni = self.region.n_municipalities
        self.municipalities = [Municipality(self, m) for m in range(n_muni)]
        self.insurer = Financier(self, "insurer")
        self.employers = Financier(self, "employers")
        self.fund = Preventiefonds(self) if config.policies.preventiefonds.enabled else None
        self.regional_budget = RegionalBudget(self) if config.policies.ontschotting.enabled else None
        self.policy = PolicyState(self)

        served = np.bincount(self.res.municipality, minlength=n_muni)
        self.providers: list[Provider] = []
        self.provider_index = np.zeros((len(SERVICES), n_muni), dtype=np.int32)
        for m in range(n_muni):
            for s in range(len(SERVICES)):
                provider = Provider(self, s, m, int(served[m]))
                provider.index = len(self.providers)
                self.provider_index[s, m] = provider.index
                self.providers.append(provider)
        self.provider_service = np.array([p.service for p in self.providers], dtype=np.int8)
        self.provider_line = np.array([SERVICES[p.service].line for p in self.providers], dtype=np.int8)
        self.provider_municipality = np.array([p.municipality for p in self.providers], dtype=np.int32)
        self.base_payer = np.array([F[SERVICES[p.service].payer] for p in self.providers], dtype=np.int8)
        self.provider_expected_wait = np.zeros(len(self.providers))  # months, set by admissions (`model.care.episodes`)
        self.provider_payer = self.base_payer.copy()

        self.health_rules = health.HealthRules(self)
        self.death_table = demography.death_table(config.demography)
        self.res.health[:] = np.clip(health.targets(self), 0.0, 1.0)
        health.update_needs(self)
        productivity.start(self)

    # ------------------------------------------------------------------ helpers for processes
    def services_cfg_array(self, name: str) -> np.ndarray:
        """One service parameter as an array indexed by service id."""
        arr = self._service_arrays.get(name)
        if arr is None:
            arr = np.array([getattr(getattr(self.cfg.services, s.name), name) for s in SERVICES],
                           dtype=np.float32)
            self._service_arrays[name] = arr
        return arr

    def record_contacts(self, ids, prov, domain, contacts, report_domain=None, group=None) -> None:
        """Contacts delivered to residents this month (paid in the financing step); the reporting
        domain and resident group are looked up unless given."""
        if len(ids):
            res = self.res
            if report_domain is None:
                if isinstance(domain, np.ndarray) and domain.ndim:
                    report_domain = np.where((domain > 0) & (res.age[ids] < 18), 3, domain.astype(np.int64))
                elif domain > 0:
                    report_domain = np.where(res.age[ids] < 18, 3, int(domain))
                else:
                    report_domain = np.zeros(len(ids), dtype=np.int64)
            if group is None:
                group = group_index(res, ids, np.int64)
            self._month_contacts.append((np.asarray(ids, dtype=np.int64), np.asarray(prov, dtype=np.int64),
                                         np.asarray(report_domain, dtype=np.int64), group,
                                         np.asarray(contacts, dtype=np.float64)))

    def record_contact_totals(self, prov, report_domain, group, contacts) -> None:
        """Contacts counted per provider and resident group rather than per resident (resident id -1:
        no eigen risico applies)."""
        prov = np.asarray(prov, dtype=np.int64)
        self._month_contacts.append((np.full(len(prov), -1, dtype=np.int64), prov,
                                     as_column(report_domain, len(prov), np.int64),
                                     np.asarray(group, dtype=np.int64), np.asarray(contacts, dtype=np.float64)))

    def alive_by_municipality(self, recount: bool = False) -> np.ndarray:
        """Residents per municipality (counted once a month, after demography)."""
        if recount or self.population_by_municipality is None:
            self.population_by_municipality = np.bincount(
                self.res.municipality[self.res.alive], minlength=self.region.n_municipalities).astype(np.float64)
        return self.population_by_municipality

    def set_care_propensity(self, ids: np.ndarray) -> None:
        """Each resident's care propensity, from a draw keyed by resident id alone (births too)."""
        u = self.streams.uniform("residents.care_propensity", 0, ids)
        self.res.care_propensity[ids] = care_propensity(u, self.cfg.help_seeking.care_concentration)

    @property
    def calendar_year(self) -> int:
        return self.cfg.start_year + self.month // 12

    @property
    def finished(self) -> bool:
        return self.month >= self.total_months

    def close(self) -> None:
        """Drop everything this model holds, at once; it cannot be used afterwards. Its agents
        (municipalities, providers) refer back to it and to each other, so without this its
        arrays would wait for Python's next full garbage collection, which comes only after a
        quarter as many new objects as the process already holds have survived: minutes to
        hours in the classroom page's server (about 700,000 objects with 30 sessions)."""
        self.__dict__.clear()

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        if self.finished:
            raise RuntimeError(f"the run is complete after {self.total_months} months")
        self.streams.start_month(self.month)
        if self.month % 12 == 0:
            self.new_year()
        self.policy.update()
        if self.month % 12 == 0:
            follow_demand(self)  # per-verrichting providers grow with last year's queues, if staff allows
        step_providers(self)  # each provider's step, in creation order, as arrays over the providers
        provider_arrays(self)
        update_payers(self)

        demography.step(self)
        community.step(self)
        determinants.step(self)
        health.step(self)
        productivity.step(self)
        tweede_lijn.crises(self)
        help_seeking.step(self)
        nulde_lijn.schuldhulp_outreach(self)
        nulde_lijn.voorzorg(self)
        episodes.leave_waiting_lists(self)
        episodes.admit_from_queues(self)
        episodes.progress(self)
        hospital_care.step(self)
        long_term_support.step(self)
        tweede_lijn.review_episodes(self)

        contacts = self._gather_contacts()
        if self.fund is not None:
            self.fund.collect()
        if self.regional_budget is not None and self.policy.integrated:
            self.regional_budget.collect()
        pay_providers(self, *contacts)
        if self.regional_budget is not None and self.month == self.total_months - 1:
            self.regional_budget.close()  # the books close with the run: nothing left in the pot
        self.outcomes.record_month(self, contacts)
        self.month += 1
        self.running = not self.finished

    def _gather_contacts(self):
        """This month's contacts as (resident id or -1, provider, report domain, group, contacts)."""
        if self._month_contacts:
            out = tuple(np.concatenate(x) for x in zip(*self._month_contacts))
        else:
            out = (np.zeros(0, dtype=np.int64),) * 4 + (np.zeros(0),)
        self._month_contacts = []
        return out

    def reference_spending(self) -> dict:
        """Mean monthly care payments per municipality by municipality and insurer, last 12 months."""
        a = self.ledger.arrays(first_month=self.month - 12)
        recent = (a["month"] >= self.month - 12) & (a["month"] < self.month) & (a["kind"] == 0)
        out = {}
        for payer in ("municipality", "insurer"):
            sel = recent & (a["payer"] == F[payer])
            out[payer] = np.bincount(a["municipality"][sel].astype(np.int64), weights=a["amount"][sel],
                                     minlength=self.region.n_municipalities) / 12.0
        return out

    def new_year(self) -> None:
        if self.month == 0:  # first budgets: the last warm-up year's spending
            reference = self.reference_spending()["municipality"] * 12.0
            for m, municipality in enumerate(self.municipalities):
                municipality.set_budget(reference[m])
                municipality.paid_year = 0.0
        if self.regional_budget is not None and self.regional_budget.monthly_contribution is not None:
            self.regional_budget.settle_year()
        for municipality in self.municipalities:
            municipality.new_year()
        eigen_risico.new_year(self)
        self.res.gp_contact_this_year[:] = False
        self.res.care_this_year[:] = 0
        self.res.gp_contacts_year[:] = 0
        self.res.uses_this_year[:] = 0

    def run_model(self) -> None:
        while not self.finished:
            self.step()
