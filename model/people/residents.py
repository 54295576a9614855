"""Residents as a struct of arrays: one numpy array per attribute, one row per resident.

A resident's id is its row. Rows of residents who died stay (alive=False) so ids are stable;
births append rows. Every process updates all residents at once; `Residents.view(i)` gives a
readable object for one resident, for teaching and debugging.

Episodes are kept per domain (physical, mental, social): arrays of shape (3, capacity), so a
resident has at most one episode per domain by construction.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincinv

from model.parameters import PopulationConfig
from model.people.region import Region
from model.care.services import DOMAINS, SERVICE_NAMES

NO_SERVICE = -1
NONE, WAITING, IN_CARE = 0, 1, 2
LOW, MID, HIGH = 0, 1, 2
INCOME_GROUPS = ("low", "mid", "high")
AGE_BAND_EDGES = (0, 20, 40, 65, 80, 101)

# per-resident attributes and their dtypes
PERSON_FIELDS = {
    "alive": np.bool_, "age": np.float32, "municipality": np.int16, "wijk": np.int32,
    "income": np.int8, "benefit": np.bool_, "debt": np.bool_, "debt_months": np.int16,
    "network": np.float32, "eigen_risico_paid": np.float32, "gp_contact_this_year": np.bool_,
    "in_voorzorg": np.bool_, "care_this_year": np.uint16,
    "care_propensity": np.float32, "gp_contacts_year": np.uint16,
    "support": np.uint8, "uses_this_year": np.uint8, "participating": np.bool_,
    "employed": np.bool_, "lost_work": np.bool_, "absence_months": np.int16,
}
# employed: in paid work (ages 18-66); lost_work: left paid work after a long severe need, may go
# back once it has passed; absence_months: months of the current absence from work (`model.people.productivity`)
# bits of care_this_year: kinds of care a resident had this calendar year (reset each January)
JEUGDHULP, YOUTH_RESIDENTIAL, CURATIVE_GGZ, WMO, YOUTH_AMBULANT, WIJKTEAM_CHILD = 1, 2, 4, 8, 16, 32
WIJKTEAM_OWN_HELP_CHILD = 64  # a child started wijkteam help that is not follow-up after specialist care
GP_MENTAL_ADULT, GP_SOCIAL_ADULT = 128, 256  # an adult consulted the GP for a mental or a social need
WIJKTEAM_JEUGDHULP = 512  # a child's wijkteam help counted as jeugdhulp (`care.count_registered_jeugdhulp`)
# bits of uses_this_year: hospital and long-term support used this calendar year (reset each January)
HOSPITAL_CONTACT, ADMITTED, WIJKVERPLEGING_USE, HOUSEHOLD_HELP_USE, AIDS_USE, CHRONIC_CARE_USE = 1, 2, 4, 8, 16, 32
# bits of support: the long-term support a resident receives now (`model.care.long_term_support`)
SUPPORT_BITS = {"wijkverpleging": 1, "wmo_household": 2, "wmo_aids": 4, "gp_chronic_care": 8}
# per-resident, per-domain attributes (shape (3, capacity))
DOMAIN_FIELDS = {
    "health": np.float32, "service": np.int8, "state": np.int8, "months": np.int16,
    "length": np.int16, "root": np.int8, "since_discharge": np.int16,
}


class Residents:
    """All residents of the region, one array per attribute."""

    def __init__(self, capacity: int):
        self.n = 0
        self._alloc(capacity)

    def _alloc(self, capacity: int) -> None:
        old_n = self.n
        for name, dtype in PERSON_FIELDS.items():
            new = np.zeros(capacity, dtype=dtype)
            if old_n:
                new[:old_n] = getattr(self, "_" + name)[:old_n]
            setattr(self, "_" + name, new)
        for name, dtype in DOMAIN_FIELDS.items():
            new = np.zeros((3, capacity), dtype=dtype)
            if old_n:
                new[:, :old_n] = getattr(self, "_" + name)[:, :old_n]
            setattr(self, "_" + name, new)
        self.capacity = capacity
        self._bind()

    def _bind(self) -> None:
        """Expose views of the used rows under the plain attribute names."""
        for name in PERSON_FIELDS:
            setattr(self, name, getattr(self, "_" + name)[: self.n])
        for name in DOMAIN_FIELDS:
            setattr(self, name, getattr(self, "_" + name)[:, : self.n])

    def add(self, count: int) -> slice:
        """Append `count` empty rows (births); returns their slice."""
        if self.n + count > self.capacity:
            self._alloc(max(self.n + count, int(self.capacity * 1.25) + 16))
        start = self.n
        self.n += count
        self._bind()
        self.service[:, start:] = NO_SERVICE
        self.since_discharge[:, start:] = 9999
        self.alive[start:] = True
        return slice(start, self.n)

    # ------------------------------------------------------------------ derived attributes
    @property
    def alive_count(self) -> int:
        return int(self.alive.sum())

    def view(self, resident_id: int) -> "ResidentView":
        return ResidentView(self, resident_id)


class ResidentView:
    """One resident as an object: attribute reads go to that resident's row."""

    def __init__(self, residents: Residents, resident_id: int):
        if not 0 <= resident_id < residents.n:
            raise IndexError(f"resident id {resident_id} does not exist (0..{residents.n - 1})")
        self._r = residents
        self.id = resident_id

    def __getattr__(self, name):
        r = self.__dict__["_r"]
        if name in PERSON_FIELDS:
            return getattr(r, name)[self.id].item()
        if name in DOMAIN_FIELDS:
            return dict(zip(DOMAINS, getattr(r, name)[:, self.id].tolist()))
        raise AttributeError(name)

    def episodes(self) -> dict:
        """Current episode per domain: service, waiting or in care, months."""
        out = {}
        for d, domain in enumerate(DOMAINS):
            s = int(self._r.service[d, self.id])
            if s != NO_SERVICE:
                state = "waiting" if self._r.state[d, self.id] == WAITING else "in care"
                out[domain] = (SERVICE_NAMES[s], state, int(self._r.months[d, self.id]))
        return out

    def __repr__(self) -> str:
        h = ", ".join(f"{d}={v:.2f}" for d, v in self.health.items())
        return (f"Resident {self.id}: age {self.age:.0f}, municipality {self.municipality}, "
                f"income {INCOME_GROUPS[self.income]}, debt={self.debt}, network={self.network:.2f}, "
                f"health({h}), episodes={self.episodes()}")


def create_population(cfg: PopulationConfig, region: Region, rng: np.random.Generator) -> Residents:
    """Draw the starting population: age, place, income, benefit, debt, network.

    Health starts at a neutral level and settles during the model's warm-up months.
    """
    n = cfg.size
    res = Residents(int(n * 1.15) + 16)
    res.add(n)
    # age: band by CBS shares, uniform within the band
    band = rng.choice(5, size=n, p=np.asarray(cfg.age_shares) / np.sum(cfg.age_shares))
    lo = np.array(AGE_BAND_EDGES[:-1])[band]
    hi = np.array(AGE_BAND_EDGES[1:])[band]
    res.age[:] = lo + rng.random(n) * (hi - lo)
    # place: municipality by population share, wijk uniformly within it
    shares = np.array([m.population_share for m in region.municipalities])
    res.municipality[:] = rng.choice(len(shares), size=n, p=shares / shares.sum())
    k = len(region.wijk_municipality) // region.n_municipalities
    res.wijk[:] = res.municipality.astype(np.int32) * k + rng.integers(0, k, size=n)
    dep = region.wijk_deprivation[res.wijk]
    res.income[:] = draw_income(cfg, dep, rng.random(n))
    working_age = (res.age >= 18) & (res.age < 67)
    p_benefit = np.where(res.income == LOW, cfg.benefit_share_low_income,
                         np.where(res.income == MID, 0.1 * cfg.benefit_share_low_income, 0.0))
    res.benefit[:] = working_age & (rng.random(n) < p_benefit)
    # debt: concentrated in low income; the mean over adults matches debt_share
    weight = np.array([2.2, 0.7, 0.15])[res.income]
    p_debt = cfg.debt_share * weight / max(weight.mean(), 1e-9)  # household debt, all ages
    res.debt[:] = rng.random(n) < p_debt
    res.debt_months[:] = np.where(res.debt, rng.integers(0, 36, size=n), 0)
    res.network[:] = np.clip(0.65 - 0.25 * dep + 0.15 * rng.standard_normal(n), 0, 1)
    res.health[:] = 0.7
    return res


def care_propensity(u: np.ndarray, concentration: float) -> np.ndarray:
    """How readily a resident uses care for minor complaints and chronic conditions (GP contacts,
    planned hospital care), relative to others of the same age and health: gamma distributed with
    mean 1 and shape `concentration` (smaller: care use concentrated in fewer frequent users),
    from one uniform draw per resident."""
    return (gammaincinv(concentration, np.asarray(u, dtype=np.float64)) / concentration).astype(np.float32)


def draw_income(cfg: PopulationConfig, deprivation: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Income group from one uniform draw: deprived wijken have more low and fewer high incomes."""
    p_low = np.clip(cfg.low_income_share * (0.4 + 1.2 * deprivation), 0, 1)
    p_high = np.clip(cfg.high_income_share * (1.6 - 1.2 * deprivation), 0, 1 - p_low)
    return np.where(u < p_low, LOW, np.where(u < p_low + p_high, HIGH, MID)).astype(np.int8)


def group_index(res: Residents, ids, dtype=np.int16) -> np.ndarray:
    """Resident group for breakdowns: income group x benefit status (6 groups, see GROUPS)."""
    return res.income[ids].astype(dtype) * 2 + res.benefit[ids]


GROUPS = ("low", "low_benefit", "mid", "mid_benefit", "high", "high_benefit")
