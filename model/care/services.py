"""The catalogue of care services: which line each belongs to and who pays under today's rules.

A service is a type of provider (GP practices, a wijkteam, specialist GGZ...). Every
municipality has one provider agent per service, standing for all practices or institutions
serving its residents (for the hospital and specialist GGZ: the part of their capacity that
serves this municipality), so that cost and waiting can be compared between municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PHYSICAL, MENTAL, SOCIAL = 0, 1, 2
DOMAINS = ("physical", "mental", "social")
REPORT_DOMAINS = ("physical", "mental", "social", "youth")  # youth: mental/social needs of children
YOUTH = 3

NULDE, EERSTE, TWEEDE = 0, 1, 2
LINES = ("nulde", "eerste", "tweede")


@dataclass(frozen=True)
class Service:
    name: str
    line: int
    payer: str          # "municipality" or "insurer" (the financier under today's rules)
    treats_root: bool   # works on the social root of a problem (family, network, debt), not only the
                        # presenting domain: social work, wijkteam, Wmo, residential youth care (a new home)
    main_domain: int    # domain reported for lump-sum payments


SERVICES = (
    Service("social_basis", NULDE, "municipality", True, SOCIAL),
    Service("schuldhulp", NULDE, "municipality", True, SOCIAL),
    Service("voorzorg", NULDE, "municipality", True, MENTAL),
    Service("gp", EERSTE, "insurer", False, PHYSICAL),
    Service("poh_ggz", EERSTE, "insurer", False, MENTAL),
    Service("poh_jeugd", EERSTE, "municipality", False, MENTAL),
    Service("wijkteam", EERSTE, "municipality", True, SOCIAL),
    Service("hospital", TWEEDE, "insurer", False, PHYSICAL),
    Service("specialist_ggz", TWEEDE, "insurer", False, MENTAL),
    Service("youth_ambulant", TWEEDE, "municipality", False, MENTAL),  # treats the child, not the family context
    Service("youth_residential", TWEEDE, "municipality", True, MENTAL),
    Service("wmo_maatwerk", TWEEDE, "municipality", True, SOCIAL),  # begeleiding, sheltered living
    # care that residents use for as long as their physical health calls for it, next to any
    # episode (`model.care.long_term_support`, `model.care.hospital_care`)
    Service("wijkverpleging", EERSTE, "insurer", False, PHYSICAL),
    Service("hospital_outpatient", TWEEDE, "insurer", False, PHYSICAL),
    Service("hospital_planned", TWEEDE, "insurer", False, PHYSICAL),
    Service("wmo_household", TWEEDE, "municipality", False, PHYSICAL),
    Service("wmo_aids", TWEEDE, "municipality", False, PHYSICAL),
    Service("gp_chronic_care", EERSTE, "insurer", False, PHYSICAL),  # ketenzorg for chronic conditions
)
SERVICE_NAMES = tuple(s.name for s in SERVICES)
S = {s.name: i for i, s in enumerate(SERVICES)}  # service name -> id

SERVICE_LINE = np.array([s.line for s in SERVICES], dtype=np.int8)
SERVICE_TREATS_ROOT = np.array([s.treats_root for s in SERVICES])
HOSPITAL_SERVICES = ("hospital", "hospital_outpatient", "hospital_planned")  # medisch-specialistische zorg
WMO_SERVICES = ("wmo_maatwerk", "wmo_household", "wmo_aids")
SUPPORT_SERVICES = ("wijkverpleging", "wmo_household", "wmo_aids", "gp_chronic_care")  # long-term care at home
# planned hospital care and long-term support have no episodes or waiting lists: their capacity
# is set in the config (and by levers), not by demand
DIRECT_SERVICES = frozenset(S[name] for name in ("hospital_outpatient", "hospital_planned") + SUPPORT_SERVICES)
YOUTH_SERVICES = np.array([S["poh_jeugd"], S["youth_ambulant"], S["youth_residential"]])
