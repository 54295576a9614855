"""Episodes of care, shared by all lines: referral into a queue, admission up to capacity,
monthly progress (contacts, waiting), and discharge.

An episode belongs to one domain of one resident (arrays of shape (3, n) in `Residents`), so a
resident has at most one episode per domain. How long an episode lasts, how many contacts it
gets and which referrals a provider accepts depend on the provider's contract (see
`model.money.contracts`).
"""

from __future__ import annotations

import numba
import numpy as np

from model.engine import threads
from model.engine.random_streams import draw
from model.people.residents import (HOSPITAL_CONTACT, CURATIVE_GGZ, IN_CARE, JEUGDHULP, NO_SERVICE, NONE, WAITING, WIJKTEAM_CHILD,
                             WIJKTEAM_JEUGDHULP, WIJKTEAM_OWN_HELP_CHILD, WMO,
                             YOUTH_AMBULANT, YOUTH_RESIDENTIAL)
from model.care.services import EERSTE, NULDE, S, SERVICE_LINE, SOCIAL, TWEEDE
from model.engine.threads import CHUNKS, chunk, join_chunks

ADULT_AGE = 18.0


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _needs_where(severity, state, domain, min_severity, in_care):
    n = severity.shape[1]
    out = np.empty(n, dtype=np.int64)
    found = np.zeros(CHUNKS, dtype=np.int64)
    for c in numba.prange(CHUNKS):  # blocks of residents, joined in order below
        lo, hi = chunk(c, n)
        k = lo
        for i in range(lo, hi):
            if severity[domain, i] > min_severity and (state[domain, i] == IN_CARE) == in_care:
                out[k] = i
                k += 1
        found[c] = k - lo
    return out[:join_chunks(out, found)]


def needs_without_care(model, domain: int, min_severity: float = 0.0, episode_state: int | None = None) -> np.ndarray:
    """Residents with a need above `min_severity` in `domain` who are not in care there; with
    `episode_state` NONE, only those without any episode (not waiting either)."""
    ids = _needs_where(model.severity, model.res.state, domain, np.float32(min_severity), False)
    if episode_state is not None:
        ids = ids[model.res.state[domain, ids] == episode_state]
    return ids


def episode_lists(model) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(domain, id) of the episodes waiting and in care: waiting domains, waiting ids, in-care
    domains, in-care ids; domain-major, in id order.

    Processes work on these short lists rather than on all residents: reading an attribute
    of scattered residents inside a scan of everyone stalls on every episode found, while
    gathering from a list lets the processor fetch many at once. The lists are built by one
    scan of everyone, once. After that, `refer`, `start_episodes` and `discharge` (the only
    places that set `state`) note which episodes they changed (`episodes_changed`), and the
    next call here takes those out of the lists and puts them back where their state now
    says, in one merge of the lists with the changes."""
    lists = getattr(model, "_episode_lists", None)
    changed = getattr(model, "_episodes_changed", [])
    if lists is None:
        lists = _episode_lists(model.res.state)
    elif changed:
        lists = _merge_changes(*lists, np.sort(np.concatenate(changed)), model.res.state)
    model._episode_lists, model._episodes_changed = lists, []
    return lists


EPISODE_KEY = 1 << 40  # an episode's key in the sorted lists: domain * EPISODE_KEY + id


def episodes_changed(model, domain: int, ids: np.ndarray) -> None:
    """Note that the episodes of residents `ids` in `domain` started waiting, started care or ended."""
    _note_changes(model, domain * EPISODE_KEY + np.asarray(ids, dtype=np.int64))


def _note_changes(model, keys: np.ndarray) -> None:
    """`episodes_changed` for keys made already (domain * EPISODE_KEY + id)."""
    changed = getattr(model, "_episodes_changed", None)
    if changed is None:
        changed = model._episodes_changed = []
    changed.append(keys)


def _merge_changes(w_dom, w_ids, c_dom, c_ids, changed, state):
    """The episode lists with the episodes in `changed` (sorted keys, possibly repeated) taken
    out, and put back in the list their state now belongs to (or in neither, when it ended)."""
    w_dom, w_ids = _merge_list(w_dom, w_ids, changed, state, WAITING)
    c_dom, c_ids = _merge_list(c_dom, c_ids, changed, state, IN_CARE)
    return w_dom, w_ids, c_dom, c_ids


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _merge_list(dom, ids, changed, state, wanted):
    n_old, n_changed = len(ids), len(changed)
    # CHUNKS parts, each a block of the list and the changed keys below the next block's first
    # key (equal keys stay together); the parts are merged on their own and joined in order
    old_start = np.empty(CHUNKS + 1, dtype=np.int64)
    changed_start = np.empty(CHUNKS + 1, dtype=np.int64)
    for c in range(CHUNKS + 1):
        old_start[c] = chunk(c, n_old)[0]
        first = old_start[c]
        if c == 0:
            changed_start[c] = 0
        elif c == CHUNKS or first >= n_old:
            changed_start[c] = n_changed
        else:
            changed_start[c] = np.searchsorted(changed, dom[first] * EPISODE_KEY + ids[first])
    out_dom = np.empty(n_old + n_changed, dtype=np.int64)
    out_ids = np.empty(n_old + n_changed, dtype=np.int64)
    found = np.zeros(CHUNKS, dtype=np.int64)
    for c in numba.prange(CHUNKS):
        k = start = old_start[c] + changed_start[c]
        j, j_end = changed_start[c], changed_start[c + 1]
        for e in range(old_start[c], old_start[c + 1] + 1):
            last = e == old_start[c + 1]  # after the block's last entry: the changed keys left
            key = dom[e] * EPISODE_KEY + ids[e] if not last else -1
            while j < j_end and (last or changed[j] <= key):
                d = changed[j] // EPISODE_KEY
                i = changed[j] - d * EPISODE_KEY
                if state[d, i] == wanted and (j == 0 or changed[j - 1] != changed[j]):  # put back, once
                    out_dom[k], out_ids[k] = d, i
                    k += 1
                if changed[j] == key:
                    key = -2  # this entry was among the changed: put back (or not) above
                j += 1
            if not last and key != -2:  # an unchanged entry stays
                out_dom[k], out_ids[k] = dom[e], ids[e]
                k += 1
        found[c] = k - start
    k = 0
    for c in range(CHUNKS):
        start = old_start[c] + changed_start[c]
        for t in range(found[c]):
            out_dom[k + t], out_ids[k + t] = out_dom[start + t], out_ids[start + t]
        k += found[c]
    return out_dom[:k], out_ids[:k]


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _episode_lists(state):
    n = state.shape[1]
    # count per domain and block of residents, so that each block knows where its part goes
    n_waiting = np.zeros((3, CHUNKS), dtype=np.int64)
    n_in_care = np.zeros((3, CHUNKS), dtype=np.int64)
    for c in numba.prange(CHUNKS):
        lo, hi = chunk(c, n)
        for d in range(3):
            w = cc = 0
            for i in range(lo, hi):  # no branches: this loop is vectorised
                w += state[d, i] == WAITING
                cc += state[d, i] == IN_CARE
            n_waiting[d, c] = w
            n_in_care[d, c] = cc
    w_start = np.cumsum(n_waiting.ravel()) - n_waiting.ravel()  # domain-major, then block
    c_start = np.cumsum(n_in_care.ravel()) - n_in_care.ravel()
    w_dom = np.empty(n_waiting.sum(), dtype=np.int64)
    w_ids = np.empty(len(w_dom), dtype=np.int64)
    c_dom = np.empty(n_in_care.sum(), dtype=np.int64)
    c_ids = np.empty(len(c_dom), dtype=np.int64)
    for c in numba.prange(CHUNKS):
        lo, hi = chunk(c, n)
        for d in range(3):
            w = w_start[d * CHUNKS + c]
            cc = c_start[d * CHUNKS + c]
            for i in range(lo, hi):
                st = state[d, i]
                if st == WAITING:
                    w_dom[w], w_ids[w] = d, i
                    w += 1
                elif st == IN_CARE:
                    c_dom[cc], c_ids[cc] = d, i
                    cc += 1
    return w_dom, w_ids, c_dom, c_ids


def as_column(value, n: int, dtype) -> np.ndarray:
    """`value` (a scalar or an array of n) as an array of n; a scalar is filled rather than
    broadcast, which costs less for the small arrays of a month's routing."""
    if not isinstance(value, np.ndarray) or value.ndim == 0:
        out = np.empty(n, dtype=dtype)  # np.full is a Python function: this is half its cost
        out.fill(value)
        return out
    return np.asarray(value, dtype=dtype)


# the reporting domains as int8 scalars, so that np.where makes an int8 array of them
YOUTH_REPORT_DOMAIN = np.int8(3)
DOMAIN_INT8 = tuple(np.int8(d) for d in range(3))


def report_domain(model, domain: int, ids: np.ndarray) -> np.ndarray:
    """Reporting domain: mental and social needs of children are reported as 'youth'."""
    if domain == 0:
        return np.zeros(len(ids), dtype=np.int8)
    return np.where(model.res.age[ids] < ADULT_AGE, YOUTH_REPORT_DOMAIN, DOMAIN_INT8[domain])


def report_domain_of(domain: int, child: np.ndarray):
    """`report_domain` from the residents' child flags, for callers that have them: the domain
    itself (a plain int, which `Outcomes.count` codes at once) for physical needs."""
    return domain if domain == 0 else np.where(child, 3, domain)


def provider_of(model, service, ids) -> np.ndarray:
    """The provider of `service` (scalar or array) that serves each resident in `ids`."""
    return model.provider_index[service, model.res.municipality[ids]]


def refer(model, ids: np.ndarray, domain: int, service, from_line, immediate: bool = False,
          continuation: bool = False) -> None:
    """Put residents on the waiting list of a service for their need in `domain`.

    Counts the referral (from_line -> the service's line; from_line -1 is no referral; an
    array of lines aligned with `ids` for referrals from several lines). Immediate placements
    (crises, transfers, step-down follow-up) skip the queue; a continuation (transfer or
    follow-up of the same problem) does not count as a relapse.
    """
    if len(ids) == 0:
        return
    # one service for all (a plain number), or one each
    per_resident = isinstance(service, np.ndarray) and service.ndim > 0
    service_each, service_all = (service, -1) if per_resident else (NO_SERVICES, int(service))
    if immediate:  # in care at once
        rdom, line = _start(model, domain, ids, service_each, service_all, continuation)
    else:
        res = model.res
        keys, rdom, rdom_one, line, line_one = _put_on_waiting_list(
            ids, domain, service_each, service_all, res.service, res.state, res.months, res.age, SERVICE_LINE)
        _note_changes(model, keys)
        # a plain number when all share it, which `Outcomes.count` codes at once
        rdom = rdom if rdom_one == MIXED else rdom_one
        line = line if line_one == MIXED else line_one
    if not isinstance(from_line, np.ndarray) and from_line < 0:
        return
    # every service belongs to the nulde, eerste or tweede lijn: one count for all lines
    model.outcomes.count("referrals", model.res, ids, domain=rdom, line=from_line, to_line=line)


NO_SERVICES = np.empty(0, dtype=np.int8)  # for kernels given one service for all


@numba.njit(cache=True)
def _put_on_waiting_list(ids, domain, service_each, service_all, service, state, months, age, service_line):
    """Residents `ids` wait for their service (`service_each` one each, or else `service_all`)
    in `domain`. Returns the keys of the changed episodes, the reporting domains
    (`report_domain`) and the services' lines, each with the value they all share (or MIXED)."""
    n = len(ids)
    keys = np.empty(n, dtype=np.int64)
    rdom = np.empty(n, dtype=np.int8)
    line = np.empty(n, dtype=np.int8)
    for j in range(n):
        i = ids[j]
        s = service_each[j] if len(service_each) else service_all
        service[domain, i] = s
        state[domain, i] = WAITING
        months[domain, i] = 0
        keys[j] = domain * EPISODE_KEY + i
        rdom[j] = 3 if (domain != 0 and age[i] < ADULT_AGE) else domain
        line[j] = service_line[s]
    return keys, rdom, _one_value(rdom), line, _one_value(line)


MIXED = -9  # a count's dimension that differs between the residents counted


@numba.njit(cache=True)
def _one_value(values):
    """The value all `values` share, or MIXED (also when there are none)."""
    if len(values) == 0:
        return MIXED
    for v in values[1:]:
        if v != values[0]:
            return MIXED
    return np.int64(values[0])


def _part(dimension, selected: np.ndarray):
    """The selected part of a count's dimension: a plain int holds for all."""
    return dimension[selected] if isinstance(dimension, np.ndarray) else dimension


YOUTH_RESIDENTIAL_SERVICE, WIJKTEAM_SERVICE, WMO_MAATWERK_SERVICE, HOSPITAL_SERVICE = (
    S["youth_residential"], S["wijkteam"], S["wmo_maatwerk"], S["hospital"])
# counts of new episodes of some kinds: rows of the selections `_start_episodes` makes
RELAPSE, SOCIAL_ROOT, YOUTH_RESIDENTIAL_START, WMO_REFERRAL, HOSPITAL_EPISODE = range(5)


def start_episodes(model, domain: int, ids: np.ndarray, service: np.ndarray, continuation: bool = False) -> None:
    """Admission: set the planned length from the provider's contract and count the new episode;
    a new episode soon after a discharge in the same domain is a relapse."""
    _start(model, domain, ids, service, -1, continuation)


def _start(model, domain: int, ids: np.ndarray, service_each: np.ndarray, service_all: int, continuation: bool):
    """`start_episodes` for services given one each (`service_each`) or one for all
    (`service_all`); returns the reporting domains and lines, for the referral count."""
    res = model.res
    keys, rdom, rdom_one, line, line_one, chosen, n_chosen = _start_episodes(
        ids, domain, service_each, service_all, continuation, res.service, res.length, res.months, res.state,
        res.since_discharge, res.root, res.age, res.municipality, res.care_this_year, res.uses_this_year,
        model.provider_index, model.services_cfg_array("episode_months"), model.provider_length_factor,
        model.cfg.gatekeeper.relapse_window, SERVICE_LINE)
    _note_changes(model, keys)
    rdom = rdom if rdom_one == MIXED else rdom_one  # a plain number when all share it
    line = line if line_one == MIXED else line_one
    if model.month < 0:  # nothing is counted before the recorded months
        return rdom, line
    count = model.outcomes.count
    count("new_episodes", res, ids, domain=rdom, line=line)
    n = n_chosen.tolist()
    for kind, metric in ((RELAPSE, "relapses"), (SOCIAL_ROOT, "new_episodes_social_root")):
        if n[kind]:
            at = chosen[kind, :n[kind]]
            count(metric, res, ids[at], domain=_part(rdom, at), line=_part(line, at))
    for kind, metric in ((YOUTH_RESIDENTIAL_START, "youth_care_residential_starts"),
                         (WMO_REFERRAL, "wmo_referrals"), (HOSPITAL_EPISODE, "hospital_episodes")):
        if n[kind]:
            count(metric, res, ids[chosen[kind, :n[kind]]])
    return rdom, line


@numba.njit(inline="always", cache=True)
def _choose(chosen, n_chosen, kind, j):
    chosen[kind, n_chosen[kind]] = j
    n_chosen[kind] += 1


@numba.njit(cache=True)
def _start_episodes(ids, domain, service_each, service_all, continuation, service, length, months, state,
                    since_discharge, root, age, municipality, care_this_year, uses_this_year, provider_index,
                    episode_months, provider_length_factor, relapse_window, service_line):
    """Start the episodes of residents `ids` in `domain` with their services (`service_each`
    one each, or else `service_all`): planned length from the provider's contract, months,
    state; the wijkteam's own help to a child (not follow-up: a continuation) and a hospital
    contact are noted for the year. Returns the keys of the changed episodes, the reporting
    domains (`report_domain`) and the services' lines (each with the value they all share, or
    MIXED), and per kind of count (RELAPSE ... HOSPITAL_EPISODE) the positions in `ids` it
    counts, with their number."""
    n = len(ids)
    keys = np.empty(n, dtype=np.int64)
    rdom = np.empty(n, dtype=np.int8)
    line = np.empty(n, dtype=np.int8)
    chosen = np.empty((5, n), dtype=np.int64)
    n_chosen = np.zeros(5, dtype=np.int64)
    for j in range(n):
        i = ids[j]
        s = service_each[j] if len(service_each) else service_all
        p = provider_index[s, municipality[i]]
        planned = np.rint(episode_months[s] * provider_length_factor[p])  # in float32, as numpy does
        service[domain, i] = s
        length[domain, i] = np.int16(max(planned, 1))
        months[domain, i] = 0
        state[domain, i] = IN_CARE
        keys[j] = domain * EPISODE_KEY + i
        child = age[i] < ADULT_AGE
        rdom[j] = 3 if (domain != 0 and child) else domain
        line[j] = service_line[s]
        if not continuation and since_discharge[domain, i] < relapse_window:  # a continuation is no relapse
            _choose(chosen, n_chosen, RELAPSE, j)
        if root[domain, i] == SOCIAL:
            _choose(chosen, n_chosen, SOCIAL_ROOT, j)
        if s == YOUTH_RESIDENTIAL_SERVICE:
            _choose(chosen, n_chosen, YOUTH_RESIDENTIAL_START, j)
        if s == WMO_MAATWERK_SERVICE:
            _choose(chosen, n_chosen, WMO_REFERRAL, j)
        if s == HOSPITAL_SERVICE:  # a hospital episode: referred, or acute (`hospital_care`)
            _choose(chosen, n_chosen, HOSPITAL_EPISODE, j)
            uses_this_year[i] |= HOSPITAL_CONTACT  # admitted when acute (`hospital_care.admit_acute`)
        if not continuation and s == WIJKTEAM_SERVICE and child:  # the wijkteam's own help to a child
            care_this_year[i] |= WIJKTEAM_OWN_HELP_CHILD
    return keys, rdom, _one_value(rdom), line, _one_value(line), chosen, n_chosen


def admit_from_queues(model) -> None:
    """Admit waiting residents, longest waiting first, up to each provider's free capacity:
    places freed by last month's discharges are refilled from the waiting list."""
    res = model.res
    d_idx, ids, c_dom, c_ids = episode_lists(model)
    in_care, service, prov, months = _queues(d_idx, ids, c_dom, c_ids, res.service, res.months, res.municipality,
                                             model.provider_index, len(model.providers))
    model.provider_in_care = in_care
    if len(ids) == 0:
        model.provider_expected_wait = np.zeros(len(model.providers))
        return
    free = np.maximum(0, np.floor(model.provider_capacity - model.provider_in_care)).astype(np.int64)
    # where everyone waiting fits, all are admitted; only the other queues need an order
    # (a resident may wait for one provider in two domains: the lower domain goes first)
    waiting = np.bincount(prov, minlength=len(free))
    fits = (waiting <= free)[prov]
    queued = np.flatnonzero(~fits)
    admit = queued[up_to_capacity(prov[queued], free, priority=-months[queued],
                                  tiebreak=ids[queued] * 3 + d_idx[queued])]
    admit = np.sort(np.concatenate([np.flatnonzero(fits), admit]))  # in list order: domain-major
    first = np.searchsorted(d_idx[admit], (0, 1, 2, 3)).tolist()
    for d in range(3):
        sel = admit[first[d]:first[d + 1]]
        if len(sel):
            start_episodes(model, d, ids[sel], service[sel])
    admitted = np.bincount(prov[admit], minlength=len(free))
    model.provider_in_care += admitted
    expected_waits(model, waiting - admitted)


def expected_waits(model, waiting: np.ndarray) -> None:
    """Months a new referral can expect to wait at each provider: those still waiting over the
    places that come free in a month (capacity over the episode length its contract plans), read
    by referrers next month (`model.care.eerste_lijn.gp_consult`)."""
    length = np.maximum(1.0, model.services_cfg_array("episode_months")[model.provider_service]
                        * model.provider_length_factor)
    turnover = np.maximum(model.provider_capacity / length, 1e-9)
    model.provider_expected_wait = waiting / turnover


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _queues(w_dom, w_ids, c_dom, c_ids, service, months, municipality, provider_index, n_providers):
    """Residents in care per provider, and each waiting episode's service, provider and months
    waited."""
    in_care = np.zeros((CHUNKS, n_providers), dtype=np.int64)
    waiting_service = np.empty(len(w_ids), dtype=np.int8)
    prov = np.empty(len(w_ids), dtype=np.int64)
    waited = np.empty(len(w_ids), dtype=np.int16)
    for c in numba.prange(CHUNKS):  # blocks of episodes; each block counts in its own row
        lo, hi = chunk(c, len(c_ids))
        for k in range(lo, hi):
            i = c_ids[k]
            in_care[c, provider_index[service[c_dom[k], i], municipality[i]]] += 1
        lo, hi = chunk(c, len(w_ids))
        for k in range(lo, hi):
            d, i = w_dom[k], w_ids[k]
            waiting_service[k] = service[d, i]
            prov[k] = provider_index[service[d, i], municipality[i]]
            waited[k] = months[d, i]
    return in_care.sum(axis=0).astype(np.float64), waiting_service, prov, waited


def up_to_capacity(group: np.ndarray, free: np.ndarray, priority: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Indices of the candidates that fit: per group (provider), at most free[group] of them,
    lowest priority value first, then lowest tiebreak (one value per candidate)."""
    order, fits_in_key = _key_order(group, priority, tiebreak)
    if not fits_in_key:
        order = np.lexsort((tiebreak, priority, group))
    return _first_per_group(order, group, free)


@numba.njit(cache=True)
def _bit_length(x):
    bits = 0
    while x > 0:
        x >>= 1
        bits += 1
    return bits


@numba.njit(cache=True)
def _key_order(group, priority, tiebreak):
    """The candidates in (group, priority, tiebreak) order, sorted by one 64-bit key each: the
    key is unique (the tiebreak is), so a plain sort gives the order of a lexsort, several
    times faster. False (and no order) when the fields do not fit in 64 bits or one is
    negative. Priorities are whole numbers (possibly stored as floats)."""
    n = len(group)
    if n == 0:
        return np.empty(0, dtype=np.int64), True
    lowest = np.int64(priority[0])
    for i in range(n):
        lowest = min(lowest, np.int64(priority[i]))
    g_max = p_max = t_max = np.int64(0)
    negative = False
    for i in range(n):
        g, t = np.int64(group[i]), np.int64(tiebreak[i])
        negative |= (g < 0) | (t < 0)
        g_max = max(g_max, g)
        p_max = max(p_max, np.int64(priority[i]) - lowest)
        t_max = max(t_max, t)
    p_bits, t_bits = _bit_length(p_max), _bit_length(t_max)
    if negative or _bit_length(g_max) + p_bits + t_bits > 64:
        return np.empty(0, dtype=np.int64), False
    key = np.empty(n, dtype=np.uint64)
    for i in range(n):
        k = np.uint64(group[i])
        k = (k << np.uint64(p_bits)) | np.uint64(np.int64(priority[i]) - lowest)
        key[i] = (k << np.uint64(t_bits)) | np.uint64(tiebreak[i])
    return np.argsort(key), True


@numba.njit(cache=True)
def _first_per_group(order, group, free):
    """From candidates in `order` (sorted by group), the first free[group] of each group."""
    out = np.empty(len(order), dtype=np.int64)
    k = 0
    rank = 0
    for j in range(len(order)):
        g = group[order[j]]
        if j > 0 and g != group[order[j - 1]]:
            rank = 0
        if rank < free[g]:
            out[k] = order[j]
            k += 1
        rank += 1
    return out[:k].copy()


def leave_waiting_lists(model) -> None:
    """Residents whose need has passed leave the waiting list; others give up now and then."""
    res = model.res
    d_idx, ids, _, _ = episode_lists(model)
    if len(ids) == 0:
        return
    action = _waiting_list_exits(ids, d_idx, model.severity, model.streams.key("care.renege", model.month),
                                 np.float32(model.cfg.gatekeeper.renege_rate))
    leaving = np.flatnonzero(action)  # domain-major, as the list
    if len(leaving) == 0:
        return
    # those who give up, counted in one go (the discharges from a waiting list count nothing)
    gives_up = leaving[action[leaving] == GIVES_UP]
    gives_up_domain = d_idx[gives_up]
    model.outcomes.count("left_waiting_list", res, ids[gives_up], domain=np.where(
        (gives_up_domain != 0) & (res.age[ids[gives_up]] < ADULT_AGE), 3, gives_up_domain))  # as `report_domain`
    leaving_ids = ids[leaving]
    first = np.searchsorted(d_idx[leaving], (0, 1, 2, 3)).tolist()
    for d in range(3):
        discharge(model, d, leaving_ids[first[d]:first[d + 1]])


RECOVERED, GIVES_UP = 1, 2  # why a resident leaves a waiting list


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _waiting_list_exits(ids, d_idx, severity, renege_key, renege_rate):
    """Per waiting episode: stays (0), recovered or gives up. Draws are counter-based, so a draw
    is made only where it decides something."""
    action = np.zeros(len(ids), dtype=np.int8)
    for c in numba.prange(CHUNKS):  # blocks of episodes, each deciding its own
        lo, hi = chunk(c, len(ids))
        for k in range(lo, hi):
            d, i = d_idx[k], ids[k]
            if severity[d, i] == 0:
                action[k] = RECOVERED
            elif draw(renege_key, i) < renege_rate:
                action[k] = GIVES_UP
    return action


def progress(model) -> None:
    """One month of care and waiting: contacts (collected for payment by
    `model.record_contacts`) and months in care or on the waiting list."""
    res = model.res
    w_dom, w_ids, d_idx, ids = episode_lists(model)
    prov, contacts, reporting_domain, group = _progress(
        w_dom, w_ids, d_idx, ids, res.service, res.months, res.municipality, res.age, res.income, res.benefit,
        res.care_this_year, model.provider_index, model.services_cfg_array("contacts_per_month"),
        model.provider_contact_factor, CARE_BITS)
    model.record_contacts(ids, prov, d_idx, contacts, reporting_domain, group)
    count_registered_jeugdhulp(model, d_idx, ids)
    for d in range(3):  # one contiguous row at a time, so the loop is vectorised
        _count_up_to_9999(res.since_discharge[d])


def count_registered_jeugdhulp(model, c_dom: np.ndarray, c_ids: np.ndarray) -> None:
    """Children in the wijkteam's care count as having jeugdhulp when the team registers its help
    as a jeugdhulp product, as the CBS figures count it: for a fixed share of children (a draw per
    child, the same every month), `gatekeeper.wijkteam_jeugdhulp_registered`."""
    ids = c_ids[model.res.service[c_dom, c_ids] == S["wijkteam"]]
    ids = ids[model.res.age[ids] < ADULT_AGE]
    registered = model.streams.uniform("wijkteam.registered_as_jeugdhulp", 0, ids) < \
        model.cfg.gatekeeper.wijkteam_jeugdhulp_registered
    model.res.care_this_year[ids[registered]] |= JEUGDHULP | WIJKTEAM_JEUGDHULP


def _care_bits() -> np.ndarray:
    """Bits of `care_this_year` per service, for children (row 0) and adults (row 1)."""
    bits = np.zeros((2, len(SERVICE_LINE)), dtype=np.uint16)
    for service in ("youth_ambulant", "youth_residential"):  # the wijkteam's help: `count_registered_jeugdhulp`
        bits[0, S[service]] |= JEUGDHULP
    bits[0, S["youth_residential"]] |= YOUTH_RESIDENTIAL
    bits[0, S["youth_ambulant"]] |= YOUTH_AMBULANT
    bits[0, S["wijkteam"]] |= WIJKTEAM_CHILD
    for service in ("poh_ggz", "specialist_ggz"):
        bits[1, S[service]] |= CURATIVE_GGZ
    bits[:, S["wmo_maatwerk"]] |= WMO
    return bits


CARE_BITS = _care_bits()  # kinds of care residents had this year, for yearly client counts


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _progress(w_dom, w_ids, c_dom, c_ids, service, months, municipality, age, income, benefit, care_this_year,
              provider_index, contacts_per_month, provider_contact_factor, care_bits):
    """A month more waiting or in care; this month's contacts of those in care with their
    provider, reporting domain and resident group (for payment); and the kinds of care they had
    this year."""
    for c in numba.prange(CHUNKS):  # blocks of episodes
        lo, hi = chunk(c, len(w_ids))
        for k in range(lo, hi):
            months[w_dom[k], w_ids[k]] += 1
    prov = np.empty(len(c_ids), dtype=np.int64)
    contacts = np.empty(len(c_ids), dtype=np.float64)
    reporting_domain = np.empty(len(c_ids), dtype=np.int64)
    group = np.empty(len(c_ids), dtype=np.int64)
    # one domain at a time: a resident is in a domain's part of the list once, so no two blocks
    # change the same resident's care_this_year at once
    for d in range(3):
        first = np.searchsorted(c_dom, d)
        size = np.searchsorted(c_dom, d + 1) - first
        for c in numba.prange(CHUNKS):
            lo, hi = chunk(c, size)
            for k in range(first + lo, first + hi):
                i = c_ids[k]
                s = service[d, i]
                p = provider_index[s, municipality[i]]
                prov[k] = p
                contacts[k] = contacts_per_month[s] * provider_contact_factor[p]
                months[d, i] += 1
                child = age[i] < ADULT_AGE
                care_this_year[i] |= care_bits[0 if child else 1, s]
                reporting_domain[k] = 3 if (d > 0 and child) else d  # as `report_domain`
                group[k] = income[i] * 2 + benefit[i]  # as `residents.group_index`
    return prov, contacts, reporting_domain, group


@numba.njit(cache=True)
def _count_up_to_9999(months_since):
    """A month more since the last discharge (kept at 9999 for 'long ago')."""
    for i in range(len(months_since)):
        months_since[i] = min(months_since[i] + 1, 9999)


def discharge(model, domain: int, ids: np.ndarray, count: bool = True, transfer: bool = False) -> None:
    """End episodes: the resident leaves care or the waiting list in this domain. A transfer
    (the same problem goes on elsewhere) does not start the relapse window."""
    if len(ids) == 0:
        return
    res = model.res
    keys, ended_care, line, line_one, rdom, rdom_one = _discharge(
        ids, domain, transfer, res.service, res.state, res.months, res.since_discharge, res.age, SERVICE_LINE)
    _note_changes(model, keys)
    if count and len(ended_care):
        model.outcomes.count("discharges", res, ended_care, line=line if line_one == MIXED else line_one,
                             domain=rdom if rdom_one == MIXED else rdom_one)


@numba.njit(cache=True)
def _discharge(ids, domain, transfer, service, state, months, since_discharge, age, service_line):
    """End the episodes of residents `ids` in `domain`; the relapse window starts for those who
    leave care, unless it is a transfer. Returns the keys of the changed episodes, and of those
    who leave care: their ids, the lines they leave and their reporting domains (`report_domain`),
    each with the value they all share (or MIXED)."""
    n = len(ids)
    ended = np.empty(n, dtype=np.int64)
    line = np.empty(n, dtype=np.int8)
    rdom = np.empty(n, dtype=np.int8)
    k = 0
    for j in range(n):  # first who leave care, before any state changes
        i = ids[j]
        if state[domain, i] == IN_CARE:
            ended[k] = i
            line[k] = service_line[service[domain, i]]
            rdom[k] = 3 if (domain != 0 and age[i] < ADULT_AGE) else domain
            k += 1
    keys = np.empty(n, dtype=np.int64)
    for j in range(n):
        i = ids[j]
        service[domain, i] = NO_SERVICE
        state[domain, i] = NONE
        months[domain, i] = 0
        keys[j] = domain * EPISODE_KEY + i
    if not transfer:
        for j in range(k):
            since_discharge[domain, ended[j]] = 0
    return keys, ended[:k], line[:k], _one_value(line[:k]), rdom[:k], _one_value(rdom[:k])


SPECIALIST_GGZ_SERVICE, YOUTH_AMBULANT_SERVICE = S["specialist_ggz"], S["youth_ambulant"]
TWEEDE_SERVICE = (HOSPITAL_SERVICE, SPECIALIST_GGZ_SERVICE, WMO_MAATWERK_SERVICE)  # for adults, by domain


def tweede_service_for(model, domain: int, ids: np.ndarray, via_wijkteam: bool) -> np.ndarray:
    """Which tweede-lijn service fits a need: youth care for children, GGZ, hospital or Wmo."""
    return _tweede_services(ids, domain, via_wijkteam, model.res.age, model.severity, *tweede_service_bars(model))


def tweede_service_bars(model) -> tuple:
    """The ages and severities `tweede_service` compares with, in float32 as the residents' ages
    and severities (as numpy compares them)."""
    g = model.cfg.gatekeeper
    return np.float32(g.wmo_min_age), np.float32(g.residential_severity), np.float32(g.residential_family_severity)


@numba.njit(inline="always", cache=True)
def tweede_service(domain, via_wijkteam, age, severity, family_severity, wmo_min_age, residential_severity,
                   residential_family_severity):
    """`tweede_service_for` for one resident, for compiled loops: the domain's service for adults
    (Wmo for physical needs of the elderly through the wijkteam); for children's mental and
    social needs residential youth care when `needs_residential`, ambulant otherwise."""
    if domain == 0:
        if via_wijkteam and age >= wmo_min_age:
            return WMO_MAATWERK_SERVICE
        return HOSPITAL_SERVICE
    if age < ADULT_AGE:
        if needs_residential(severity, family_severity, residential_severity, residential_family_severity):
            return YOUTH_RESIDENTIAL_SERVICE
        return YOUTH_AMBULANT_SERVICE
    return TWEEDE_SERVICE[domain]


@numba.njit(cache=True)
def _tweede_services(ids, domain, via_wijkteam, age, severity, wmo_min_age, residential_severity,
                     residential_family_severity):
    """`tweede_service` for each resident in `ids`."""
    out = np.empty(len(ids), dtype=np.int8)
    for j in range(len(ids)):
        i = ids[j]
        out[j] = tweede_service(domain, via_wijkteam, age[i], severity[domain, i], severity[SOCIAL, i], wmo_min_age,
                                residential_severity, residential_family_severity)
    return out


@numba.njit(inline="always", cache=True)
def needs_residential(severity, family_severity, residential_severity, residential_family_severity):
    """A child needs residential youth care when its problem is severe and its family context
    (the child's social domain) is failing as well: with a family that can carry it, even a
    severe problem is treated at home. Help that works on the family context therefore keeps
    children out of residential care. For compiled loops, one child at a time."""
    return severity >= residential_severity and family_fails(family_severity, residential_family_severity)


@numba.njit(inline="always", cache=True)
def family_fails(family_severity, residential_family_severity):
    """The child's family context (its social domain's severity) can no longer carry a severe problem."""
    return family_severity >= residential_family_severity
