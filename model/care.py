"""Episodes of care, shared by all lines: referral into a queue, admission up to capacity,
monthly progress (contacts, waiting), and discharge.

An episode belongs to one domain of one resident (arrays of shape (3, n) in `Residents`), so a
resident has at most one episode per domain. How long an episode lasts, how many contacts it
gets and which referrals a provider accepts depend on the provider's contract (see
`model.providers`).
"""

from __future__ import annotations

import numpy as np

from model.residents import IN_CARE, NO_SERVICE, NONE, WAITING, group_index
from model.services import EERSTE, EIGEN_RISICO_SERVICES, NULDE, S, SERVICE_LINE, SOCIAL, TWEEDE

ADULT_AGE = 18.0


def report_domain(model, domain: int, ids: np.ndarray) -> np.ndarray:
    """Reporting domain: mental and social needs of children are reported as 'youth'."""
    out = np.full(len(ids), domain, dtype=np.int8)
    if domain != 0:
        out[model.res.age[ids] < ADULT_AGE] = 3
    return out


def provider_of(model, service, ids) -> np.ndarray:
    """The provider of `service` (scalar or array) that serves each resident in `ids`."""
    return model.provider_index[service, model.res.municipality[ids]]


def refer(model, ids: np.ndarray, domain: int, service, from_line: int, crisis: bool = False) -> None:
    """Put residents on the waiting list of a service for their need in `domain`.

    Counts the referral (from_line -> the service's line). Crisis placements skip the queue.
    """
    if len(ids) == 0:
        return
    res = model.res
    service = np.broadcast_to(np.asarray(service, dtype=np.int8), ids.shape)
    res.service[domain, ids] = service
    res.state[domain, ids] = IN_CARE if crisis else WAITING
    res.months[domain, ids] = 0
    if crisis:
        start_episodes(model, domain, ids, service)
    to_line = SERVICE_LINE[service]
    for line in (NULDE, EERSTE, TWEEDE):
        sel = ids[to_line == line]
        if len(sel) and from_line >= 0:
            model.outcomes.count("referrals", model.res, sel, domain=report_domain(model, domain, sel),
                                 line=from_line, to_line=line)


def start_episodes(model, domain: int, ids: np.ndarray, service: np.ndarray) -> None:
    """Admission: set the planned length from the provider's contract and count the new episode."""
    res = model.res
    providers = provider_of(model, service, ids)
    base = model.services_cfg_array("episode_months")[service]
    length = np.maximum(1, np.rint(base * model.provider_length_factor[providers]))
    res.length[domain, ids] = length.astype(np.int16)
    res.months[domain, ids] = 0
    res.state[domain, ids] = IN_CARE
    rdom = report_domain(model, domain, ids)
    line = SERVICE_LINE[service]
    model.outcomes.count("new_episodes", res, ids, domain=rdom, line=line)
    relapse = res.since_discharge[domain, ids] < model.cfg.gatekeeper.relapse_window
    model.outcomes.count("relapses", res, ids[relapse], domain=rdom[relapse], line=line[relapse])
    social_root = res.root[domain, ids] == SOCIAL
    model.outcomes.count("new_episodes_social_root", res, ids[social_root], domain=rdom[social_root],
                         line=line[social_root])
    residential = ids[service == S["youth_residential"]]
    model.outcomes.count("youth_care_residential_starts", res, residential)
    model.outcomes.count("wmo_referrals", res, ids[service == S["wmo_maatwerk"]])


def admit_from_queues(model) -> None:
    """Admit waiting residents, longest waiting first, up to each provider's free capacity.

    Providers that are rationing (budget spent) admit nobody until the new year.
    """
    res = model.res
    c_dom, c_ids = np.nonzero(res.state == IN_CARE)
    model.provider_in_care = np.bincount(provider_of(model, res.service[c_dom, c_ids], c_ids),
                                         minlength=len(model.providers)).astype(np.float64)
    d_idx, ids = np.nonzero(res.state == WAITING)
    if len(ids) == 0:
        return
    service = res.service[d_idx, ids]
    prov = provider_of(model, service, ids)
    free = np.maximum(0, np.floor(model.provider_capacity - model.provider_in_care)).astype(np.int64)
    free[model.provider_rationing] = 0
    order = np.lexsort((ids, -res.months[d_idx, ids], prov))
    prov_sorted = prov[order]
    first = np.searchsorted(prov_sorted, prov_sorted, side="left")
    rank = np.arange(len(order)) - first
    admit = order[rank < free[prov_sorted]]
    for d in range(3):
        sel = admit[d_idx[admit] == d]
        if len(sel):
            start_episodes(model, d, ids[sel], service[sel])
    np.add.at(model.provider_in_care, prov[admit], 1)


def leave_waiting_lists(model) -> None:
    """Residents whose need has passed leave the waiting list; others give up now and then."""
    res = model.res
    d_idx, ids = np.nonzero(res.state == WAITING)
    if len(ids) == 0:
        return
    u = model.streams.uniform("care.renege", model.month, res.n)[ids]
    recovered = model.severity[d_idx, ids] == 0
    gives_up = ~recovered & (u < model.cfg.gatekeeper.renege_rate)
    for d in range(3):
        model.outcomes.count("left_waiting_list", res, ids[(d_idx == d) & gives_up],
                             domain=report_domain(model, d, ids[(d_idx == d) & gives_up]))
        discharge(model, d, ids[(d_idx == d) & (recovered | gives_up)])


def progress(model) -> None:
    """One month of care and waiting: contacts, eigen risico, waiting months.

    Contacts are collected per resident for payment (`model.month_contacts`).
    """
    res = model.res
    d_idx, ids = np.nonzero(res.state == IN_CARE)
    service = res.service[d_idx, ids]
    prov = provider_of(model, service, ids)
    contacts = (model.services_cfg_array("contacts_per_month")[service]
                * model.provider_contact_factor[prov]).astype(np.float64)
    res.months[d_idx, ids] += 1
    model.record_contacts(ids, prov, d_idx, contacts)
    waiting = res.state == WAITING
    res.months[waiting] += 1
    np.minimum(res.since_discharge + 1, 9999, out=res.since_discharge)


def discharge(model, domain: int, ids: np.ndarray, count: bool = True) -> None:
    """End episodes: the resident leaves care or the waiting list in this domain."""
    if len(ids) == 0:
        return
    res = model.res
    was_in_care = res.state[domain, ids] == IN_CARE
    if count:
        model.outcomes.count("discharges", res, ids[was_in_care],
                             line=SERVICE_LINE[res.service[domain, ids[was_in_care]]],
                             domain=report_domain(model, domain, ids[was_in_care]))
    res.service[domain, ids] = NO_SERVICE
    res.state[domain, ids] = NONE
    res.months[domain, ids] = 0
    res.since_discharge[domain, ids[was_in_care]] = 0


def eigen_risico_share(model, ids: np.ndarray, service: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Part of `cost` residents pay themselves (adults, insured care beyond the GP, capped yearly)."""
    res = model.res
    liable = np.isin(service, EIGEN_RISICO_SERVICES) & (res.age[ids] >= ADULT_AGE)
    room = np.maximum(0.0, model.cfg.financing.eigen_risico - res.eigen_risico_paid[ids])
    own = np.where(liable, np.minimum(room, cost), 0.0)
    np.add.at(res.eigen_risico_paid, ids, own.astype(np.float32))
    return own


def groups(model, ids):
    return group_index(model.res, ids)


def tweede_service_for(model, domain: int, ids: np.ndarray, via_wijkteam: bool) -> np.ndarray:
    """Which tweede-lijn service fits a need: youth care for children, GGZ, hospital or Wmo."""
    res = model.res
    g = model.cfg.gatekeeper
    age = res.age[ids]
    child = age < ADULT_AGE
    severity = model.severity[domain, ids]
    if domain == 0:
        out = np.full(len(ids), S["hospital"], dtype=np.int8)
        if via_wijkteam:
            out[(age >= g.wmo_min_age)] = S["wmo_maatwerk"]
    elif domain == 1:
        out = np.full(len(ids), S["specialist_ggz"], dtype=np.int8)
    else:
        out = np.full(len(ids), S["wmo_maatwerk"], dtype=np.int8)
    if domain != 0:
        youth = np.where(severity >= g.residential_severity, S["youth_residential"], S["youth_ambulant"])
        out = np.where(child, youth, out).astype(np.int8)
    return out


def needs_social_root(model, domain: int, ids: np.ndarray) -> np.ndarray:
    return model.res.root[domain, ids] == SOCIAL
