"""Work and productivity loss: who is in paid work, absence from work with a severe need, and the
production lost, valued by the friction-cost method and booked as the employers' cost.

Employment (ages 18-66). Each resident has a lifelong work propensity, a draw keyed by the
resident's id alone (stream "work.propensity"). A resident aged 18-66 is in paid work when the
propensity is below the chance of work of their income group, unless they receive a benefit
(uitkering) or have left work through a long severe need (`lost_work`). The chances are set
so that `work.employment_rate` of the residents aged 18-66 work (benefit recipients never do);
low-income residents have `work.low_income_employment` times the chance of the others. They
are set at the start and set again at month 0, the end of the warm-up, so that the recorded
run starts at that rate whatever benefits did during the warm-up; after that the rate follows
benefits, illness and the cohorts turning 18 and 67. So the status is drawn at the start and,
for everyone else, on turning 18; it ends at 67, with a benefit or through illness, and comes
back when the benefit ends or after recovery.

Absence. An employed resident whose severity in any domain is at least `work.absence_severity`
is absent from work for the month; consecutive months of absence are one spell
(`absence_months`, 0 when not absent).

Productivity loss by the friction-cost method (Kostenhandleiding 2024). Production is lost only
during the friction period (`work.friction_period_days`), the time an employer needs to replace
an absent worker; after it the work is done by someone else and society loses no more
production. Month k of a spell (k = 1, 2, ...) counts the share `min(max(F - (k - 1), 0), 1)` of
a month, F the friction period in months, of `work.hours_per_month` hours at
`work.productivity_cost_per_hour`, so one spell never costs more than F x hours x price. The
elasticity of production to working time that earlier Dutch practice applied (0.8) is not: its
2024 value was not found (data/sources.yaml, not_found).

Losing and regaining work. From the first month wholly past the friction period, an absent
resident leaves paid work with chance `work.job_loss` a month (the spell ends, `lost_work` is
set); once no domain is at the absence severity any more, they go back with chance
`work.return_to_work` a month, and are in work again if their propensity says so.

Ledger. Each month's loss is booked per municipality and resident group as kind
"productivity_loss": payer employers, no payee (the production is lost, not paid to anyone), no
line or domain. It is not care: care cost, budgets and calibration read kind "care" only.
"""

from __future__ import annotations

import numba
import numpy as np

from model.engine import threads
from model.money.financing import KINDS, F
from model.engine.random_streams import draw
from model.people.residents import GROUPS, LOW, group_index
from model.engine.threads import CHUNKS, chunk, join_chunks

PROPENSITY, JOB_LOSS, RETURN = "work.propensity", "work.job_loss", "work.return"
KIND = KINDS.index("productivity_loss")
NO_PAYEE = -1  # lost production is paid to no one
DAYS_PER_MONTH = 365.25 / 12.0
WORK_AGE = (18.0, 67.0)
# per municipality, each month (`Outcomes.record_month`): residents aged 18-66, in paid work,
# absent from work with a severe need, out of work after a long severe need
WORK_METRICS = ("residents_18_66", "employed", "absent_from_work", "out_of_work_ill")


def friction_months(cfg) -> float:
    """The friction period in months."""
    return cfg.friction_period_days / DAYS_PER_MONTH


def spell_share(months, friction: float) -> np.ndarray:
    """Share of a month's working hours counted in month `months` (1, 2, ...) of an absence spell:
    the part of that month that lies within the friction period."""
    return np.clip(friction - (np.asarray(months, dtype=np.float64) - 1.0), 0.0, 1.0)


def max_loss_per_spell(cfg) -> float:
    """The most one absence spell can cost: the friction period x hours x price."""
    return friction_months(cfg) * cfg.hours_per_month * cfg.productivity_cost_per_hour


def start(model) -> None:
    """The chances of work and the starting population's employment."""
    res = model.res
    ids = set_chances(model)
    u = model.streams.uniform(PROPENSITY, 0, ids)
    res.employed[ids] = ~res.benefit[ids] & (u < model.work_chance[res.income[ids]])
    model.work_counts = np.zeros((len(WORK_METRICS), model.region.n_municipalities))
    model.productivity_charges = (np.zeros(0, dtype=np.int64), np.zeros(0))


def set_chances(model) -> np.ndarray:
    """The chance of work per income group (`model.work_chance`), such that `work.employment_rate`
    of the residents now aged 18-66 would be in work (none on a benefit, none who left work
    through illness); returns the ids of the residents aged 18-66."""
    res, cfg = model.res, model.cfg.work
    ids = np.flatnonzero(res.alive & (res.age >= WORK_AGE[0]) & (res.age < WORK_AGE[1]))
    free = ids[~res.benefit[ids] & ~res.lost_work[ids]]
    low = int((res.income[free] == LOW).sum())
    weighted = cfg.low_income_employment * low + (len(free) - low)
    base = cfg.employment_rate * len(ids) / weighted if weighted > 0 else 0.0
    # above 1 the rate cannot be met (too many on a benefit): everyone free to work then works
    model.work_chance = np.minimum(np.array([cfg.low_income_employment, 1.0, 1.0]) * base, 1.0).astype(np.float32)
    return ids


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _step(alive, age, income, benefit, municipality, sev0, sev1, sev2, employed, lost_work, absence_months,
          keys, chance, scalars, n_muni):
    """A month of work for every resident (module docstring). Returns the ids of the absent
    residents whose month counts within the friction period, the share of the month counted for
    each, and the WORK_METRICS counts per municipality."""
    propensity_key, loss_key, return_key = keys[0], keys[1], keys[2]
    threshold, friction, job_loss, back = scalars[0], scalars[1], scalars[2], scalars[3]
    n = len(age)
    charged = np.empty(n, dtype=np.int64)  # only the first few entries of each block are written
    share = np.empty(n, dtype=np.float64)
    found = np.zeros(CHUNKS, dtype=np.int64)
    counts = np.zeros((CHUNKS, 4, n_muni), dtype=np.int64)
    for c in numba.prange(CHUNKS):  # blocks of residents, joined in order below
        lo, hi = chunk(c, n)
        k = lo
        for i in range(lo, hi):
            if not (alive[i] and age[i] >= np.float32(18.0) and age[i] < np.float32(67.0)):
                employed[i] = False
                lost_work[i] = False
                absence_months[i] = 0
                continue
            m = municipality[i]
            severe = max(sev0[i], sev1[i], sev2[i]) >= threshold
            if lost_work[i] and not severe and draw(return_key, i) < back:
                lost_work[i] = False
            works = (not benefit[i]) and (not lost_work[i]) and draw(propensity_key, i) < chance[income[i]]
            months = 0
            if works and severe:
                months = absence_months[i] + 1
                if months >= friction + 1.0 and draw(loss_key, i) < job_loss:
                    works = False  # the absence outlasted the friction period: the job is gone
                    lost_work[i] = True
                    months = 0
                else:
                    part = min(max(friction - (months - 1), 0.0), 1.0)
                    if part > 0.0:
                        charged[k] = i
                        share[k] = part
                        k += 1
            employed[i] = works
            absence_months[i] = months
            counts[c, 0, m] += 1
            counts[c, 1, m] += works
            counts[c, 2, m] += months > 0
            counts[c, 3, m] += lost_work[i]
        found[c] = k - lo
    k = join_chunks(charged, found)
    join_chunks(share, found)
    return charged[:k].copy(), share[:k].copy(), counts.sum(axis=0)


def step(model) -> None:
    """Employment, absence and this month's productivity loss, booked in the ledger."""
    res, cfg = model.res, model.cfg.work
    if model.month == 0:
        set_chances(model)
    sev = model.severity
    keys = np.array([model.streams.key(PROPENSITY, 0), model.streams.key(JOB_LOSS, model.month),
                     model.streams.key(RETURN, model.month)], dtype=np.uint64)
    scalars = np.array([cfg.absence_severity, friction_months(cfg), cfg.job_loss, cfg.return_to_work])
    ids, share, counts = _step(res.alive, res.age, res.income, res.benefit, res.municipality, sev[0], sev[1], sev[2],
                               res.employed, res.lost_work, res.absence_months, keys, model.work_chance, scalars,
                               model.region.n_municipalities)
    amount = share * (cfg.hours_per_month * cfg.productivity_cost_per_hour)
    model.work_counts = counts.astype(np.float64)
    model.productivity_charges = (ids, amount)
    _book(model, ids, amount)


def _book(model, ids: np.ndarray, amount: np.ndarray) -> None:
    """The month's loss per municipality and resident group, as the employers' cost."""
    if not len(ids):
        return
    res, n_groups = model.res, len(GROUPS)
    cell = res.municipality[ids].astype(np.int64) * n_groups + group_index(res, ids)
    per_cell = np.bincount(cell, weights=amount, minlength=model.region.n_municipalities * n_groups)
    nz = np.flatnonzero(per_cell)
    municipality, group = np.divmod(nz, n_groups)
    model.ledger.add(model.month, F["employers"], NO_PAYEE, municipality, -1, -1, group, KIND, per_cell[nz])
