"""The eigen risico (the Zvw deductible) in one place: who is liable, how much of a fee the
resident pays, and who forgoes care because of it (zorgmijding).

- Liable: adults (18 and over), for insured care beyond the GP: hospital (episodes, outpatient
  and planned care) and specialist GGZ (`LIABLE_SERVICES`), and only for contacts paid per
  contact (a lump sum has no bill to charge it on). Contacts counted per group rather than per
  resident (resident id -1) are never liable.
- The resident's part of a fee: up to what is left of `financing.eigen_risico` this calendar
  year (`resident_share`, paid in `model.money.contracts.pay_providers`); the amounts paid are reset
  each January (`new_year`).
- Zorgmijding: low-income or indebted adults (`deterred`) decline a referral to a liable service
  with chance `gatekeeper.zorgmijding` (`declines_referral`, `model.care.tweede_lijn`), and forgo
  that share of planned and outpatient hospital care (`deterred_adult` inside the compiled
  candidate search of `model.care.hospital_care`).
"""

from __future__ import annotations

import numba
import numpy as np

from model.care.episodes import ADULT_AGE
from model.people.residents import LOW
from model.care.services import S, SERVICE_LINE

LIABLE_SERVICES = np.array([S["hospital"], S["specialist_ggz"], S["hospital_outpatient"], S["hospital_planned"]])
LIABLE_SERVICE = np.isin(np.arange(len(SERVICE_LINE)), LIABLE_SERVICES)  # by service id


def resident_share(model, ids: np.ndarray, service: np.ndarray, cost: np.ndarray,
                   fee_paid: np.ndarray) -> np.ndarray:
    """Part of `cost` residents pay themselves (adults, liable services, capped yearly), for the
    contacts that are paid per contact (`fee_paid`); adds it to what each paid this year."""
    res = model.res
    return _resident_share(ids, service, cost, fee_paid, res.age, res.eigen_risico_paid, LIABLE_SERVICE,
                           model.cfg.financing.eigen_risico)


@numba.njit(cache=True)
def _resident_share(ids, service, cost, fee_paid, age, paid, liable_service, yearly):
    own = np.zeros(len(ids))
    # first what each contact leaves of the year's eigen risico, all from what was paid before
    # this month (a resident with two contacts sees the same room for both)
    for j in range(len(ids)):
        i = ids[j]
        if fee_paid[j] and liable_service[service[j]] and i >= 0 and age[i] >= ADULT_AGE:
            room = max(np.float32(0.0), np.float32(yearly) - paid[i])  # float32, as the paid amounts
            own[j] = min(np.float64(room), cost[j])
    for j in range(len(ids)):  # then add it up, in float32 like the paid amounts
        if own[j] > 0:
            paid[ids[j]] += np.float32(own[j])
    return own


def new_year(model) -> None:
    """January: nobody has paid any eigen risico yet this year."""
    model.res.eigen_risico_paid[:] = 0.0


def deterred(res, ids: np.ndarray) -> np.ndarray:
    """Residents whom the eigen risico deters from care: low-income or indebted adults."""
    return ((res.income[ids] == LOW) | res.debt[ids]) & (res.age[ids] >= ADULT_AGE)


@numba.njit(inline="always", cache=True)
def deterred_adult(age, income, debt) -> bool:
    """`deterred` for one resident, for compiled loops."""
    return age >= ADULT_AGE and (income == LOW or debt)


def declines_referral(model, ids: np.ndarray, service: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Which referred residents decline care at a liable service (zorgmijding), given a uniform
    draw `u` each."""
    res = model.res
    return _declines(ids, service, u, res.age, res.income, res.debt, LIABLE_SERVICE,
                     np.float32(model.cfg.gatekeeper.zorgmijding))  # float32, as the draws


@numba.njit(cache=True)
def _declines(ids, service, u, age, income, debt, liable_service, zorgmijding):
    out = np.empty(len(ids), dtype=np.bool_)
    for j in range(len(ids)):
        i = ids[j]
        out[j] = liable_service[service[j]] and deterred_adult(age[i], income[i], debt[i]) and u[j] < zorgmijding
    return out
