"""The eerste lijn: the GP as gatekeeper (with POH-GGZ and, where present, POH-jeugd) and the
municipal wijkteam.

GP: every consult is a GP contact (with a social cause when the need's root is social). The GP
recognises a social root with some chance (higher for a broad social-medical gatekeeper); a
recognised social root gets social work (Welzijn op Recept) or the wijkteam, next to the
practice's own care when the resident has a separate social need. The GP treats, hands over to
the POH, or refers to the tweede lijn above a severity threshold that rises with the waiting
time there.

Wijkteam: gives light help itself (the municipality decides how much), or refers: children to
youth care, mild social needs of adults down to the nulde lijn, severe social needs of adults
to Wmo maatwerk, physical needs of older residents (`gatekeeper.wmo_min_age`) to Wmo maatwerk
and of younger ones to the GP, mental needs of adults to the GP. What the tweede lijn does not
accept goes home without help.
"""

from __future__ import annotations

import numba
import numpy as np

from model.care import episodes, nulde_lijn, tweede_lijn
from model.care.episodes import ADULT_AGE
from model.engine.random_streams import draw
from model.people.residents import GP_MENTAL_ADULT, GP_SOCIAL_ADULT, NONE
from model.care.services import EERSTE, MENTAL, PHYSICAL, S, SOCIAL


GP, POH_GGZ, POH_JEUGD, WIJKTEAM = S["gp"], S["poh_ggz"], S["poh_jeugd"], S["wijkteam"]


def record_gp_contact(model, ids: np.ndarray, domain: int, social_cause: np.ndarray,
                      child: np.ndarray | None = None) -> None:
    """GP consults of residents `ids` for a need in `domain`: the year's GP contact, and for
    adults with a mental or social need the matching `care_this_year` bit. `child` (age under
    18 per resident) is looked up unless given."""
    res = model.res
    res.gp_contact_this_year[ids] = True
    res.gp_contacts_year[ids] += 1
    if child is None:
        child = res.age[ids] < ADULT_AGE
    if domain != PHYSICAL:
        res.care_this_year[ids[~child]] |= GP_MENTAL_ADULT if domain == MENTAL else GP_SOCIAL_ADULT
        rdom = episodes.report_domain_of(domain, child)
        model.outcomes.count("gp_consults", res, ids, domain=rdom)
        model.outcomes.count("gp_consults_social_cause", res, ids[social_cause], domain=rdom[social_cause])
    else:
        rdom = np.zeros(len(ids), dtype=np.int64)
        model.outcomes.count("gp_consults", res, ids, domain=PHYSICAL)
        model.outcomes.count("gp_consults_social_cause", res, ids[social_cause], domain=PHYSICAL)
    model.record_contacts(ids, episodes.provider_of(model, GP, ids), domain, np.ones(len(ids)), report_domain=rdom)


def gp_consult(model, ids: np.ndarray, domain: int) -> None:
    """A consult for a need: treat, hand over to the POH, or refer. A recognised social root
    gets social help as well: Welzijn op Recept or the wijkteam for the social need while the
    practice treats the complaint, or instead of the practice when the complaint is the social
    need itself (no separate social need, or none of the complaint is medical)."""
    if len(ids) == 0:
        return
    res, g, pol = model.res, model.cfg.gatekeeper, model.policy
    social_root = res.root[domain, ids] == SOCIAL
    child = res.age[ids] < ADULT_AGE
    record_gp_contact(model, ids, domain, social_cause=social_root, child=child)
    sev = model.severity[domain, ids]
    if domain == PHYSICAL:
        # no social root is recognised behind a physical complaint: the GP treats or refers
        up = referral_weighs_waiting(model, ids, domain, sev, np.full(len(ids), g.refer_physical, dtype=np.float32))
        episodes.refer(model, ids[~up], domain, GP, from_line=-1)
        refer_up_or_keep(model, ids[up], domain)
        return
    u = model.streams.uniform(f"gp.decision.{domain}", model.month, ids)
    v = model.streams.uniform(f"gp.referral.{domain}", model.month, ids)
    recognised = social_root & (u < pol.root_recognition)
    route = np.full(len(ids), GP, dtype=np.int8)
    if domain == MENTAL:
        bar = np.where(child, g.refer_youth, g.refer_mental).astype(np.float32)
        route[~child] = POH_GGZ
    else:
        bar = np.where(child, g.refer_youth, np.inf).astype(np.float32)
    up = referral_weighs_waiting(model, ids, domain, sev, bar)
    poh_jeugd = v < pol.poh_jeugd_share
    route[child & poh_jeugd] = POH_JEUGD
    to_wijkteam_intake = child & ~poh_jeugd  # practices without POH-jeugd send children to the wijkteam
    # a recognised social root: social help next to the practice's care for the social need of
    # adults who have one and no help for it yet; otherwise social help for the complaint itself
    if domain == MENTAL:
        separate = recognised & ~child & (res.state[SOCIAL, ids] == NONE) & (model.severity[SOCIAL, ids] > 0)
        social = recognised & ~up & ~separate
        social_help_alongside(model, ids[separate], v[separate] < pol.welzijn_op_recept)
    else:
        social = recognised & ~up
    wor = social & (v < pol.welzijn_op_recept) & ~child & (sev < g.nulde_max_severity)
    to_wijkteam = (social & ~wor) | (to_wijkteam_intake & ~up)
    treat = ~up & ~to_wijkteam & ~wor
    nulde_lijn.intake(model, ids[wor], domain, from_line=EERSTE)
    sideways = ids[to_wijkteam]
    if len(sideways):
        model.outcomes.count("referrals", res, sideways, line=EERSTE, to_line=EERSTE,
                             domain=np.where(child[to_wijkteam], 3, domain))  # as `episodes.report_domain`
        wijkteam_intake(model, sideways, domain, from_gp=True)  # the wijkteam decides: light help or on
    episodes.refer(model, ids[treat], domain, route[treat], from_line=-1)  # GP or POH: same practice
    refer_up_or_keep(model, ids[up], domain)


def refer_up_or_keep(model, ids: np.ndarray, domain: int) -> None:
    """The GP's referral to the tweede lijn; the GP keeps what is not accepted."""
    if len(ids):
        refused = tweede_lijn.refer_up(model, ids, domain, from_line=EERSTE, via_wijkteam=False)
        if len(refused):
            episodes.refer(model, refused, domain, GP, from_line=-1)


def referral_weighs_waiting(model, ids, domain: int, severity, bar) -> np.ndarray:
    """Which needs the GP refers to the tweede lijn: severity at or above the bar, which rises
    with the months a referral can expect to wait at the service it would go to
    (`gatekeeper.waiting_weight` per year of waiting, at most a year counted)."""
    up = severity >= bar
    weight = model.cfg.gatekeeper.waiting_weight
    if weight > 0 and up.any():
        candidates = np.flatnonzero(up)
        service = episodes.tweede_service_for(model, domain, ids[candidates], via_wijkteam=False)
        wait = model.provider_expected_wait[episodes.provider_of(model, service, ids[candidates])]
        raised = bar[candidates] * (1.0 + weight * np.minimum(wait, 12.0) / 12.0)
        up[candidates[severity[candidates] < raised]] = False
    return up


def see_gp(model, ids: np.ndarray, domain: int, gp_visits: list | None) -> None:
    """The GP sees `ids` now, or together with the others in `gp_visits` when the caller collects them."""
    if gp_visits is None:
        gp_consult(model, ids, domain)
    else:
        gp_visits.append(ids)


def social_help_alongside(model, ids: np.ndarray, welzijn_op_recept: np.ndarray) -> None:
    """The social need behind a complaint the practice treats: Welzijn op Recept (mild needs) or
    the wijkteam, as an episode in the social domain."""
    if len(ids) == 0:
        return
    mild = model.severity[SOCIAL, ids] < model.cfg.gatekeeper.nulde_max_severity
    wor = welzijn_op_recept & mild
    model.outcomes.count("gp_social_help_alongside", model.res, ids)
    nulde_lijn.intake(model, ids[wor], SOCIAL, from_line=EERSTE)
    sideways = ids[~wor]
    if len(sideways):
        model.outcomes.count("referrals", model.res, sideways, line=EERSTE, to_line=EERSTE,
                             domain=episodes.report_domain(model, SOCIAL, sideways))
        wijkteam_intake(model, sideways, SOCIAL, from_gp=True)


def wijkteam_intake(model, ids: np.ndarray, domain: int, from_gp: bool = False, gp_visits: list | None = None) -> None:
    """Light help by the wijkteam itself, or referral on (never back to the GP that sent them).
    Residents it sends to the GP are added to `gp_visits` when given (the caller has the GP see
    them together with others), otherwise the GP sees them at once."""
    if len(ids) == 0:
        return
    res, g = model.res, model.cfg.gatekeeper
    severity = model.severity[domain]
    # thresholds in the residents' precision, as numpy compares an array with a Python number
    paths, bounds = _wijkteam_paths(
        ids, severity, res.age, res.municipality, model.policy.light_help,
        model.streams.key(f"wijkteam.intake.{domain}", model.month), severity.dtype.type(g.wijkteam_max_light),
        severity.dtype.type(g.nulde_max_severity), res.age.dtype.type(g.wmo_min_age), domain, from_gp)
    light, nulde, gp, up = (paths[bounds[k]:bounds[k + 1]] for k in range(4))
    if len(light):
        episodes.refer(model, light, domain, WIJKTEAM, from_line=-1)
    if len(nulde):  # adults sent by the GP go on to social work; mild social needs of adults as well
        nulde_lijn.intake(model, nulde, domain, from_line=EERSTE)
    if len(gp):  # adults with a mental need, the younger ones with a physical need
        model.outcomes.count("referrals", res, gp, line=EERSTE, to_line=EERSTE, domain=domain)  # adults
        see_gp(model, gp, domain, gp_visits)
    # what the tweede lijn does not accept goes home without help: these residents were not
    # among those the wijkteam helps itself; they may come back when the need has grown
    if len(up):
        tweede_lijn.refer_up(model, up, domain, from_line=EERSTE, via_wijkteam=True)


LIGHT_HELP, TO_NULDE, TO_GP, UP = 0, 1, 2, 3  # the wijkteam's paths, in the order it takes them


@numba.njit(cache=True)
def _wijkteam_paths(ids, severity, age, municipality, light_help, key, max_light, nulde_max_severity, wmo_min_age,
                    domain, from_gp):
    """The wijkteam's path for each resident in `ids`: light help (with chance light_help of the
    municipality, for needs below max_light), down to the nulde lijn (adults sent by the GP, and
    adults with a mild social need), to the GP (adults with a mental need who came themselves,
    residents under wmo_min_age with a physical need), or up to the tweede lijn. The residents
    grouped by path, each group in the order of `ids`, and where each group starts."""
    path = np.empty(len(ids), dtype=np.int8)
    for j in range(len(ids)):
        i = ids[j]
        child = age[i] < ADULT_AGE
        if severity[i] < max_light and draw(key, i) < light_help[municipality[i]]:
            path[j] = LIGHT_HELP
        elif from_gp:
            path[j] = TO_NULDE if not child else (TO_GP if domain == PHYSICAL and age[i] < wmo_min_age else UP)
        elif domain == SOCIAL and not child and severity[i] < nulde_max_severity:
            path[j] = TO_NULDE
        elif domain == MENTAL:
            path[j] = TO_GP if not child else UP
        elif domain == PHYSICAL:
            path[j] = TO_GP if age[i] < wmo_min_age else UP
        else:
            path[j] = UP
    out = np.empty(len(ids), dtype=np.int64)
    bounds = np.zeros(5, dtype=np.int64)
    k = 0
    for p in range(4):
        bounds[p] = k
        for j in range(len(ids)):
            if path[j] == p:
                out[k] = ids[j]
                k += 1
    bounds[4] = k
    return out, bounds
