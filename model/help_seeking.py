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

from model import eerste_lijn, nulde_lijn
from model.care import ADULT_AGE, needs_without_care
from model.health import root_domain
from model.random_streams import draw
from model.residents import AGE_BAND_EDGES, NONE
from model.services import PHYSICAL, S, SOCIAL


def step(model) -> None:
    res, hs = model.res, model.cfg.help_seeking
    pol = model.policy
    for d in range(3):
        ids = needs_without_care(model, d, episode_state=NONE)
        if len(ids) == 0:
            continue
        s = model.severity[d, ids]
        muni = res.municipality[ids]
        child = res.age[ids] < ADULT_AGE
        reach = pol.coverage[muni] * (0.5 + 0.5 * pol.light_help[muni])
        p = (hs.seek_base[d] + hs.seek_severity[d] * s) * (1.0 - hs.informal_absorption * res.network[ids] * (1 - s))
        if d != PHYSICAL:
            p = p + hs.latent_demand * reach * np.where(child | (d == 2), 1.0, 0.3)
        p = np.clip(p, 0.0, 1.0)
        u = model.streams.uniform(f"help_seeking.{d}", model.month, ids)
        seek = u < p
        ids, u, p, child, muni = ids[seek], u[seek], p[seek], child[seek], muni[seek]
        res.root[d, ids] = root_domain(model, d, ids)

        # channel: reuse the draw (u/p is uniform given u < p)
        w_gp = np.full(len(ids), hs.gp_norm[d])
        w_nulde = hs.nulde_norm[d] * pol.social_basis_access[muni] * np.where(child, 0.3, 1.0)
        w_wijk = np.where(child & (d != PHYSICAL), hs.youth_wijkteam_norm, hs.wijkteam_norm[d]) * pol.coverage[muni]
        total = w_gp + w_nulde + w_wijk
        x = (u / p) * total
        to_gp = x < w_gp
        to_nulde = ~to_gp & (x < w_gp + w_nulde)
        to_wijk = ~to_gp & ~to_nulde
        eerste_lijn.gp_consult(model, ids[to_gp], d)
        nulde_lijn.intake(model, ids[to_nulde], d)
        eerste_lijn.wijkteam_intake(model, ids[to_wijk], d)

    minor_gp_contacts(model)


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
                                    res.gp_contact_this_year, rate_by_age,
                                    np.float32(model.cfg.health.coupling_threshold), np.float32(hs.minor_social_pull),
                                    model.streams.key("help_seeking.minor_gp", model.month), n_muni)
    model.outcomes.count_cells("gp_consults", cells, domain=PHYSICAL)
    model.outcomes.count_cells("gp_consults_social_cause", social, domain=PHYSICAL)
    gp = model.provider_index[S["gp"]]
    model.record_contact_totals(np.repeat(gp, 6), PHYSICAL, np.tile(np.arange(6), n_muni), cells.ravel())


@numba.njit(cache=True)
def _minor_contacts(alive, age, social_health, municipality, income, benefit, gp_contact, rate_by_age,
                    social_threshold, social_pull, key, n_muni):
    cells = np.zeros((n_muni, 6))
    social = np.zeros((n_muni, 6))
    top = len(rate_by_age) - 1
    for i in range(len(age)):
        if not alive[i]:
            continue
        shortfall = max(social_threshold - social_health[i], np.float32(0.0))
        if draw(key, i) < rate_by_age[min(int(age[i]), top)] * (np.float32(1.0) + social_pull * shortfall):
            gp_contact[i] = True
            cell = income[i] * 2 + (1 if benefit[i] else 0)
            cells[municipality[i], cell] += 1.0
            if shortfall > 0:
                social[municipality[i], cell] += 1.0
    return cells, social
