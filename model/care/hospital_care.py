"""Planned and chronic hospital care: outpatient care and planned admissions, driven by physical
health.

Most of what Dutch hospitals do is not a response to a sudden need: it is follow-up of chronic
conditions, diagnostics and planned (elective) admissions, about two thirds of all admissions
(CBS 2019). Each month a resident has outpatient care, and separately a planned treatment
(`services.hospital_planned.contacts_per_month` admissions on average), with
a chance that rises with physical frailty (the shortfall of physical health below
`hospital_care.frailty_threshold`) and with the resident's care propensity (chronic conditions:
frequent GP attenders use more hospital care too). Low-income and indebted adults forgo part of it because of
the eigen risico (`gatekeeper.zorgmijding`, as for referrals; `model.money.eigen_risico`). The hospital fits patients in up
to its capacity for this care, frailest first; the rest try again next month. Care in a month
keeps physical health up a little (`hospital_care.effect`).

Acute admissions (about a third of all admissions) come as emergencies, with a chance that
also rises with frailty, or as crises of untreated physical needs (`model.care.tweede_lijn`): both
start an acute hospital episode at once. Needs the GP refers to the hospital are treated in
hospital episodes too (`model.care.eerste_lijn`); they count as planned care.
"""

from __future__ import annotations

import numba
import numpy as np

from model.care import episodes
from model.engine import threads
from model.money.eigen_risico import deterred_adult
from model.people.health import RECOVERY_MARGIN, frailty
from model.engine.random_streams import draw
from model.people.residents import ADMITTED, HOSPITAL_CONTACT, IN_CARE
from model.care.services import PHYSICAL, S
from model.engine.threads import CHUNKS, chunk, join_chunks

PRIORITY_STEPS = 1000  # frailty in thousandths, for the order in which patients are fitted in
NOBODY = np.zeros(0, dtype=np.int64)


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _candidates(alive, age, physical, income, debt, propensity, threshold, base, slope, avoidance, key):
    """Residents who would have this kind of care this month, in id order, and their frailty.
    `propensity` (per resident) multiplies the chance; acute care passes none (length 0)."""
    n = len(age)
    ids = np.empty(n, dtype=np.int64)
    frailties = np.empty(n, dtype=np.float32)
    found = np.zeros(CHUNKS, dtype=np.int64)
    for c in numba.prange(CHUNKS):  # blocks of residents, joined in order below
        lo, hi = chunk(c, n)
        k = lo
        for i in range(lo, hi):
            if not alive[i]:
                continue
            f = frailty(physical[i], threshold)
            p = base + slope * f
            if len(propensity):
                p *= propensity[i]
            if deterred_adult(age[i], income[i], debt[i]):
                p *= np.float32(1.0) - avoidance  # the eigen risico deters (`model.money.eigen_risico`)
            if draw(key, i) < p:
                ids[k] = i
                frailties[k] = f
                k += 1
        found[c] = k - lo
    k = join_chunks(ids, found)
    join_chunks(frailties, found)
    return ids[:k], frailties[:k]


def step(model) -> None:
    """This month's acute admissions, outpatient care and planned admissions."""
    acute_admissions(model)
    planned_care(model)


def acute_admissions(model) -> None:
    """Acute illness or injury (a heart attack, a fracture, an infection) brings residents to the
    hospital as an emergency, more often the frailer they are: an acute episode starts at once,
    without the GP's referral and past any waiting list; residents already in hospital care stay."""
    res, cfg = model.res, model.cfg.hospital_care
    f32 = np.float32
    ids, _ = _candidates(res.alive, res.age, res.health[PHYSICAL], res.income, res.debt, np.zeros(0, dtype=f32),
                         f32(cfg.frailty_threshold),
                         f32(cfg.acute_base), f32(cfg.acute_frailty), f32(0.0),
                         model.streams.key("hospital.acute", model.month))
    ids = ids[~((res.service[PHYSICAL, ids] == S["hospital"]) & (res.state[PHYSICAL, ids] == IN_CARE))]
    admit_acute(model, ids)


def admit_acute(model, ids: np.ndarray) -> None:
    """An acute hospital admission: any physical episode elsewhere or on a waiting list gives way."""
    res = model.res
    res.uses_this_year[ids] |= HOSPITAL_CONTACT | ADMITTED
    model.outcomes.count("hospital_acute_admissions", res, ids)
    episodes.discharge(model, PHYSICAL, ids, count=False, transfer=True)
    episodes.refer(model, ids, PHYSICAL, S["hospital"], from_line=-1, immediate=True)


def planned_care(model) -> None:
    """This month's outpatient care and planned admissions, paid per contact by the insurer."""
    res, cfg = model.res, model.cfg.hospital_care
    f32 = np.float32
    patients, providers, contacts = [], [], []  # both kinds' care, recorded as one batch
    for service, base, slope, stream, used in (
            ("hospital_outpatient", cfg.outpatient_base, cfg.outpatient_frailty, "hospital.outpatient",
             HOSPITAL_CONTACT),
            ("hospital_planned", cfg.planned_admission_base, cfg.planned_admission_frailty, "hospital.planned",
             HOSPITAL_CONTACT | ADMITTED)):
        ids, frail = _candidates(res.alive, res.age, res.health[PHYSICAL], res.income, res.debt,
                                   res.care_propensity, f32(cfg.frailty_threshold), f32(base), f32(slope),
                                   f32(model.cfg.gatekeeper.zorgmijding), model.streams.key(stream, model.month))
        provider_of_muni = model.provider_index[S[service]]
        free, all_fit = places_left(NOBODY, ids, res.municipality, provider_of_muni, model.provider_capacity)
        if not all_fit:
            ids = ids[fit_in(episodes.provider_of(model, S[service], ids), free, frail, ids)]
        per_month = float(getattr(model.cfg.services, service).contacts_per_month)
        ids, prov, care = serve(ids, NOBODY, res.support, np.uint8(0), res.uses_this_year, np.uint8(used),
                                res.care_this_year, np.uint16(0), res.municipality, provider_of_muni,
                                model.provider_contact_factor, per_month)
        model.outcomes.count(f"{service}_patients", res, ids)
        patients.append(ids)
        providers.append(prov)
        contacts.append(care)
        recover(model, ids, cfg.effect)
    model.record_contacts(np.concatenate(patients), np.concatenate(providers), PHYSICAL, np.concatenate(contacts))


@numba.njit(cache=True)
def places_left(staying, starts, municipality, provider_of_muni, capacity):
    """Places left per provider of a service (`provider_of_muni`: its provider per municipality)
    after the residents who stay in its care (at least 0), and whether every provider has room
    for all its starters (`fit_in`'s common case)."""
    free = np.floor(capacity)
    for i in staying:
        free[provider_of_muni[municipality[i]]] -= 1.0
    places = np.maximum(free, 0.0).astype(np.int64)
    wanted = np.zeros(len(capacity), dtype=np.int64)
    for i in starts:
        wanted[provider_of_muni[municipality[i]]] += 1
    return places, (wanted <= places).all()


@numba.njit(cache=True)
def serve(staying, new, support, bit, uses_this_year, use_bit, care_this_year, care_bit, municipality,
          provider_of_muni, contact_factor, contacts_per_month):
    """The month's users of a service outside episodes: those who stay and the new ones (both in
    id order, no id in both), merged in id order; the new ones get `bit` in `support` (0: none),
    all of them the use (and care) bits this year. Returns the users, their provider
    (`provider_of_muni`: per municipality) and their contacts."""
    for i in new:
        support[i] |= bit
    n = len(staying) + len(new)
    users = np.empty(n, dtype=np.int64)
    a = b = 0
    for k in range(n):
        if b == len(new) or (a < len(staying) and staying[a] < new[b]):
            users[k] = staying[a]
            a += 1
        else:
            users[k] = new[b]
            b += 1
    prov = np.empty(n, dtype=np.int64)
    contacts = np.empty(n, dtype=np.float64)
    for k in range(n):
        i = users[k]
        uses_this_year[i] |= use_bit
        care_this_year[i] |= care_bit
        p = provider_of_muni[municipality[i]]
        prov[k] = p
        contacts[k] = contacts_per_month * np.float64(contact_factor[p])
    return users, prov, contacts


def fit_in(prov: np.ndarray, free: np.ndarray, frail: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Which of the candidates `ids` (in id order, at providers `prov`) the providers fit in, as
    indices in id order: all of them when each provider has room for all its candidates (most
    months), otherwise up to `free` places per provider, the frailest first, then by id."""
    if (np.bincount(prov, minlength=len(free)) <= free).all():
        return np.arange(len(ids))
    return np.sort(episodes.up_to_capacity(prov, free, priority=-np.rint(frail * PRIORITY_STEPS), tiebreak=ids))


def recover(model, ids: np.ndarray, effect: float) -> None:
    """Care outside an episode closes `effect` of the gap between physical health and recovery."""
    if effect <= 0 or len(ids) == 0:
        return
    goal = np.float32(model.cfg.health.need_threshold[PHYSICAL] + RECOVERY_MARGIN)
    _recover(model.res.health[PHYSICAL], ids, np.float32(effect), goal)


@numba.njit(cache=True)
def _recover(physical, ids, effect, goal):
    """`recover` for distinct `ids`, in float32 like the health arrays."""
    for i in ids:
        h = physical[i]
        physical[i] = min(h + effect * max(goal - h, np.float32(0.0)), np.float32(1.0))
