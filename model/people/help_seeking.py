"""Help-seeking: residents with a need and no episode in that domain decide whether to seek
formal help and where: the nulde lijn, the wijkteam or the GP.

The chance grows with severity and falls with a strong network (informal help absorbs mild
needs). An accessible wijkteam uncovers latent demand: mild social and youth needs come
forward. The channel follows local norms: the GP is the accepted place for physical and
mental complaints (medicalisation), social work and the wijkteam for social ones.
Minor complaints below the need threshold also bring residents to the GP.
"""

from __future__ import annotations

import numba
import numpy as np

from model.care import eerste_lijn, nulde_lijn
from model.engine import threads
from model.care.episodes import ADULT_AGE
from model.people.health import root_domain
from model.engine.random_streams import draw
from model.people.residents import AGE_BAND_EDGES, NONE
from model.care.services import PHYSICAL, S, SOCIAL
from model.engine.threads import CHUNKS, chunk, join_chunks


TO_GP, TO_NULDE, TO_WIJKTEAM = 0, 1, 2  # the channels, in the order `_by_channel` lists them


def step(model) -> None:
    res, hs = model.res, model.cfg.help_seeking
    pol = model.policy
    # a wijkteam that helps itself draws more people than one that only refers on
    pull = hs.latent_demand_light_help_pull
    reach = pol.coverage * ((1.0 - pull) + pull * pol.light_help)
    f32, f64 = np.float32, np.float64
    # who seeks help in each domain and through which channel, in two compiled passes: routing in one
    # domain changes nothing that decides whether or where a resident seeks help in another
    ids, u, p, bounds = _seekers(
        model.severity, res.state, res.network, res.age, res.municipality, reach, np.asarray(hs.seek_base, dtype=f32),
        np.asarray(hs.seek_severity, dtype=f32), f32(hs.informal_absorption), hs.latent_demand,
        np.array([model.streams.key(f"help_seeking.{d}", model.month) for d in range(3)], dtype=np.uint64))
    seekers, starts = _by_channel(ids, u, p, bounds, res.age, res.municipality, np.asarray(hs.gp_norm, dtype=f64),
                                  np.asarray(hs.nulde_norm, dtype=f64), np.asarray(hs.wijkteam_norm, dtype=f64),
                                  f64(hs.youth_wijkteam_norm), np.asarray(pol.social_basis_access, dtype=f64),
                                  np.asarray(pol.coverage, dtype=f64))
    for d in range(3):
        first, gp_end, nulde_end, last = starts[3 * d:3 * d + 4]
        if first == last:
            continue
        res.root[d, seekers[first:last]] = root_domain(model, d, seekers[first:last])
        # the nulde lijn and the wijkteam first, so that the GP sees everyone who comes to the
        # practice this month in this domain at once (each resident's path is the same in any
        # order: routing one resident changes nothing another's depends on)
        gp_visits = [seekers[first:gp_end]]
        nulde_lijn.intake(model, seekers[gp_end:nulde_end], d, gp_visits=gp_visits)
        eerste_lijn.wijkteam_intake(model, seekers[nulde_end:last], d, gp_visits=gp_visits)
        eerste_lijn.gp_consult(model, np.sort(np.concatenate(gp_visits)) if len(gp_visits) > 1 else gp_visits[0], d)

    minor_gp_contacts(model)


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _seekers(severity, state, network, age, municipality, reach, seek_base, seek_severity, informal_absorption,
             latent_demand, keys):
    """Residents with a need and no episode in a domain who seek help there this month: their
    ids, draws and chances, domain by domain in id order, and where each domain's part starts
    (bounds). The chance is computed in the precision numpy would use: float32 for the
    severity and network terms, float64 once latent demand is added."""
    n = severity.shape[1]
    out_ids = np.empty((3, n), dtype=np.int64)  # each block writes at its own start; joined below
    out_u = np.empty((3, n), dtype=np.float32)
    out_p = np.empty((3, n), dtype=np.float64)
    found = np.zeros((3, CHUNKS), dtype=np.int64)
    one = np.float32(1.0)
    for c in numba.prange(CHUNKS):  # blocks of residents
        lo, hi = chunk(c, n)
        k = np.full(3, lo)
        for i in range(lo, hi):
            for d in range(3):
                s = severity[d, i]
                if not (s > 0 and state[d, i] == NONE):
                    continue
                p32 = (seek_base[d] + seek_severity[d] * s) * (one - informal_absorption * network[i] * (one - s))
                if d != PHYSICAL:
                    factor = 1.0 if (age[i] < ADULT_AGE or d == 2) else 0.3
                    p = min(max(np.float64(p32) + latent_demand * reach[municipality[i]] * factor, 0.0), 1.0)
                    u = draw(keys[d], i)
                    seek = np.float64(u) < p
                else:
                    p32 = min(max(p32, np.float32(0.0)), one)
                    u = draw(keys[d], i)
                    seek = u < p32
                    p = np.float64(p32)
                if seek:
                    out_ids[d, k[d]] = i
                    out_u[d, k[d]] = u
                    out_p[d, k[d]] = p
                    k[d] += 1
        for d in range(3):
            found[d, c] = k[d] - lo
    bounds = np.zeros(4, dtype=np.int64)
    for d in range(3):
        bounds[d + 1] = bounds[d] + join_chunks(out_ids[d], found[d])
        join_chunks(out_u[d], found[d])
        join_chunks(out_p[d], found[d])
    ids = np.empty(bounds[3], dtype=np.int64)
    u = np.empty(bounds[3], dtype=np.float32)
    p = np.empty(bounds[3], dtype=np.float64)
    for d in range(3):
        size = bounds[d + 1] - bounds[d]
        ids[bounds[d]:bounds[d + 1]] = out_ids[d, :size]
        u[bounds[d]:bounds[d + 1]] = out_u[d, :size]
        p[bounds[d]:bounds[d + 1]] = out_p[d, :size]
    return ids, u, p, bounds


@numba.njit(cache=True)
def _by_channel(ids, u, p, bounds, age, municipality, gp_norm, nulde_norm, wijkteam_norm, youth_wijkteam_norm,
                social_basis_access, coverage):
    """The seekers of `_seekers` by domain and, within it, by channel (GP, nulde lijn, wijkteam),
    each part in id order, and where each part starts (starts[3 * domain + channel], the end
    last). The channel reuses the draw (u/p is uniform given u < p), weighted by the local
    norms, in the precision numpy would use (the chance of a physical need is float32)."""
    out = np.empty(len(ids), dtype=np.int64)
    channel = np.empty(len(ids), dtype=np.int8)
    starts = np.zeros(10, dtype=np.int64)
    k = 0
    for d in range(3):
        for j in range(bounds[d], bounds[d + 1]):
            i = ids[j]
            position = np.float64(u[j] / np.float32(p[j])) if d == PHYSICAL else np.float64(u[j]) / p[j]
            child = age[i] < ADULT_AGE
            w_gp = gp_norm[d]
            w_nulde = nulde_norm[d] * social_basis_access[municipality[i]] * (0.3 if child else 1.0)
            w_wijk = (youth_wijkteam_norm if (child and d != PHYSICAL) else wijkteam_norm[d]) * \
                coverage[municipality[i]]
            x = position * (w_gp + w_nulde + w_wijk)
            channel[j] = TO_GP if x < w_gp else (TO_NULDE if x < w_gp + w_nulde else TO_WIJKTEAM)
        for c in range(3):  # each channel's part in id order
            starts[3 * d + c] = k
            for j in range(bounds[d], bounds[d + 1]):
                if channel[j] == c:
                    out[k] = ids[j]
                    k += 1
    starts[9] = k
    return out, starts


def minor_gp_contacts(model) -> None:
    """GP contacts for complaints below the need threshold (colds, checks, chronic care, and
    bodily complaints of stressed or lonely residents, which count as having a social cause),
    counted per municipality and resident group."""
    res = model.res
    n_muni = model.region.n_municipalities
    hs = model.cfg.help_seeking
    rate = np.asarray(hs.gp_minor_consults, dtype=np.float32) * np.float32(hs.gp_minor_scale)
    rate_by_age = rate[np.searchsorted(np.array(AGE_BAND_EDGES[1:-1]), np.arange(121), side="right")]
    cells, social = _minor_contacts(res.alive, res.age, res.health[SOCIAL], res.municipality, res.income, res.benefit,
                                    res.gp_contact_this_year, res.gp_contacts_year, res.care_propensity, rate_by_age,
                                    np.asarray(hs.gp_minor_income, dtype=np.float32),
                                    np.float32(model.cfg.health.coupling_threshold), np.float32(hs.minor_social_pull),
                                    model.streams.key("help_seeking.minor_gp", model.month), n_muni)
    model.outcomes.count_cells("gp_consults", cells, domain=PHYSICAL)
    model.outcomes.count_cells("gp_consults_social_cause", social, domain=PHYSICAL)
    gp = model.provider_index[S["gp"]]
    model.record_contact_totals(np.repeat(gp, 6), PHYSICAL, np.tile(np.arange(6), n_muni), cells.ravel())


@threads.kernel  # serial unless threads are asked for (model.engine.threads)
def _minor_contacts(alive, age, social_health, municipality, income, benefit, gp_contact, gp_contacts_year,
                    propensity, rate_by_age, income_rate, social_threshold, social_pull, key, n_muni):
    # integer counts and `&` instead of branches: whether a resident consults is a coin flip
    # the processor cannot predict. A frequent attender's expected contacts can exceed one a
    # month: the whole part always, the fraction with that chance (one draw, mean unchanged).
    cells = np.zeros((CHUNKS, n_muni, 6), dtype=np.int64)
    social = np.zeros((CHUNKS, n_muni, 6), dtype=np.int64)
    top = len(rate_by_age) - 1
    for c in numba.prange(CHUNKS):  # blocks of residents, each counting in its own table
        lo, hi = chunk(c, len(age))
        for i in range(lo, hi):
            if not alive[i]:
                continue
            shortfall = max(social_threshold - social_health[i], np.float32(0.0))
            expected = rate_by_age[min(int(age[i]), top)] * income_rate[income[i]] * propensity[i] * \
                (np.float32(1.0) + social_pull * shortfall)
            whole = np.int64(expected)
            consults = whole + (draw(key, i) < expected - np.float32(whole))
            gp_contact[i] |= consults > 0
            gp_contacts_year[i] += consults
            cell = income[i] * 2 + benefit[i]
            cells[c, municipality[i], cell] += consults
            social[c, municipality[i], cell] += consults * (shortfall > 0)
    return cells.sum(axis=0).astype(np.float64), social.sum(axis=0).astype(np.float64)
