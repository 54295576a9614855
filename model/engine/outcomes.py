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

from functools import cache
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
# the metric of each kind of ledger entry, by kind: its position in LEDGER_METRICS
LEDGER_METRIC_OF_KIND = np.array([[k for k, _ in LEDGER_METRICS].index(kind) for kind in range(len(KINDS))])
LEDGER_CODES = len(LEDGER_METRICS) * (len(LINES) + 1) * len(FINANCIERS)  # (metric, line + 1, financier)
# event rows: the code of (line, to_line, domain), each one more than its value (NONE: 0)
EVENT_CODES = (len(LINES) + 1) * (len(LINES) + 1) * (len(REPORT_DOMAINS) + 1)
# rows set together each month
RESIDENT_KEYS = tuple(("residents", NONE, NONE, NONE, NONE, g) for g in range(NONE, len(GROUP_NAMES)))
SERVICE_KEYS = {kind: tuple((f"{kind}_{name}", NONE, NONE, NONE, NONE, NONE) for name in SERVICE_NAMES)
                for kind in ("clients", "contacts")}
WAITING_MONTHS_KEYS = tuple(("waiting_months", ln, NONE, NONE, NONE, NONE) for ln in (*range(len(LINES)), NONE))
WORK_KEYS = tuple((metric, NONE, NONE, NONE, NONE, NONE) for metric in WORK_METRICS)
# the states per group of `record_month`: metric, domain, its sums per cell (rows of the month's
# cell sums: 1 mean health, 3-5 health, 6-8 need, 9-11 unmet need per domain, 12 need over
# domains), whether a mean, and the (resident, domain) pairs per resident behind a mean
STATES = (*((metric, d, first + d, mean, 1) for d in range(3) for metric, first, mean in
            (("health", 3, True), ("need_share", 6, True), ("unmet_need", 9, False))),
          ("health", NONE, 1, True, 1), ("need_share", NONE, 12, True, 3))
STATE_KEYS = tuple((metric, NONE, NONE, d, NONE, g) for metric, d, _, _, _ in STATES
                   for g in range(NONE, len(GROUP_NAMES)))
STATE_SUMS = np.array([row for _, _, row, _, _ in STATES])
STATE_MEANS = np.repeat([mean for _, _, _, mean, _ in STATES], len(GROUP_NAMES) + 1)
STATE_PER_RESIDENT = np.array([float(k) for _, _, _, _, k in STATES])
# long-term support: the bit of each kind in `support` and its service
SUPPORT_BIT_ARRAY = np.array([SUPPORT_BITS[name] for name in SUPPORT_SERVICES], dtype=np.uint8)
SUPPORT_SERVICE_ARRAY = np.array([S[name] for name in SUPPORT_SERVICES], dtype=np.int64)
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
        # the recorded rows in one block: key -> its row in `_values`, in the order rows were first
        # written; `_values[row]` has shape (months, municipalities + 1). The block doubles when
        # full (np.zeros maps memory only as it is written).
        self._row_of: dict[tuple, int] = {}
        self._values = np.zeros((64, months, self.n_muni + 1))
        # rows set at the end of the month (`_set`), written together by `_write_sets`
        self._set_keys: list[tuple] = []
        self._set_per_muni: list[np.ndarray] = []
        self._set_region: list[float] = []
        self._rows_of_keys: dict[tuple, np.ndarray] = {}  # the rows of recently written key lists
        self._occurred: dict[tuple, np.ndarray] = {}  # `_set_occurring`: the combinations that occurred
        # events counted this month, added up once at the end of the month (`_add_pending`): per
        # batch the metric, the resident ids, the code of the dimensions (an int or one per id)
        # and the weights or None. Municipalities and groups are looked up once a month
        # for all events (a resident's municipality and income never change, benefit status
        # changes only in `model.people.determinants`, before any event of GROUP_METRICS is counted)
        self._pending: list[tuple] = []
        self._metric_number: dict[str, int] = {}  # metrics of events, numbered in order of their first event
        self._metric_names: list[str] = []
        # the row of each (metric number, code) of events (-1: none yet), and of each metric's groups
        self._event_row = np.full(0, -1, dtype=np.int64)
        self._group_rows: dict[int, np.ndarray] = {}

    @property
    def data(self) -> dict[tuple, np.ndarray]:
        """key (metric, line, to_line, domain, financier, group) -> values (months, municipalities + 1):
        the recorded rows and the totals they imply (module docstring)."""
        self._add_pending()
        recorded = {key: self._values[row] for key, row in self._row_of.items()}
        return {**recorded, **_totals(recorded)}

    def _index(self, key) -> int:
        """The row of `key` in `_values`, made (zeros) if new."""
        row = self._row_of.get(key)
        if row is None:
            row = self._row_of[key] = len(self._row_of)
            if row == len(self._values):
                grown = np.zeros((2 * row,) + self._values.shape[1:])
                grown[:row] = self._values
                self._values = grown
        return row

    def _rows(self, keys: tuple) -> np.ndarray:
        """The rows of `keys`, made in their order if new."""
        rows = self._rows_of_keys.get(keys)
        if rows is None:
            if len(self._rows_of_keys) > 64:  # the lists repeat from month to month: keep the recent ones
                self._rows_of_keys.clear()
            rows = self._rows_of_keys[keys] = np.array([self._index(k) for k in keys], dtype=np.intp)
        return rows

    def _add(self, rows, per_muni, region) -> None:
        """Add to this month's values of `rows` (distinct): per municipality and the region."""
        month = self.model.month
        self._values[rows, month, :-1] += per_muni
        self._values[rows, month, -1] += region

    # ------------------------------------------------------------------ events
    def count(self, metric, res, ids, line=NONE, to_line=NONE, domain=NONE, weights=None) -> None:
        """Count events for residents `ids`; dims are scalars or arrays aligned with ids.

        Events are only noted here (a few hundred calls a month), with copies of the ids and of
        any dimension given per event; `_add_pending` adds them to the metric rows once a month."""
        if len(ids) == 0 or self.model.month < 0:
            return
        assert res is self.model.res, "events are counted for the model's residents"
        if type(line) is not int:
            line = np.array(line)
        if type(to_line) is not int:
            to_line = np.array(to_line)
        if type(domain) is not int:
            domain = np.array(domain)
        self._pending.append((metric, np.array(ids), line, to_line, domain, weights))

    def _add_pending(self) -> None:
        """Add the events noted by `count` to this month's rows: all metrics' events in one count
        per (metric, code of the dimensions, municipality), and per (metric, municipality, income,
        benefit) for GROUP_METRICS."""
        if not self._pending:
            return
        n, res = self.n_muni, self.model.res
        metrics, batches, lines, to_lines, domains, weights = zip(*self._pending)
        numbers = self._metric_number
        for metric in metrics:
            if metric not in numbers:
                numbers[metric] = len(self._metric_names)
                self._metric_names.append(metric)
        metric_of_batch = np.array([numbers[m] for m in metrics], dtype=np.int64)
        lengths = np.fromiter(map(len, batches), dtype=np.int64, count=len(batches))
        ids = np.concatenate(batches)
        muni = res.municipality[ids].astype(np.int64)
        # (metric, code) of every event, code = ((line + 1) * 4 + to_line + 1) * 5 + domain + 1: the
        # batch's dimensions given once, then those given per event, added in int64
        key = metric_of_batch * EVENT_CODES + 26
        per_event = []
        for dims, factor in ((lines, 20), (to_lines, 5), (domains, 1)):
            varying = [type(d) is not int and d.ndim > 0 for d in dims]
            key += factor * np.array([0 if v else int(d) for d, v in zip(dims, varying)], dtype=np.int64)
            if any(varying):
                per_event.append((varying, dims, factor))
        key = np.repeat(key, lengths)
        for varying, dims, factor in per_event:
            key[np.repeat(np.array(varying), lengths)] += factor * np.concatenate(
                [d for d, v in zip(dims, varying) if v]).astype(np.int64)
        weights = _joined_weights(batches, weights)

        occurring = np.bincount(key)
        present = np.flatnonzero(occurring)
        slot = np.zeros(len(occurring), dtype=np.int64)
        slot[present] = np.arange(len(present))
        counts = np.bincount(slot[key] * n + muni, weights=weights, minlength=len(present) * n).reshape(-1, n)
        region = counts.sum(axis=1)  # numpy adds each contiguous row as it adds a 1-D array: same sums
        self._add(self._event_rows(present, metric_of_batch), counts, region)

        # per group, for the metrics of GROUP_METRICS
        grouped_metrics = [numbers[m] for m in dict.fromkeys(metrics) if m in GROUP_METRICS]
        if grouped_metrics:
            which = np.full(len(self._metric_names), -1, dtype=np.int64)
            which[grouped_metrics] = np.arange(len(grouped_metrics))
            of_event = which[key // EVENT_CODES]
            sel = of_event >= 0
            g_ids = ids[sel]
            cells = (of_event[sel] * n + muni[sel]) * 6 + res.income[g_ids] * 2 + res.benefit[g_ids]
            cells = np.bincount(cells, weights=None if weights is None else weights[sel],
                                minlength=len(grouped_metrics) * n * 6)
            grouped = _group_sums(cells.astype(np.float64).reshape(len(grouped_metrics), n, 3, 2))[:, 1:]
            rows = np.concatenate([self._metric_group_rows(m) for m in grouped_metrics])
            grouped = grouped.reshape(-1, n)
            self._add(rows, grouped, grouped.sum(axis=1))
        self._pending.clear()

    def _event_rows(self, present: np.ndarray, metric_of_batch: np.ndarray) -> np.ndarray:
        """The rows of the (metric, code) pairs `present` (metric number * EVENT_CODES + code).
        New rows are made in the order of the metrics' first events this month, then by code."""
        if len(self._event_row) < len(self._metric_names) * EVENT_CODES:
            grown = np.full(len(self._metric_names) * EVENT_CODES, -1, dtype=np.int64)
            grown[:len(self._event_row)] = self._event_row
            self._event_row = grown
        rows = self._event_row[present]
        if (rows < 0).any():
            first = {m: i for i, m in reversed(list(enumerate(metric_of_batch.tolist())))}
            for k in sorted(present[rows < 0].tolist(), key=lambda k: (first[k // EVENT_CODES], k)):
                metric, c = divmod(k, EVENT_CODES)
                rest, d = divmod(c, 5)
                ln, tl = divmod(rest, 4)
                self._event_row[k] = self._index((self._metric_names[metric], ln - 1, tl - 1, d - 1, NONE, NONE))
            rows = self._event_row[present]
        return rows

    def _metric_group_rows(self, metric: int) -> np.ndarray:
        """The rows of the groups (GROUP_NAMES) of an event metric, by its number."""
        rows = self._group_rows.get(metric)
        if rows is None:
            name = self._metric_names[metric]
            rows = self._group_rows[metric] = self._rows(tuple((name, NONE, NONE, NONE, NONE, g)
                                                              for g in range(len(GROUP_NAMES))))
        return rows

    def count_cells(self, metric, per_cell: np.ndarray, domain=NONE) -> None:
        """Add event counts given per (municipality, income, benefit) cell, shape (n_muni, 6)."""
        if self.model.month < 0:
            return
        grouped = _group_sums(per_cell.reshape(self.n_muni, 3, 2))
        if metric in GROUP_METRICS:  # everyone (by domain) and the five groups
            keys = ((metric, NONE, NONE, domain, NONE, NONE),
                    *((metric, NONE, NONE, NONE, NONE, g) for g in range(len(GROUP_NAMES))))
        else:
            keys, grouped = ((metric, NONE, NONE, domain, NONE, NONE),), grouped[:1]
        self._add(self._rows(keys), grouped, grouped.sum(axis=1))

    def set_value(self, metric, municipality, value, **dims) -> None:
        """Set one municipality's value (region column: mean over municipalities)."""
        if self.model.month < 0:
            return
        key = (metric, dims.get("line", NONE), dims.get("to_line", NONE), dims.get("domain", NONE),
               dims.get("financier", NONE), dims.get("group", NONE))
        row = self._values[self._index(key), self.model.month]
        row[municipality] = value
        row[-1] = row[:-1].mean()

    def _set(self, key, per_muni, region) -> None:
        """Set a row's values this month: per municipality and the region. Noted here and
        written with the month's other rows by `_write_sets` (each row is set once a month)."""
        self._set_keys.append(key)
        self._set_per_muni.append(per_muni)
        self._set_region.append(region)

    def _set_many(self, keys: tuple, per_muni, region) -> None:
        """`_set` for several rows: per_muni (rows, municipalities), region (rows)."""
        self._set_keys.extend(keys)
        self._set_per_muni.extend(per_muni)
        self._set_region.extend(region)

    def _write_sets(self) -> None:
        """Write the rows noted by `_set`, all in one go."""
        rows = self._rows(tuple(self._set_keys))
        month = self.model.month
        self._values[rows, month, :-1] = np.array(self._set_per_muni, dtype=np.float64)
        self._values[rows, month, -1] = np.array(self._set_region, dtype=np.float64)
        self._set_keys.clear()
        self._set_per_muni.clear()
        self._set_region.clear()

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
                              *episode_lists(model), res.support)
        (count, health_sum, need, unmet, mean_health_sum, gp_contact,
         clients, waiting, clients_cells, per_service, waiting_months) = sums
        # everyone and the five groups (GROUP_NAMES), per municipality, of every sum per cell at once:
        # count, mean health, GP contact; health, need and unmet need per domain; need over domains
        cells = np.concatenate([np.stack([count, mean_health_sum, gp_contact]), health_sum, need, unmet,
                                (need[0] + need[1] + need[2])[None]])
        grouped = _group_sums(cells.reshape(-1, n, 3, 2))  # (sums, everyone and groups, municipalities)
        counts_g, mean_health_g, gp_contact_g = grouped[0], grouped[1], grouped[2]
        taking_part = community.participants(model).astype(np.float64)
        self._set(("community_participants", NONE, NONE, NONE, NONE, NONE), taking_part, taking_part.sum())
        self._set_many(RESIDENT_KEYS, counts_g, counts_g.sum(axis=1))

        # health, need and unmet need per domain, then over domains: mean health over the three
        # domains; share of (resident, domain) pairs with a need. For everyone and per group.
        values = grouped[STATE_SUMS].reshape(-1, n)
        counts = (counts_g * STATE_PER_RESIDENT[:, None, None]).reshape(-1, n)
        self._set_many(STATE_KEYS, *_means(values, counts, STATE_MEANS))
        gap = [(mean_health_g[1 + income] / np.maximum(counts_g[1 + income], 1),
                mean_health_g[1 + income].sum() / max(counts_g[1 + income].sum(), 1)) for income in (2, 0)]
        self._set(("health_gap", NONE, NONE, NONE, NONE, NONE), gap[0][0] - gap[1][0], gap[0][1] - gap[1][1])
        if model.month % 12 == 11:
            self._set_grouped("gp_contact_share", gp_contact_g[0], counts_g[0], True)
            self._record_yearly_clients(res)

        # clients and waiting per line and reporting domain (counted in the same pass as above)
        self._set_present("clients", clients)
        self._set_present("waiting", waiting)
        self._set_present_groups("clients", _group_sums(clients_cells.reshape(3, n, 3, 2))[:, 1:])
        self._set_many(SERVICE_KEYS["clients"], per_service, per_service.sum(axis=1))
        for services, metric_name in ((("youth_residential",), "youth_care_residential"),
                                      (("youth_ambulant",), "youth_care_ambulant"),
                                      (WMO_SERVICES, "wmo_clients")):  # Wmo: clients of each kind counted
            c = sum(per_service[S[service]] for service in services)
            self._set((metric_name, NONE, NONE, NONE, NONE, NONE), c, c.sum())
        # mean months waited per line, and over lines: all who wait
        s = np.concatenate([waiting_months, waiting_months.sum(axis=0)[None]])
        c = np.concatenate([waiting.sum(axis=1), waiting.sum(axis=(0, 1))[None]])
        s_total, c_total = s.sum(axis=1), c.sum(axis=1)
        self._set_many(WAITING_MONTHS_KEYS, np.divide(s, c, out=np.zeros(s.shape), where=c > 0),
                       np.divide(s_total, c_total, out=np.zeros(len(s_total)), where=c_total != 0))

        # contacts per line and domain (every provider serves one municipality)
        _, prov, dom, _, cnt = contacts
        by_line_domain, per_service, present = _contact_sums(prov, dom, cnt, model.provider_line,
                                                             model.provider_municipality, model.provider_service,
                                                             len(SERVICE_NAMES), n)
        self._set_present("contacts", by_line_domain, present)
        self._set_many(SERVICE_KEYS["contacts"], per_service, per_service.sum(axis=1))

        # work (`model.people.productivity`, counted in its step); productivity loss comes from the ledger
        self._set_many(WORK_KEYS, model.work_counts, model.work_counts.sum(axis=1))
        self._write_sets()
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
        grouped = _group_sums(np.bincount(cells, minlength=n * 6).astype(np.float64).reshape(n, 3, 2))[1:]
        self._set_many(_group_keys(metric, NONE)[1:], grouped, grouped.sum(axis=1))

    def _record_ledger(self, model) -> None:
        """From this month's ledger: cost per financier and line (care payments), contributions,
        shared savings, and productivity loss (the employers', no line): each kind of the ledger
        its own metric, so lost production never counts as care cost. All in one count per
        (batch of the ledger, metric, line, financier, municipality); the batches' sums are then
        added one after the other, as they were added up batch by batch."""
        n = self.n_muni
        chunks = list(model.ledger.month_chunks(model.month))
        if not chunks:
            return
        column = {name: np.concatenate([ch[name] for ch in chunks]) for name in ("kind", "line", "payer", "municipality")}
        muni = column["municipality"].astype(np.int64)
        if len(muni) and muni.min() < 0:
            raise ValueError("a payment without a municipality")
        key = (LEDGER_METRIC_OF_KIND[column["kind"]] * (len(LINES) + 1) + column["line"].astype(np.int64) + 1) \
            * len(FINANCIERS) + column["payer"]
        batch = np.repeat(np.arange(len(chunks)), [len(ch["amount"]) for ch in chunks])
        occurring = np.bincount(key, minlength=LEDGER_CODES)
        present = np.flatnonzero(occurring)
        slot = np.zeros(len(occurring), dtype=np.int64)
        slot[present] = np.arange(len(present))
        per_muni = np.bincount((batch * len(present) + slot[key]) * n + muni,
                               weights=np.concatenate([ch["amount"] for ch in chunks]),
                               minlength=len(chunks) * len(present) * n).reshape(len(chunks), len(present), n)
        # the first batch of a month has some of its rows first: new rows are made in that order
        first = np.argmax(per_muni.any(axis=2), axis=0) if len(chunks) > 1 else np.zeros(len(present), dtype=np.int64)
        order = np.lexsort((present, first))
        rows = np.empty(len(present), dtype=np.intp)
        rows[order] = self._rows(_ledger_keys(present[order].tobytes()))
        self._add(rows, per_muni.sum(axis=0), per_muni.sum(axis=2).sum(axis=0))

    def _set_present(self, metric, per_line_domain_muni, present=None) -> None:
        """Set (line, domain) rows from sums of shape (3 lines, 4 domains, municipalities); only
        combinations that occur (`present`, or a count above 0 somewhere) get a row. A row once
        made is set every month after: 0 when its combination does not occur, the value it would
        keep unset, so that the month's rows are mostly the same list."""
        values = per_line_domain_muni.reshape(-1, self.n_muni)
        self._set_occurring((metric, "line", "domain"), values, present.ravel() if present is not None else None)

    def _set_present_groups(self, metric, per_line_group_muni) -> None:
        """Set (line, group) rows from counts of shape (3 lines, 5 groups, municipalities), for
        the combinations with a count above 0 (as `_set_present`)."""
        values = per_line_group_muni.transpose(1, 0, 2).reshape(-1, self.n_muni)  # group by group
        self._set_occurring((metric, "line", "group"), values)

    def _set_occurring(self, kind, values, occurring=None) -> None:
        """`_set_many` for the rows of `values` whose combination occurs (`occurring`, or a value
        other than 0) this month or occurred before; `kind` is (metric, dimension, dimension)."""
        now = occurring if occurring is not None else values.any(axis=1)
        before = self._occurred.get(kind)
        occurred = self._occurred[kind] = now if before is None else before | now
        keys = _occurring_keys(kind, occurred.tobytes())
        values = values[occurred]
        self._set_many(keys, values, values.sum(axis=1))

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


def _group_sums(x: np.ndarray) -> np.ndarray:
    """From sums per (municipality, income, benefit), x of shape (..., municipalities, 3, 2), to
    per-municipality sums (..., 6, municipalities) for: everyone, then the groups of GROUP_NAMES
    (income low, mid, high; no benefit; benefit)."""
    return np.concatenate([x.sum(axis=(-2, -1))[..., None, :], np.swapaxes(x.sum(axis=-1), -1, -2),
                           np.swapaxes(x.sum(axis=-2), -1, -2)], axis=-2)


def _means(values: np.ndarray, counts: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of sums per municipality (rows, municipalities) and their region totals; the rows
    where `mean` divided by `counts`: per municipality and for the region (weighted by the
    counts), nan where no one is counted."""
    per_muni = np.where(mean[:, None], np.nan, values)
    np.divide(values, counts, out=per_muni, where=mean[:, None] & (counts > 0))
    totals, count_totals = values.sum(axis=1), counts.sum(axis=1)
    np.divide(totals, count_totals, out=totals, where=mean & (count_totals != 0))
    totals[mean & (count_totals == 0)] = np.nan
    return per_muni, totals


@cache
def _group_keys(metric: str, domain: int) -> tuple:
    """The keys of everyone and the five groups (GROUP_NAMES) of a metric."""
    return tuple((metric, NONE, NONE, domain, NONE, g) for g in range(NONE, len(GROUP_NAMES)))


@cache
def _occurring_keys(kind: tuple, occurred: bytes) -> tuple:
    """The keys of `_set_occurring`'s rows: kind (metric, "line", "domain" or "group") and a
    flag per combination, line after line (domain) or group after group, line within (group)."""
    metric, _, second = kind
    flags = np.frombuffer(occurred, dtype=np.bool_)
    if second == "domain":
        return tuple((metric, i // len(REPORT_DOMAINS), NONE, i % len(REPORT_DOMAINS), NONE, NONE)
                     for i in np.flatnonzero(flags).tolist())
    return tuple((metric, i % len(LINES), NONE, NONE, NONE, i // len(LINES)) for i in np.flatnonzero(flags).tolist())


@cache
def _ledger_keys(present: bytes) -> tuple:
    """The keys of ledger rows from their codes (metric, line + 1, financier)."""
    keys = []
    for code in np.frombuffer(present, dtype=np.int64).tolist():
        rest, fin = divmod(code, len(FINANCIERS))
        metric, ln = divmod(rest, len(LINES) + 1)
        keys.append((LEDGER_METRICS[metric][1], ln - 1, NONE, NONE, fin, NONE))
    return tuple(keys)


def _resident_sums(alive, municipality, income, benefit, age, health, severity, state, service, months, gp_contact,
                   service_line, n_muni, w_dom, w_ids, c_dom, c_ids, support):
    """One pass over residents: counts and sums per (municipality, income, benefit); and one over
    the episodes (`care.episode_lists`) and the users of long-term support: in care and waiting
    per line, reporting domain and municipality."""
    count, sums, flags = _cell_sums(alive, municipality, income, benefit, health, severity, state, gp_contact, n_muni)
    f = np.float64
    return (count.astype(f), sums[:, :3].T.copy(), flags[:, :3].T.astype(f), flags[:, 3:6].T.astype(f),
            sums[:, 3].copy(), flags[:, 6].astype(f),
            *_episode_sums(municipality, income, benefit, age, service, months, service_line, n_muni,
                           w_dom, w_ids, c_dom, c_ids, support, SUPPORT_BIT_ARRAY, SUPPORT_SERVICE_ARRAY))


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
                  w_dom, w_ids, c_dom, c_ids, support, support_bits, support_services):
    """In care and waiting per line, reporting domain and municipality, from the episode lists.
    Users of long-term support (`support`, bits `support_bits` of services `support_services`)
    are clients of their line (physical domain) and service, next to any episode they have."""
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
        lo, hi = chunk(c, len(support))
        for i in range(lo, hi):
            if support[i] == 0:  # most residents: no support
                continue
            m = municipality[i]
            cell = m * 6 + income[i] * 2 + benefit[i]
            for j in range(len(support_bits)):
                if support[i] & support_bits[j]:
                    s = support_services[j]
                    line = service_line[s]
                    clients[c, line, PHYSICAL, m] += 1
                    clients_cells[c, line, cell] += 1
                    per_service[c, s, m] += 1
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
