"""The tweede lijn: hospital, specialist GGZ, youth care (ambulant and residential), Wmo
maatwerk; with the end of episodes in every line, escalation, step-down and crises.

- Referral up: the receiving provider accepts only needs above its minimum severity (lower
  under per verrichting: milder cases accepted); low-income or indebted adults may decline
  insured care because of the eigen risico (zorgmijding, `model.money.eigen_risico`); under "substitution without funds"
  part of the referrals is sent to the nulde lijn instead, without extra capacity there.
- End of episodes: at the planned length, or earlier on recovery (not under per verrichting:
  fee-paid providers discharge later).
- Escalation: light help that no longer suffices is stepped up; children in ambulant youth care
  whose problems become too severe move to residential care.
- Step-down (afschalen): part of the tweede-lijn discharges get follow-up in the wijkteam or
  social basis, which keeps the root in view and lowers relapse.
- Crises: severe needs without care become crises with emergency admission; children are placed
  out of home when their family context fails too, otherwise they get crisis help at home.
"""

from __future__ import annotations

import numba
import numpy as np

from model.care import episodes
from model.money import eigen_risico
from model.engine import threads
from model.care.episodes import ADULT_AGE
from model.people.health import RECOVERY_MARGIN
from model.people.residents import ADMITTED, HOSPITAL_CONTACT
from model.care.services import MENTAL, PHYSICAL, S, SERVICE_LINE, SOCIAL, TWEEDE
from model.engine.random_streams import draw
from model.engine.threads import CHUNKS, chunk

CRISIS_SERVICE = (S["hospital"], S["specialist_ggz"], S["wmo_maatwerk"])
CRISIS_DOMAIN_SERVICE = np.array(CRISIS_SERVICE, dtype=np.int8)  # for compiled code
YOUTH_AMBULANT, YOUTH_RESIDENTIAL = S["youth_ambulant"], S["youth_residential"]


def refer_up(model, ids: np.ndarray, domain: int, from_line, via_wijkteam: bool) -> np.ndarray:
    """Refer to the fitting tweede-lijn service, from one line (or from one line each, an array
    aligned with `ids`). Returns the ids that were not accepted."""
    if len(ids) == 0:
        return ids
    res, pol = model.res, model.policy
    # the service, whether the provider accepts the need and, for those accepted, zorgmijding
    # (draws for the accepted only, as they decide nothing for the others)
    action, service, n_refused, n_declined = _referrals(
        ids, domain, via_wijkteam, res.age, model.severity, res.income, res.debt, res.municipality,
        model.provider_index, model.provider_min_severity, *episodes.tweede_service_bars(model),
        model.streams.key(f"tweede.zorgmijding.{domain}", model.month), eigen_risico.LIABLE_SERVICE,
        np.float32(model.cfg.gatekeeper.zorgmijding))  # float32, as the draws
    if n_refused or n_declined:
        refused = ids[action == REFUSED]
        if n_declined:
            avoid = ids[action == DECLINES]
            model.outcomes.count("zorgmijding", res, avoid,
                                 domain=0 if domain == 0 else episodes.report_domain(model, domain, avoid))
        referred = action == REFERRED
        ids, service, from_line = ids[referred], service[referred], _part(from_line, referred)
        if len(ids) == 0:
            return refused
    else:
        refused = ids[:0]

    # afvoerputje: part of the referrals goes to the nulde lijn, which gets no extra capacity
    # (no share, no diversion: the draws are then left out, as they decide nothing)
    if pol.substitution_share > 0:
        v = model.streams.uniform(f"tweede.substitution.{domain}", model.month, ids)
        divert = v < pol.substitution_share
        episodes.refer(model, ids[divert], domain, S["social_basis"], from_line=_part(from_line, divert))
        ids, service, from_line = ids[~divert], service[~divert], _part(from_line, ~divert)
    episodes.refer(model, ids, domain, service, from_line=from_line)
    return refused


def _part(dimension, selected: np.ndarray):
    """The selected part of a value given for all (a plain number) or one each (an array)."""
    return dimension[selected] if isinstance(dimension, np.ndarray) else dimension


REFERRED, REFUSED, DECLINES = 0, 1, 2  # what becomes of a referral up


@numba.njit(cache=True)
def _referrals(ids, domain, via_wijkteam, age, severity, income, debt, municipality, provider_index,
               provider_min_severity, wmo_min_age, residential_severity, residential_family_severity,
               zorgmijding_key, liable_service, zorgmijding):
    """Per referral up: its service (`episodes.tweede_service`), and whether the provider refuses
    it (the need below its minimum severity), the resident declines it (zorgmijding:
    `eigen_risico.declines_referral`, with its draw) or it goes ahead; and how many are refused
    and declined."""
    action = np.empty(len(ids), dtype=np.int8)
    service = np.empty(len(ids), dtype=np.int8)
    n_refused = n_declined = 0
    for j in range(len(ids)):
        i = ids[j]
        s = episodes.tweede_service(domain, via_wijkteam, age[i], severity[domain, i], severity[SOCIAL, i],
                                    wmo_min_age, residential_severity, residential_family_severity)
        service[j] = s
        if severity[domain, i] < provider_min_severity[provider_index[s, municipality[i]]]:
            action[j] = REFUSED
            n_refused += 1
        elif liable_service[s] and eigen_risico.deterred_adult(age[i], income[i], debt[i]) and \
                draw(zorgmijding_key, i) < zorgmijding:
            action[j] = DECLINES
            n_declined += 1
        else:
            action[j] = REFERRED
    return action, service, n_refused, n_declined


ESCALATE, TO_RESIDENTIAL, END = 1, 2, 3  # what the review does with an episode


def review_episodes(model) -> None:
    """End, escalate or step down episodes after this month's care."""
    res, g = model.res, model.cfg.gatekeeper
    thr = np.asarray(model.cfg.health.need_threshold, dtype=np.float32)
    escalation_bar = np.array([g.refer_physical, g.refer_mental, 1.1], dtype=np.float32) + 0.1
    # the bars in float32, as numpy compares float32 severities with them
    youth_bar = np.float32(g.refer_youth + 0.15)
    recovered_bar = thr + np.float32(RECOVERY_MARGIN)
    _, _, c_dom, c_ids = episodes.episode_lists(model)
    all_domains, all_ids, all_lines, all_actions = _review_actions(
        c_dom, c_ids, res.service, res.months, res.length, res.health, model.severity, res.age, res.municipality,
        model.provider_index, model.provider_early_discharge, SERVICE_LINE, escalation_bar, youth_bar,
        np.float32(g.residential_severity), np.float32(g.residential_family_severity), recovered_bar)
    first = np.searchsorted(all_domains, (0, 1, 2, 3)).tolist()  # the lists are domain-major
    for d in range(3):
        part = slice(first[d], first[d + 1])
        ids, line, action = all_ids[part], all_lines[part], all_actions[part]
        if len(ids) == 0:
            continue

        # escalation from light care (nulde, eerste) to the tweede lijn, from both lines at once:
        # a referral up reads nothing that the other residents' discharges and referrals change,
        # and its draws are per resident
        escalate = action == ESCALATE
        esc_ids = ids[escalate]
        if len(esc_ids):
            episodes.discharge(model, d, esc_ids, transfer=True)
            refused = refer_up(model, esc_ids, d, from_line=line[escalate], via_wijkteam=False)
            episodes.refer(model, refused, d, S["gp"], from_line=-1)

        # ambulant youth care that no longer suffices becomes residential
        move = ids[action == TO_RESIDENTIAL]
        if len(move):
            episodes.discharge(model, d, move, transfer=True)
            episodes.refer(model, move, d, S["youth_residential"], from_line=TWEEDE, immediate=True, continuation=True)

        # regular end: planned length reached, or recovered (not under per verrichting)
        end = action == END
        done, done_line = ids[end], line[end]
        episodes.discharge(model, d, done)
        step_down(model, d, done[done_line == TWEEDE])


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _review_actions(c_dom, c_ids, service, months, length, health, severity, age, municipality, provider_index,
                    early_discharge, service_line, escalation_bar, youth_bar, residential_severity,
                    residential_family_severity, recovered_bar):
    """The episodes in care that the review escalates, moves to residential youth care (severe,
    and the family context failing: `episodes.needs_residential`) or ends:
    domain, resident, line and action, domain-major in id order (all others stay as they are)."""
    action = np.zeros(len(c_ids), dtype=np.int8)
    for c in numba.prange(CHUNKS):  # blocks of episodes, each deciding its own
        lo, hi = chunk(c, len(c_ids))
        for k in range(lo, hi):
            d, i = c_dom[k], c_ids[k]
            s = service[d, i]
            sev = severity[d, i]
            bar = youth_bar if (age[i] < ADULT_AGE and d != PHYSICAL) else escalation_bar[d]
            if service_line[s] < TWEEDE and sev >= bar:
                action[k] = ESCALATE
            elif s == YOUTH_AMBULANT and episodes.needs_residential(sev, severity[SOCIAL, i], residential_severity,
                                                                    residential_family_severity):
                action[k] = TO_RESIDENTIAL
            elif months[d, i] >= length[d, i] or (
                    health[d, i] >= recovered_bar[d] and early_discharge[provider_index[s, municipality[i]]]):
                action[k] = END
    chosen = np.nonzero(action)[0]
    lines = np.empty(len(chosen), dtype=np.int8)
    for j in range(len(chosen)):
        k = chosen[j]
        lines[j] = service_line[service[c_dom[k], c_ids[k]]]
    return c_dom[chosen], c_ids[chosen], lines, action[chosen]


def step_down(model, domain: int, ids: np.ndarray) -> None:
    """Afschalen: follow-up in the wijkteam (children, mental) or social basis (social needs)."""
    if len(ids) == 0:
        return
    u = model.streams.uniform(f"tweede.step_down.{domain}", model.month, ids)
    follow = ids[u < model.cfg.gatekeeper.step_down]
    if len(follow) == 0:
        return
    if domain == SOCIAL:  # children to the wijkteam, adults to the social basis
        service = np.where(model.res.age[follow] < ADULT_AGE, S["wijkteam"], S["social_basis"]).astype(np.int8)
    else:
        service = S["wijkteam"]
    model.res.root[domain, follow] = PHYSICAL if domain == PHYSICAL else SOCIAL
    # follow-up is planned at discharge: it starts at once and continues the same problem, so
    # it is no relapse; the relapse window starts again when the follow-up ends
    episodes.refer(model, follow, domain, service, from_line=TWEEDE, immediate=True, continuation=True)


def crises(model) -> None:
    """Severe needs without care become crises: emergency admission, residential placement, or
    for children whose family can carry them, ambulant crisis help at home."""
    res, g = model.res, model.cfg.gatekeeper
    # the chance of a crisis in float32, as numpy computes it from the float32 severities
    crisis_severity, crisis_rate = np.float32(g.crisis_severity), np.float32(g.crisis_rate)
    severity_span = np.float32(1.0 - g.crisis_severity)  # from the crisis severity to 1
    for d in range(3):
        at_risk = episodes.needs_without_care(model, d, min_severity=g.crisis_severity)
        if len(at_risk) == 0:
            continue
        ids, service, rdom = _crises(at_risk, d, model.severity, res.age, crisis_severity, crisis_rate, severity_span,
                                     model.streams.key(f"crisis.{d}", model.month),
                                     np.float32(g.residential_family_severity))
        if len(ids) == 0:
            continue
        model.outcomes.count("crises", res, ids, domain=0 if d == PHYSICAL else rdom)
        if d == PHYSICAL:
            res.uses_this_year[ids] |= HOSPITAL_CONTACT | ADMITTED
            model.outcomes.count("hospital_acute_admissions", res, ids)
        episodes.discharge(model, d, ids, count=False)  # leaves any waiting list
        if d == SOCIAL:
            res.root[d, ids] = SOCIAL
        episodes.refer(model, ids, d, service, from_line=-1, immediate=True)
        if d == MENTAL:  # a mental crisis ends VoorZorg
            res.in_voorzorg[ids] = False


@numba.njit(cache=True)
def _crises(at_risk, domain, severity, age, crisis_severity, crisis_rate, severity_span, crisis_key,
            residential_family_severity):
    """Who of those at risk has a crisis (chance rising from 0 at the crisis severity to the
    crisis rate at 1, in float32; one draw each), with the service of their emergency care:
    the domain's, or for children's mental and social needs a placement out of home when the
    family fails too (`episodes.family_fails`), crisis help at home otherwise; and their
    reporting domains (`episodes.report_domain`)."""
    ids = np.empty(len(at_risk), dtype=np.int64)
    service = np.empty(len(at_risk), dtype=np.int8)
    rdom = np.empty(len(at_risk), dtype=np.int8)
    k = 0
    for j in range(len(at_risk)):
        i = at_risk[j]
        if draw(crisis_key, i) < crisis_rate * (severity[domain, i] - crisis_severity) / severity_span:
            child = age[i] < ADULT_AGE
            s = CRISIS_DOMAIN_SERVICE[domain]
            if domain != PHYSICAL and child:
                s = YOUTH_RESIDENTIAL if episodes.family_fails(severity[SOCIAL, i], residential_family_severity) \
                    else YOUTH_AMBULANT
            ids[k], service[k] = i, s
            rdom[k] = 3 if (domain != PHYSICAL and child) else domain
            k += 1
    return ids[:k], service[:k], rdom[:k]
