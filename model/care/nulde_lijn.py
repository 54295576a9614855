"""The nulde lijn: the social-basis organisation of each municipality.

It takes residents who walk in or are referred (Welzijn op Recept, step-down), gives individual
support, sends indebted residents to schuldhulp (a debtor's mental need gets social work and
schuldhulp at once), refers needs beyond its scope to the GP, runs
Voorzorg peer groups for residents waiting for specialist GGZ, and builds community (network
strength, see `model.people.determinants`).
"""

from __future__ import annotations

import numba
import numpy as np

from model.care import episodes, eerste_lijn
from model.people.residents import NONE, WAITING
from model.care.services import EERSTE, MENTAL, NULDE, PHYSICAL, S, SOCIAL


SOCIAL_BASIS, SCHULDHULP, WIJKTEAM = S["social_basis"], S["schuldhulp"], S["wijkteam"]


def intake(model, ids: np.ndarray, domain: int, from_line: int = -1, gp_visits: list | None = None) -> None:
    """Walk-in or referral: support here, schuldhulp for debt, or on to the GP if too severe.
    Walk-ins for the GP are added to `gp_visits` when given (the caller has the GP see them
    together with others), otherwise the GP sees them at once."""
    if len(ids) == 0:
        return
    res, severity = model.res, model.severity
    # the threshold in the residents' precision, as numpy compares an array with a Python number
    up, here, both, service = _intake_paths(ids, severity, res.state, res.debt, domain,
                                            severity.dtype.type(model.cfg.gatekeeper.nulde_max_severity))
    if len(up) and from_line < 0:  # walk-ins go on to the GP
        model.outcomes.count("referrals", res, up, domain=episodes.report_domain(model, domain, up),
                             line=NULDE, to_line=EERSTE)
        eerste_lijn.see_gp(model, up, domain, gp_visits)
    elif len(up):  # referred cases that are too severe go to the wijkteam instead
        episodes.refer(model, up, domain, WIJKTEAM, from_line=from_line)
    if len(here) == 0:
        return
    if domain == PHYSICAL:  # no debt behind a physical need: support here
        episodes.refer(model, here, domain, SOCIAL_BASIS, from_line)
        return
    # a debtor's mental need and the debt behind it at once: social work for the need and
    # schuldhulp for the debt (as a social episode) where the social need has no help yet
    if len(both):
        episodes.refer(model, both, SOCIAL, SCHULDHULP, from_line)
    episodes.refer(model, here, domain, service, from_line)


@numba.njit(cache=True)
def _intake_paths(ids, severity, state, debt, domain, max_severity):
    """Who is too severe for the nulde lijn (up) and who is supported here, in the order of
    `ids`; of the latter, the debtors with a mental need whose social need gets schuldhulp as
    well (both), and the service each gets for this need: schuldhulp for other debtors (not for
    physical needs), else social work."""
    up = np.empty(len(ids), dtype=np.int64)
    here = np.empty(len(ids), dtype=np.int64)
    both = np.empty(len(ids), dtype=np.int64)
    service = np.empty(len(ids), dtype=np.int8)
    n_up = n_here = n_both = 0
    for i in ids:
        if severity[domain, i] >= max_severity:
            up[n_up] = i
            n_up += 1
            continue
        here[n_here] = i
        service[n_here] = SOCIAL_BASIS
        if domain != PHYSICAL and debt[i]:
            if domain == MENTAL and state[SOCIAL, i] == NONE and severity[SOCIAL, i] > 0:
                both[n_both] = i
                n_both += 1
            else:
                service[n_here] = SCHULDHULP
        n_here += 1
    return up[:n_up], here[:n_here], both[:n_both], service[:n_here]


def schuldhulp_outreach(model) -> None:
    """Early debt counselling: indebted residents are approached before a need arises."""
    rate = model.policy.schuldhulp_outreach
    if rate <= 0:
        return
    res = model.res
    ids = np.nonzero(res.alive & res.debt & (res.state[SOCIAL] == NONE))[0]
    ids = ids[model.streams.uniform("nulde.schuldhulp_outreach", model.month, ids) < rate]
    episodes.refer(model, ids, SOCIAL, S["schuldhulp"], from_line=-1)


def voorzorg(model) -> None:
    """Voorzorg: residents waiting for specialist GGZ join peer groups; some recover while waiting
    and leave the list (they turn out not to need treatment)."""
    res = model.res
    share = model.policy.voorzorg_share
    if share <= 0 and not res.in_voorzorg.any():  # no groups: nothing to do (saves full-array passes)
        return
    waiting_ggz = (res.service[MENTAL] == S["specialist_ggz"]) & (res.state[MENTAL] == WAITING)
    res.in_voorzorg &= waiting_ggz
    if share > 0:  # join a group while places are free, at monthly chance `share`
        candidates = np.nonzero(waiting_ggz & ~res.in_voorzorg)[0]
        candidates = candidates[model.streams.uniform("nulde.voorzorg", model.month, candidates) < share]
        groups = episodes.provider_of(model, S["voorzorg"], candidates)
        taken = np.bincount(episodes.provider_of(model, S["voorzorg"], np.nonzero(res.in_voorzorg)[0]),
                            minlength=len(model.providers))
        free = np.maximum(0, np.floor(model.provider_capacity - taken)).astype(np.int64)
        joins = episodes.up_to_capacity(groups, free, priority=-res.months[MENTAL, candidates], tiebreak=candidates)
        res.in_voorzorg[candidates[joins]] = True
    recovered = np.nonzero(res.in_voorzorg & (model.severity[MENTAL] == 0))[0]
    model.outcomes.count("voorzorg_no_treatment_needed", res, recovered)
    episodes.discharge(model, MENTAL, recovered)
    res.in_voorzorg[recovered] = False
    ids = np.nonzero(res.in_voorzorg)[0]
    prov = episodes.provider_of(model, S["voorzorg"], ids)
    contacts = np.full(len(ids), model.cfg.services.voorzorg.contacts_per_month)
    model.record_contacts(ids, prov, np.full(len(ids), MENTAL), contacts)
