"""Outcomes: the monthly metrics, per municipality and for the region, in tidy form.

Events (referrals, new episodes, crises, GP consults...) are counted as they happen with
`Outcomes.count`; states (clients, waiting, health, need, cost) are measured at the end of each
month by `record_month`. The metrics are listed in README.md (What a run folder holds) and
docs/ODD.md (Observation).

Dimensions and totals. A row is a metric with the dimensions line, to_line, domain, financier
and group. A dimension's value NONE (-1; in the tidy table an empty string) is the total over
that dimension: all its values together. A metric broken down by some dimensions has, next to
the rows per combination, the total over each of them and over any set of them: `clients` per
line and domain has rows per (line, domain), per line (domain empty), per domain (line empty)
and one with both empty; `cost` per line and financier has rows per (line, financier), per
financier, per line and the overall total. A dimension a metric is not broken down by holds
only the total. So a figure is one row, found by giving every dimension (empty for a total);
rows are never to be summed to get a total, and summing all rows of a metric counts it more
than once. The totals are:

- counts and sums (events, residents, clients, contacts, euros): the sum over the dimension's
  values. The group dimension holds two partitions of the residents, income (income_low,
  income_mid, income_high) and benefit status (no_benefit, benefit); each adds up to the total.
  `unmet_need` counts needs (a resident with an unmet need in two domains counts twice in the
  domain total), as `clients` counts episodes.
- means (MEAN_METRICS): the mean over everyone behind the rows, that is the rows' mean weighted
  by how many each is over; `health` over domains is the mean of the residents' three domains,
  `need_share` over domains the share of (resident, domain) pairs with a need, `waiting_months`
  over lines the mean over all who wait.
- OVERLAPPING metrics count residents who can be in more than one row of a dimension:
  `gp_mental_social_adults_year` counts an adult who consulted the GP for a mental and for a
  social need in both domain rows and once in the total, which is therefore at most their sum.

Totals over municipalities are the column "region": the sum, or for means the mean over the
region's residents (for values set per municipality by `set_value`, the mean over
municipalities). Rows of means and of OVERLAPPING metrics are recorded with their totals; the
other totals are added up from the recorded rows when the data are read (`data`).
"""

from __future__ import annotations

from itertools import combinations

import numba
import numpy as np
import pandas as pd

from model.people import community
from model.engine import threads
from model.care.episodes import episode_lists
from model.money.financing import FINANCIERS, KINDS
from model.people.productivity import WORK_METRICS
from model.people.residents import (ADMITTED, AIDS_USE, CHRONIC_CARE_USE, CURATIVE_GGZ, GP_MENTAL_ADULT, GP_SOCIAL_ADULT,
                             HOSPITAL_CONTACT, HOUSEHOLD_HELP_USE, IN_CARE, JEUGDHULP, SUPPORT_BITS, WAITING,
                             WIJKTEAM_CHILD, WIJKTEAM_JEUGDHULP, WIJKTEAM_OWN_HELP_CHILD, WIJKVERPLEGING_USE, WMO, YOUTH_AMBULANT,
                             YOUTH_RESIDENTIAL)
from model.care.services import (LINES, MENTAL, PHYSICAL, REPORT_DOMAINS, SERVICE_LINE, SERVICE_NAMES, SOCIAL,
                            SUPPORT_SERVICES, WMO_SERVICES, S)
from model.engine.threads import CHUNKS, chunk

# yearly residents who used hospital care or long-term support (bits of `uses_this_year`)
USE_METRICS = ((HOSPITAL_CONTACT, "hospital_patients_year"), (ADMITTED, "hospital_admitted_year"),
               (WIJKVERPLEGING_USE, "wijkverpleging_users_year"), (HOUSEHOLD_HELP_USE, "wmo_household_clients_year"),
               (AIDS_USE, "wmo_aids_clients_year"), (CHRONIC_CARE_USE, "gp_chronic_care_patients_year"))
TOP_ATTENDERS = 0.10  # Nivel's measure of concentration: the share of GP contacts of the top 10% of patients
GROUP_NAMES = ("income_low", "income_mid", "income_high", "no_benefit", "benefit")
NONE = -1
# recorded in December only, for the calendar year
YEARLY_METRICS = {"gp_contact_share", "children", "jeugdhulp_clients_year", "youth_residential_clients_year",
                  "youth_ambulant_clients_year", "youth_specialist_clients_year", "wijkteam_children_year",
                  "wijkteam_own_help_children_year", "wijkteam_jeugdhulp_children_year",
                  "ggz_adult_clients_year", "wmo_clients_year", "gp_mental_social_adults_year", "gp_top10_share",
                  *(metric for _, metric in USE_METRICS)}
# yearly youth-care clients that are also broken down by income group and benefit status
YOUTH_GROUP_METRICS = {"jeugdhulp_clients_year", "youth_residential_clients_year", "youth_ambulant_clients_year",
                       "youth_specialist_clients_year"}
# event metrics that are also broken down by income group and benefit status
GROUP_METRICS = {"crises", "new_episodes", "zorgmijding", "gp_consults"}
MEAN_METRICS = {"health", "need_share", "waiting_months", "health_gap", "gp_contact_share", "gp_top10_share",
                "prevention_cut"}
# metrics whose rows of a dimension can hold the same resident: their totals are recorded
OVERLAPPING = {"gp_mental_social_adults_year": "domain"}
DIMENSIONS = ("line", "to_line", "domain", "financier", "group")
# the metric each kind of ledger entry is recorded as, by line and financier
LEDGER_METRICS = tuple((KINDS.index(kind), metric) for kind, metric in (
    ("care", "cost"), ("contribution", "contributions"), ("shared_savings", "shared_savings"),
    ("productivity_loss", "productivity_loss")))
# per dimension, the sets of values that add up to its total: for group, income or benefit status
PARTITIONS = ((range(len(LINES)),), (range(len(LINES)),), (range(len(REPORT_DOMAINS)),), (range(len(FINANCIERS)),),
              (range(3), range(3, 5)))


class Outcomes:
    """Monthly metric values; key (metric, line, to_line, domain, financier, group) -> array
    of shape (months, municipalities + 1), the last column being the region."""

    def __init__(self, model, months: int):
        self.model = model
        self.months = months
        self.n_muni = model.region.n_municipalities
        self._data: dict[tuple, np.ndarray] = {}
        # events counted this month, added up once at the end of the month (`_add_pending`):
        # metric -> list of (resident ids, code of the dimensions: an int or one per id, weights or
        # None); municipalities and groups are looked up once a month for all of a metric's events
        # (a resident's municipality and income never change, benefit status changes only in
        # `model.people.determinants`, before any event of GROUP_METRICS is counted)
        self._pending: dict[str, list] = {}

    @property
    def data(self) -> dict[tuple, np.ndarray]:
        """key (metric, line, to_line, domain, financier, group) -> values (months, municipalities + 1):
        the recorded rows and the totals they imply (module docstring)."""
        self._add_pending()
        return {**self._data, **_totals(self._data)}

    def _row(self, key) -> np.ndarray:
        arr = self._data.get(key)
        if arr is None:
            arr = self._data[key] = np.zeros((self.months, self.n_muni + 1))
        return arr

    # ------------------------------------------------------------------ events
    def count(self, metric, res, ids, line=NONE, to_line=NONE, domain=NONE, weights=None) -> None:
        """Count events for residents `ids`; dims are scalars or arrays aligned with ids.

        Events are only noted here (a few hundred calls a month); `_add_pending` adds them to
        the metric rows once a month."""
        if self.model.month < 0 or len(ids) == 0:
            return
        assert res is self.model.res, "events are counted for the model's residents"
        if type(line) is int and type(to_line) is int and type(domain) is int:  # the common case: one code
            code = ((line + 1) * 4 + to_line + 1) * 5 + domain + 1
        else:
            code = ((_as_dim(line) + 1) * 4 + _as_dim(to_line) + 1) * 5 + _as_dim(domain) + 1
        self._pending.setdefault(metric, []).append((np.array(ids, copy=True), code, weights))

    def _add_pending(self) -> None:
        """Add the events noted by `count` to this month's rows."""
        month, n = self.model.month, self.n_muni
        res = self.model.res
        by_group = []
        for metric, batches in self._pending.items():
            ids = np.concatenate([i for i, _, _ in batches])
            muni = res.municipality[ids].astype(np.int64)
            code = np.concatenate([np.full(len(i), c, dtype=np.int64) if np.ndim(c) == 0 else c
                                   for i, c, _ in batches])
            weights = _joined_weights([i for i, _, _ in batches], [w for _, _, w in batches])
            combined = code * n + muni
            occurring = np.bincount(combined // n)
            counts = np.bincount(combined, weights=weights, minlength=len(occurring) * n).reshape(-1, n)
            region = counts.sum(axis=1)  # numpy adds each contiguous row as it adds a 1-D array: same sums
            for c in np.flatnonzero(occurring).tolist():  # the codes that occur, in order
                rest, d = divmod(c, 5)
                ln, tl = divmod(rest, 4)
                row = self._row((metric, ln - 1, tl - 1, d - 1, NONE, NONE))
                row[month, :-1] += counts[c]
                row[month, -1] += region[c]
            if metric in GROUP_METRICS:
                by_group.append((metric, muni * 6 + res.income[ids] * 2 + res.benefit[ids], weights))
        for metric, cells, weights in by_group:  # per (municipality, income, benefit) cell
            cells = np.bincount(cells.astype(np.int64), weights=weights, minlength=n * 6)
            grouped = _groups(cells.astype(np.float64).reshape(n, 3, 2))
            for g in range(len(GROUP_NAMES)):
                row = self._row((metric, NONE, NONE, NONE, NONE, g))
                row[month, :-1] += grouped[g + 1]
                row[month, -1] += grouped[g + 1].sum()
        self._pending.clear()

    def count_cells(self, metric, per_cell: np.ndarray, domain=NONE) -> None:
        """Add event counts given per (municipality, income, benefit) cell, shape (n_muni, 6)."""
        if self.model.month < 0:
            return
        grouped = _groups(per_cell.reshape(self.n_muni, 3, 2))
        row = self._row((metric, NONE, NONE, domain, NONE, NONE))
        row[self.model.month, :-1] += grouped[0]
        row[self.model.month, -1] += grouped[0].sum()
        if metric in GROUP_METRICS:
            for g in range(5):
                row = self._row((metric, NONE, NONE, NONE, NONE, g))
                row[self.model.month, :-1] += grouped[g + 1]
                row[self.model.month, -1] += grouped[g + 1].sum()

    def set_value(self, metric, municipality, value, **dims) -> None:
        """Set one municipality's value (region column: mean over municipalities)."""
        if self.model.month < 0:
            return
        key = (metric, dims.get("line", NONE), dims.get("to_line", NONE), dims.get("domain", NONE),
               dims.get("financier", NONE), dims.get("group", NONE))
        row = self._row(key)
        row[self.model.month, municipality] = value
        row[self.model.month, -1] = row[self.model.month, :-1].mean()

    def _set(self, key, per_muni, region) -> None:
        row = self._row(key)
        row[self.model.month, :-1] = per_muni
        row[self.model.month, -1] = region

    # ------------------------------------------------------------------ end-of-month states
    def record_month(self, model, contacts) -> None:
        if model.month < 0:
            return
        self._add_pending()
        res = model.res
        n = self.n_muni
        muni = res.municipality
        sums = _resident_sums(res.alive, muni, res.income, res.benefit, res.age, res.health, model.severity,
                              res.state, res.service, res.months, res.gp_contact_this_year, SERVICE_LINE, n,
                              *episode_lists(model))
        (count, health_sum, need, unmet, mean_health_sum, gp_contact,
         clients, waiting, clients_cells, per_service, waiting_months) = sums
        by_group = [_groups(x.reshape(n, 3, 2)) for x in (count, mean_health_sum, gp_contact)]
        count_g, mean_health_g, gp_contact_g = by_group
        counts_g = np.array(count_g)  # (everyone and the five groups, municipalities)
        _add_support_users(model, clients, clients_cells, per_service)
        taking_part = community.participants(model).astype(np.float64)
        self._set(("community_participants", NONE, NONE, NONE, NONE, NONE), taking_part, taking_part.sum())
        pop = count_g[0]
        self._set(("residents", NONE, NONE, NONE, NONE, NONE), pop, pop.sum())
        for g in range(5):
            self._set(("residents", NONE, NONE, NONE, NONE, g), count_g[g + 1], count_g[g + 1].sum())

        # health, need and unmet need per domain, for everyone and per group
        for d in range(3):
            for metric, values, mean in (("health", health_sum[d], True), ("need_share", need[d], True),
                                         ("unmet_need", unmet[d], False)):
                self._set_groups(metric, _groups(values.reshape(n, 3, 2)), counts_g, mean, domain=d)
        # over domains: mean health over the three domains; share of (resident, domain) pairs with a need
        needs = _groups((need[0] + need[1] + need[2]).reshape(n, 3, 2))
        self._set_groups("health", mean_health_g, counts_g, True)
        self._set_groups("need_share", needs, 3 * counts_g, True)
        gap = [(mean_health_g[1 + income] / np.maximum(count_g[1 + income], 1),
                mean_health_g[1 + income].sum() / max(count_g[1 + income].sum(), 1)) for income in (2, 0)]
        self._set(("health_gap", NONE, NONE, NONE, NONE, NONE), gap[0][0] - gap[1][0], gap[0][1] - gap[1][1])
        if model.month % 12 == 11:
            self._set_grouped("gp_contact_share", gp_contact_g[0], count_g[0], True)
            self._record_yearly_clients(res)

        # clients and waiting per line and reporting domain (counted in the same pass as above)
        self._set_present("clients", clients)
        self._set_present("waiting", waiting)
        clients_by_group = [_groups(clients_cells[ln].reshape(n, 3, 2))[1:] for ln in range(3)]
        self._set_present_groups("clients", np.array(clients_by_group))
        for s_id, s_name in enumerate(SERVICE_NAMES):
            self._set((f"clients_{s_name}", NONE, NONE, NONE, NONE, NONE), per_service[s_id], per_service[s_id].sum())
        for services, metric_name in ((("youth_residential",), "youth_care_residential"),
                                      (("youth_ambulant",), "youth_care_ambulant"),
                                      (WMO_SERVICES, "wmo_clients")):  # Wmo: clients of each kind counted
            c = sum(per_service[S[service]] for service in services)
            self._set((metric_name, NONE, NONE, NONE, NONE, NONE), c, c.sum())
        for ln in range(3):
            s, c = waiting_months[ln], waiting[ln].sum(axis=0)
            self._set(("waiting_months", ln, NONE, NONE, NONE, NONE), np.divide(s, c, out=np.zeros(n), where=c > 0),
                      s.sum() / c.sum() if c.sum() else 0.0)
        s, c = waiting_months.sum(axis=0), waiting.sum(axis=(0, 1))  # over lines: all who wait
        self._set(("waiting_months", NONE, NONE, NONE, NONE, NONE), np.divide(s, c, out=np.zeros(n), where=c > 0),
                  s.sum() / c.sum() if c.sum() else 0.0)

        # contacts per line and domain (every provider serves one municipality)
        _, prov, dom, _, cnt = contacts
        by_line_domain, per_service, present = _contact_sums(prov, dom, cnt, model.provider_line,
                                                             model.provider_municipality, model.provider_service,
                                                             len(SERVICE_NAMES), n)
        self._set_present("contacts", by_line_domain, present)
        for s_id, s_name in enumerate(SERVICE_NAMES):
            self._set((f"contacts_{s_name}", NONE, NONE, NONE, NONE, NONE), per_service[s_id], per_service[s_id].sum())

        # work (`model.people.productivity`, counted in its step); productivity loss comes from the ledger
        for metric, per_muni in zip(WORK_METRICS, model.work_counts):
            self._set((metric, NONE, NONE, NONE, NONE, NONE), per_muni, per_muni.sum())
        self._record_ledger(model)

    def _record_yearly_clients(self, res) -> None:
        """December: residents who had each kind of care during the year, and the children;
        youth care also per income group and benefit status. Adults who consulted the GP for a
        mental or social need this year: per domain (one who did for both is in both rows, and
        once in the total) and per group."""
        n = self.n_muni
        alive = res.alive
        muni = res.municipality[alive].astype(np.int64)
        cell = muni * 6 + res.income[alive] * 2 + res.benefit[alive]
        bits = res.care_this_year[alive]
        child = res.age[alive] < 18
        children = np.bincount(muni[child], minlength=n)
        self._set(("children", NONE, NONE, NONE, NONE, NONE), children, children.sum())
        self._set_cell_groups("children", cell[child])  # the denominators of youth care per group
        for bit, metric in ((JEUGDHULP, "jeugdhulp_clients_year"), (YOUTH_RESIDENTIAL, "youth_residential_clients_year"),
                            (YOUTH_AMBULANT, "youth_ambulant_clients_year"),
                            (YOUTH_AMBULANT | YOUTH_RESIDENTIAL, "youth_specialist_clients_year"),
                            (WIJKTEAM_CHILD, "wijkteam_children_year"),
                            (WIJKTEAM_OWN_HELP_CHILD, "wijkteam_own_help_children_year"),
                            (WIJKTEAM_JEUGDHULP, "wijkteam_jeugdhulp_children_year"),
                            (CURATIVE_GGZ, "ggz_adult_clients_year"), (WMO, "wmo_clients_year")):
            had = (bits & bit) > 0
            c = np.bincount(muni[had], minlength=n)
            self._set((metric, NONE, NONE, NONE, NONE, NONE), c, c.sum())
            if metric in YOUTH_GROUP_METRICS:
                self._set_cell_groups(metric, cell[had])
        metric = "gp_mental_social_adults_year"
        mental, social = (bits & GP_MENTAL_ADULT) > 0, (bits & GP_SOCIAL_ADULT) > 0
        for had, domain in ((mental | social, NONE), (mental, MENTAL), (social, SOCIAL)):
            c = np.bincount(muni[had], minlength=n)
            self._set((metric, NONE, NONE, domain, NONE, NONE), c, c.sum())
        self._set_cell_groups(metric, cell[mental | social])

        uses = res.uses_this_year[alive]
        for bit, metric in USE_METRICS:
            c = np.bincount(muni[(uses & bit) > 0], minlength=n)
            self._set((metric, NONE, NONE, NONE, NONE, NONE), c, c.sum())
        contacts = res.gp_contacts_year[alive]
        self._set(("gp_top10_share", NONE, NONE, NONE, NONE, NONE),
                  np.array([top_share(contacts[muni == m]) for m in range(n)]), top_share(contacts))

    def _set_cell_groups(self, metric, cells) -> None:
        """Group rows (GROUP_NAMES) from the (municipality, income, benefit) cells of residents."""
        n = self.n_muni
        grouped = _groups(np.bincount(cells, minlength=n * 6).astype(np.float64).reshape(n, 3, 2))
        for g in range(len(GROUP_NAMES)):
            self._set((metric, NONE, NONE, NONE, NONE, g), grouped[g + 1], grouped[g + 1].sum())

    def _record_ledger(self, model) -> None:
        """From this month's ledger: cost per financier and line (care payments), contributions,
        shared savings, and productivity loss (the employers', no line): each kind of the ledger
        its own metric, so lost production never counts as care cost."""
        n = self.n_muni
        for ch in model.ledger.month_chunks(model.month):
            for kind, metric in LEDGER_METRICS:
                sel = ch["kind"] == kind
                if not sel.any():
                    continue
                muni = ch["municipality"][sel].astype(np.int64)
                line = ch["line"][sel].astype(np.int64)
                payer = ch["payer"][sel].astype(np.int64)
                code = (line + 1) * len(FINANCIERS) + payer
                for c in np.unique(code):
                    m = code == c
                    per_muni = np.bincount(muni[m], weights=ch["amount"][sel][m], minlength=n)
                    ln, fin = divmod(int(c), len(FINANCIERS))
                    row = self._row((metric, ln - 1, NONE, NONE, fin, NONE))
                    row[model.month, :-1] += per_muni
                    row[model.month, -1] += per_muni.sum()

    def _bincount_set(self, metric, muni, line=NONE, domain=NONE, group=NONE, weights=None) -> None:
        n = self.n_muni
        line = np.broadcast_to(np.asarray(line, dtype=np.int64), muni.shape)
        domain = np.broadcast_to(np.asarray(domain, dtype=np.int64), muni.shape)
        code = (line + 1) * 5 + domain + 1
        for c in range(20):
            sel = code == c
            if not sel.any():
                continue
            per_muni = np.bincount(muni[sel], weights=None if weights is None else weights[sel], minlength=n)
            ln, d = divmod(c, 5)
            self._set((metric, ln - 1, NONE, d - 1, NONE, group), per_muni, per_muni.sum())

    def _set_present(self, metric, per_line_domain_muni, present=None) -> None:
        """Set (line, domain) rows from sums of shape (3 lines, 4 domains, municipalities); like
        `_bincount_set`, only combinations that occur anywhere (`present`, or a count above 0)
        get a row."""
        for ln in range(3):
            for d in range(len(REPORT_DOMAINS)):
                per_muni = per_line_domain_muni[ln, d]
                if present[ln, d] if present is not None else per_muni.any():
                    self._set((metric, ln, NONE, d, NONE, NONE), per_muni, per_muni.sum())

    def _set_present_groups(self, metric, per_line_group_muni) -> None:
        """Set (line, group) rows from counts of shape (3 lines, 5 groups, municipalities)."""
        for g in range(len(GROUP_NAMES)):
            for ln in range(3):
                per_muni = per_line_group_muni[ln, g]
                if per_muni.any():
                    self._set((metric, ln, NONE, NONE, NONE, g), per_muni, per_muni.sum())

    def _set_groups(self, metric, grouped, counts, mean, domain=NONE) -> None:
        """`_set_grouped` for everyone and the five groups (rows of `grouped` and `counts`) in
        one go: the same divisions and sums, as arrays rather than row by row."""
        values = np.array(grouped)
        totals = values.sum(axis=1)
        if mean:
            per_muni = np.divide(values, counts, out=np.full(values.shape, np.nan), where=counts > 0)
            count_totals = counts.sum(axis=1)
            totals = np.divide(totals, count_totals, out=np.full(len(totals), np.nan), where=count_totals != 0)
        else:
            per_muni = values
        for g in range(len(values)):
            self._set((metric, NONE, NONE, domain, NONE, g - 1), per_muni[g], totals[g])

    def _set_grouped(self, metric, values, counts, mean, domain=NONE, group=NONE) -> None:
        """Per-municipality sums, or means when `mean` (region value weighted by counts)."""
        if mean:
            total = counts.sum()
            self._set((metric, NONE, NONE, domain, NONE, group),
                      np.divide(values, counts, out=np.full(len(values), np.nan), where=counts > 0),
                      values.sum() / total if total else np.nan)
        else:
            self._set((metric, NONE, NONE, domain, NONE, group), values, values.sum())

    # ------------------------------------------------------------------ output
    def to_frame(self, names: list[str]) -> pd.DataFrame:
        """Tidy table: month, municipality ("region" for the total), metric, dims, value.

        Rows are ordered by metric, municipality, line, to_line, domain, financier, group and
        month (in the alphabetical order of the labels). The table is assembled in that order
        from the metric arrays, with categorical columns built from codes: no per-row Python
        objects and no sort, which matters for the whole Netherlands (millions of rows)."""
        data = self.data
        municipalities = list(names) + ["region"]
        months = np.arange(self.months)
        label_sets = (LINES, LINES, REPORT_DOMAINS, FINANCIERS, GROUP_NAMES)  # for line .. group
        # each key's labels: metric, line, to_line, domain, financier, group ("" when not broken down)
        labelled = {key: (key[0],) + tuple(names_[x] if x >= 0 else "" for names_, x in zip(label_sets, key[1:]))
                    for key in data}
        columns = ("metric", "line", "to_line", "domain", "financier", "group")
        categories = [sorted({lab[c] for lab in labelled.values()}) for c in range(len(columns))]
        code_of = [{name: i for i, name in enumerate(cats)} for cats in categories]
        muni_categories = sorted(set(municipalities))
        muni_codes = np.array([muni_categories.index(m) for m in municipalities])
        muni_order = np.argsort(muni_codes, kind="stable")

        parts = {name: [] for name in ("month", "municipality", "value", "key")}
        by_metric: dict[str, list] = {}
        for key in sorted(data, key=lambda k: labelled[k]):
            by_metric.setdefault(key[0], []).append(key)
        ordered = [key for metric in sorted(by_metric) for key in by_metric[metric]]
        # each key's codes in the label columns; a row carries its key's position in `ordered`
        key_codes = np.array([[code_of[c][labelled[k][c]] for c in range(len(columns))] for k in ordered],
                             dtype=np.int32).reshape(len(ordered), len(columns))
        first = 0
        for metric in sorted(by_metric):
            keys = by_metric[metric]
            kept = months[months % 12 == 11] if metric in YEARLY_METRICS else months
            # (key, month, municipality) -> (municipality, key, month)
            block = np.stack([data[k][kept] for k in keys])[:, :, muni_order].transpose(2, 0, 1)
            n_keys, n_muni = len(keys), len(municipalities)
            parts["value"].append(block.ravel())
            parts["month"].append(np.tile(kept, n_muni * n_keys))
            parts["municipality"].append(np.repeat(muni_codes[muni_order], n_keys * len(kept)))
            parts["key"].append(np.tile(np.repeat(np.arange(first, first + n_keys), len(kept)), n_muni))
            first += n_keys
        row_key = np.concatenate(parts["key"])

        def categorical(column, cats):
            if column == "municipality":
                codes = np.concatenate(parts[column]).astype(np.int32)
            else:
                codes = key_codes[:, columns.index(column)][row_key]
            return pd.Categorical.from_codes(codes, categories=pd.Index(cats))

        return pd.DataFrame({
            "month": np.concatenate(parts["month"]).astype(np.int64),
            "municipality": categorical("municipality", muni_categories),
            **{column: categorical(column, categories[c]) for c, column in enumerate(columns)},
            "value": np.concatenate(parts["value"]).astype(np.float64),
        })


def _totals(data: dict[tuple, np.ndarray]) -> dict[tuple, np.ndarray]:
    """The total rows implied by recorded rows of sums: for every recorded row, the rows with any
    set of its dimensions made NONE, unless recorded. Each is the sum over the values of one of
    its NONE dimensions of the rows one level more detailed (which are computed first); a value
    without a row contributes 0. Means and OVERLAPPING metrics record their own totals."""
    rows_of: dict[str, dict[tuple, np.ndarray]] = {}
    for key, values in data.items():
        if key[0] not in MEAN_METRICS and key[0] not in OVERLAPPING:
            rows_of.setdefault(key[0], {})[key[1:]] = values
    out = {}
    for metric, rows in rows_of.items():
        wanted = set()
        for dims in list(rows):
            given = [j for j, x in enumerate(dims) if x != NONE]
            for r in range(1, len(given) + 1):
                for made_total in combinations(given, r):
                    wanted.add(tuple(NONE if j in made_total else x for j, x in enumerate(dims)))
        # the most detailed first, so that the rows a total adds up exist when it is computed
        for dims in sorted(wanted - set(rows), key=lambda d: (-sum(x != NONE for x in d), d)):
            for j, values in ((j, values) for j in range(len(dims)) if dims[j] == NONE for values in PARTITIONS[j]):
                parts = [rows[p] for p in (dims[:j] + (v,) + dims[j + 1:] for v in values) if p in rows]
                if parts:
                    rows[dims] = out[(metric, *dims)] = np.sum(parts, axis=0)
                    break
    return out


def _joined_weights(batches: list, weights: list):
    """One weight per event over all batches (1 where a batch was counted without weights), or
    None when no batch has weights."""
    if all(w is None for w in weights):
        return None
    return np.concatenate([np.ones(len(c)) if w is None else np.broadcast_to(w, c.shape)
                           for c, w in zip(batches, weights)])


def _as_dim(x):
    """A dimension value (scalar or array) as int64, so codes do not overflow small integer types."""
    return x if isinstance(x, int) else np.asarray(x, dtype=np.int64)


def _groups(x: np.ndarray) -> list[np.ndarray]:
    """From sums per (municipality, income, benefit) to per-municipality sums for: everyone,
    then the groups of GROUP_NAMES (income low, mid, high; no benefit; benefit)."""
    return [x.sum(axis=(1, 2)), x[:, 0].sum(axis=1), x[:, 1].sum(axis=1), x[:, 2].sum(axis=1),
            x[:, :, 0].sum(axis=1), x[:, :, 1].sum(axis=1)]


def _resident_sums(alive, municipality, income, benefit, age, health, severity, state, service, months, gp_contact,
                   service_line, n_muni, w_dom, w_ids, c_dom, c_ids):
    """One pass over residents: counts and sums per (municipality, income, benefit); and one over
    the episodes (`care.episode_lists`): in care and waiting per line, reporting domain and
    municipality."""
    count, sums, flags = _cell_sums(alive, municipality, income, benefit, health, severity, state, gp_contact, n_muni)
    f = np.float64
    return (count.astype(f), sums[:, :3].T.copy(), flags[:, :3].T.astype(f), flags[:, 3:6].T.astype(f),
            sums[:, 3].copy(), flags[:, 6].astype(f),
            *_episode_sums(municipality, income, benefit, age, service, months, service_line, n_muni,
                           w_dom, w_ids, c_dom, c_ids))


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _cell_sums(alive, municipality, income, benefit, health, severity, state, gp_contact, n_muni):
    """Counts and sums per (municipality, income, benefit) cell. Each block of residents adds
    up in its own table, in id order, and the tables are added in block order.

    Counts are kept as integers and conditions combined with `&` rather than `and`, so the
    compiled loop has no unpredictable branches."""
    cells = n_muni * 6
    count = np.zeros((CHUNKS, cells), dtype=np.int64)
    sums = np.zeros((CHUNKS, cells, 4))                          # health per domain, mean health
    flags = np.zeros((CHUNKS, cells, 8), dtype=np.int64)         # need and unmet need per domain, GP contact
    for c in numba.prange(CHUNKS):
        lo, hi = chunk(c, len(alive))
        for i in range(lo, hi):
            if not alive[i]:
                continue
            m = municipality[i]
            k = m * 6 + income[i] * 2 + benefit[i]
            count[c, k] += 1
            h0, h1, h2 = health[0, i], health[1, i], health[2, i]
            sums[c, k, 0] += h0
            sums[c, k, 1] += h1
            sums[c, k, 2] += h2
            sums[c, k, 3] += (h0 + h1 + h2) / 3.0
            for d in range(3):
                has_need = severity[d, i] > 0.0
                flags[c, k, d] += has_need
                flags[c, k, 3 + d] += has_need & (state[d, i] != IN_CARE)
            flags[c, k, 6] += gp_contact[i]
    total = sums[0].copy()
    for c in range(1, CHUNKS):  # block after block: the same order of addition on any number of threads
        total += sums[c]
    return count.sum(axis=0), total, flags.sum(axis=0)


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _episode_sums(municipality, income, benefit, age, service, months, service_line, n_muni,
                  w_dom, w_ids, c_dom, c_ids):
    """In care and waiting per line, reporting domain and municipality, from the episode lists."""
    cells = n_muni * 6
    # each block of episodes counts in its own tables
    clients = np.zeros((CHUNKS, 3, 4, n_muni), dtype=np.int64)   # line, reporting domain, municipality
    waiting = np.zeros((CHUNKS, 3, 4, n_muni), dtype=np.int64)
    clients_cells = np.zeros((CHUNKS, 3, cells), dtype=np.int64)  # line, (municipality, income, benefit)
    per_service = np.zeros((CHUNKS, len(service_line), n_muni), dtype=np.int64)
    waiting_months = np.zeros((CHUNKS, 3, n_muni), dtype=np.int64)
    for c in numba.prange(CHUNKS):
        lo, hi = chunk(c, len(c_ids))
        for k in range(lo, hi):
            d, i = c_dom[k], c_ids[k]
            m = municipality[i]
            s = service[d, i]
            line = service_line[s]
            clients[c, line, 3 if (d > 0 and age[i] < 18) else d, m] += 1
            clients_cells[c, line, m * 6 + income[i] * 2 + benefit[i]] += 1
            per_service[c, s, m] += 1
        lo, hi = chunk(c, len(w_ids))
        for k in range(lo, hi):
            d, i = w_dom[k], w_ids[k]
            m = municipality[i]
            line = service_line[service[d, i]]
            waiting[c, line, 3 if (d > 0 and age[i] < 18) else d, m] += 1
            waiting_months[c, line, m] += months[d, i]
    f = np.float64
    return (clients.sum(axis=0).astype(f), waiting.sum(axis=0).astype(f), clients_cells.sum(axis=0).astype(f),
            per_service.sum(axis=0).astype(f), waiting_months.sum(axis=0).astype(f))


@numba.njit(cache=True)
def _contact_sums(prov, domain, contacts, provider_line, provider_municipality, provider_service, n_services, n_muni):
    """Contacts per (line, reporting domain, municipality) and per (service, municipality), summed
    in the order they were recorded; and which (line, domain) combinations occurred."""
    by_line_domain = np.zeros((3, 4, n_muni))
    per_service = np.zeros((n_services, n_muni))
    present = np.zeros((3, 4), dtype=np.bool_)
    for j in range(len(prov)):
        p = prov[j]
        m = provider_municipality[p]
        by_line_domain[provider_line[p], domain[j], m] += contacts[j]
        per_service[provider_service[p], m] += contacts[j]
        present[provider_line[p], domain[j]] = True
    return by_line_domain, per_service, present


def top_share(contacts: np.ndarray, top: float = TOP_ATTENDERS) -> float:
    """Share of all contacts made by the `top` fraction of residents with most contacts, among
    residents with at least one contact (nan without contacts)."""
    used = contacts[contacts > 0]
    k = int(np.ceil(top * len(used)))
    if k == 0:
        return float("nan")
    return float(np.partition(used, len(used) - k)[len(used) - k:].sum(dtype=np.int64) / used.sum(dtype=np.int64))


def _add_support_users(model, clients, clients_cells, per_service) -> None:
    """Users of long-term support are clients of their line (physical domain) and service, next
    to any episode they have."""
    res, n = model.res, model.region.n_municipalities
    for name in SUPPORT_SERVICES:
        users = np.flatnonzero(res.support & SUPPORT_BITS[name])
        muni = res.municipality[users].astype(np.int64)
        line = SERVICE_LINE[S[name]]
        per_muni = np.bincount(muni, minlength=n).astype(np.float64)
        per_service[S[name]] += per_muni
        clients[line, PHYSICAL] += per_muni
        clients_cells[line] += np.bincount(muni * 6 + res.income[users] * 2 + res.benefit[users],
                                           minlength=n * 6)
