"""Long-term care at home: wijkverpleging (district nursing) and the GP practice's chronic-care
programmes (ketenzorg for diabetes, COPD, cardiovascular risk), paid by the insurer, and the
Wmo household help and aids, paid by the municipality; reached directly by residents whose
physical health calls for it, mostly older and chronically ill residents.

Unlike an episode, support runs next to any care a resident has, for as long as the need
lasts. Each month
1. support ends with chance 1 / `episode_months` while the resident stays frail, with chance
   `end_after_recovery` once frailty is below `min_frailty`, and at death;
2. residents from `min_age` with a physical frailty (the shortfall below
   `hospital_care.frailty_threshold`, as for planned hospital care) of at least `min_frailty`
   start with a chance proportional to their frailty (`start_rate`); a strong informal
   network (mantelzorg) takes part of it over (`informal_substitution`); the provider takes on
   new users up to its capacity, most severe first, and the rest try again next month;
3. users receive `contacts_per_month` hours (or units) at the provider's tariff, more under per
   verrichting (`model.money.contracts`), and their physical health is kept up by `effect`.
"""

from __future__ import annotations

import numba
import numpy as np

from model.care import episodes, hospital_care
from model.engine import threads
from model.people.health import frailty
from model.engine.random_streams import draw
from model.people.residents import AIDS_USE, CHRONIC_CARE_USE, HOUSEHOLD_HELP_USE, SUPPORT_BITS, WIJKVERPLEGING_USE, WMO
from model.care.services import PHYSICAL, S, SUPPORT_SERVICES, WMO_SERVICES
from model.engine.threads import CHUNKS, chunk, join_chunks

USE_BITS = {"wijkverpleging": WIJKVERPLEGING_USE, "wmo_household": HOUSEHOLD_HELP_USE, "wmo_aids": AIDS_USE,
            "gp_chronic_care": CHRONIC_CARE_USE}


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _changes(alive, age, physical, network, support, bit, end_with_need, end_without_need, min_age, frailty_threshold,
             min_frailty, start_rate, substitution, end_key, start_key):
    """One kind of support: users who stop (support cleared here); the users who stay, and the
    residents who would start with their frailty, each in id order."""
    n = len(age)
    staying = np.empty(n, dtype=np.int64)
    starts = np.empty(n, dtype=np.int64)
    start_severity = np.empty(n, dtype=np.float32)
    found_staying = np.zeros(CHUNKS, dtype=np.int64)
    found = np.zeros(CHUNKS, dtype=np.int64)
    for c in numba.prange(CHUNKS):  # blocks of residents, joined in order below
        lo, hi = chunk(c, n)
        k = lo
        s = lo
        for i in range(lo, hi):
            f = frailty(physical[i], frailty_threshold)
            frail = f >= min_frailty
            if (support[i] & bit) != 0:
                if not alive[i]:
                    support[i] &= ~bit
                elif draw(end_key, i) < (end_with_need if frail else end_without_need):
                    support[i] &= ~bit
                else:
                    staying[s] = i
                    s += 1
            elif alive[i] and frail and age[i] >= min_age:
                if draw(start_key, i) < start_rate * f * (np.float32(1.0) - substitution * network[i]):
                    starts[k] = i
                    start_severity[k] = f
                    k += 1
        found_staying[c] = s - lo
        found[c] = k - lo
    s = join_chunks(staying, found_staying)
    k = join_chunks(starts, found)
    join_chunks(start_severity, found)
    return staying[:s], starts[:k], start_severity[:k]


def _rules(model) -> list[tuple]:
    """Per kind of support: its name, bit, use and care bits, and the parameters of `_changes`
    (in float32, as the health arrays); fixed for a model's life, so made once."""
    rules = getattr(model, "_support_rules", None)
    if rules is None:
        f32 = np.float32
        rules = model._support_rules = []
        for name in SUPPORT_SERVICES:
            svc, rule = getattr(model.cfg.services, name), getattr(model.cfg.support, name)
            rules.append((name, np.uint8(SUPPORT_BITS[name]), np.uint8(USE_BITS[name]),
                          np.uint16(WMO if name in WMO_SERVICES else 0),
                          (f32(1.0 / svc.episode_months), f32(rule.end_after_recovery), f32(rule.min_age),
                           f32(model.cfg.hospital_care.frailty_threshold), f32(rule.min_frailty),
                           f32(rule.start_rate), f32(rule.informal_substitution)),
                          svc, f"support.{name}.end", f"support.{name}.start", f"{name}_starts"))
    return rules


def step(model) -> None:
    res = model.res
    users_of, prov_of, contacts_of = [], [], []  # this month's users and contacts, kind after kind
    for name, bit, use_bit, care_bit, params, svc, end_stream, start_stream, starts_metric in _rules(model):
        staying, starts, severity = _changes(res.alive, res.age, res.health[PHYSICAL], res.network, res.support,
                                             bit, *params, model.streams.key(end_stream, model.month),
                                             model.streams.key(start_stream, model.month))
        provider_of_muni = model.provider_index[S[name]]
        free, all_fit = hospital_care.places_left(staying, starts, res.municipality, provider_of_muni,
                                                  model.provider_capacity)
        new = starts if all_fit else \
            starts[hospital_care.fit_in(episodes.provider_of(model, S[name], starts), free, severity, starts)]
        users, prov, contacts = hospital_care.serve(staying, new, res.support, bit, res.uses_this_year, use_bit,
                                                    res.care_this_year, care_bit, res.municipality, provider_of_muni,
                                                    model.provider_contact_factor, float(svc.contacts_per_month))
        model.outcomes.count(starts_metric, res, new)
        users_of.append(users)
        prov_of.append(prov)
        contacts_of.append(contacts)
        hospital_care.recover(model, users, svc.effect)
    model.record_contacts(np.concatenate(users_of), np.concatenate(prov_of), PHYSICAL, np.concatenate(contacts_of))
