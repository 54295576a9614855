"""The parameter schema: every parameter of carelines, with unit, default, range and source.

Each field is declared with `param(...)`, which stores its unit, allowed range, source and a
one-line meaning in the dataclass field metadata. Hydra uses these dataclasses as structured
configs (types are checked), `model.config.validate` checks the ranges, and
`analysis.parameter_dictionary` turns the same metadata into docs/parameters.md.

Sources: a published figure (see data/targets.yaml for the full citation), or "assumption"
with the reason. Many behavioural values are assumptions until the calibration issue fits them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, Dict, List

ASSUMPTION = "assumption"


def param(default: Any, unit: str, low: float | None, high: float | None, source: str, doc: str):
    """A model parameter: default, unit, allowed closed range [low, high], source, meaning."""
    meta = {"unit": unit, "range": (low, high), "source": source, "doc": doc}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def choice(default: str, options: Sequence[str], source: str, doc: str):
    """A parameter that takes one of a set of names (a fixed tuple, or a live one such as
    `FINANCING_RULES`)."""
    meta = {"unit": "name", "choices": options, "source": source, "doc": doc}
    return field(default=default, metadata=meta)


def section(cls):
    """A nested group of parameters."""
    return field(default_factory=cls, metadata={"section": True})


class RuleNames(Sequence):
    """The names of the financing rules, read from the registry of contract classes
    (`model.money.contracts.RULES`) each time they are used, so that a rule added there is a valid
    value of `financing.<service>.rule` and of the financing switch without a change here.
    With `blank`, "" (no rule) comes first."""

    def __init__(self, blank: bool = False):
        self.blank = blank

    def _names(self) -> tuple[str, ...]:
        from model.money.contracts import RULES  # the registry; imported late, it imports the model
        return (("",) if self.blank else ()) + tuple(RULES)

    def __getitem__(self, index):
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return repr(self._names())


FINANCING_RULES = RuleNames()


# --------------------------------------------------------------------------- population
@dataclass
class PopulationConfig:
    size: int = param(100_000, "residents", 100, 20_000_000, ASSUMPTION,
                      "Residents at the start; results scale to the Netherlands by population share.")
    age_shares: List[float] = param([0.2194, 0.2494, 0.3394, 0.1455, 0.0463], "share", 0, 1,
                             "CBS StatLine 37296ned (2019): 0-19, 20-39, 40-64, 65-79, 80+",
                             "Share of residents per age band 0-19, 20-39, 40-64, 65-79, 80+.")
    low_income_share: float = param(0.30, "share of residents", 0.0, 1.0,
                                    "assumption: bottom tertile-like group, shifted by deprivation",
                                    "Share in the low income group in an average wijk.")
    high_income_share: float = param(0.30, "share of residents", 0.0, 1.0,
                                     "assumption: top tertile-like group, shifted by deprivation",
                                     "Share in the high income group in an average wijk.")
    benefit_share_low_income: float = param(0.30, "share of low-income adults 18-66", 0.0, 1.0,
                                            "assumption: about 9% of working-age adults on a benefit",
                                            "Share of low-income working-age adults with a benefit (uitkering).")
    debt_share: float = param(0.08, "share of adults", 0.0, 0.5,
                              "CBS registered problematic debt, about 8% of households (2021-2022)",
                              "Share of adults with problematic debt at the start.")


# --------------------------------------------------------------------------- region
@dataclass
class MunicipalityConfig:
    name: str = "Gemeente"
    population_share: float = param(1.0, "share of region", 0.0, 1.0, ASSUMPTION,
                                    "Share of the region's residents living here.")
    deprivation: float = param(0.5, "index 0 (affluent) to 1 (deprived)", 0.0, 1.0, ASSUMPTION,
                               "Mean deprivation of the municipality's wijken.")
    wijkteam_light_help: float = param(0.5, "share of wijkteam intakes helped by the wijkteam itself",
                                       0.0, 1.0,
                                       "CPB (2020): in 64% of municipalities wijkteams give light help themselves",
                                       "How much light help the wijkteam gives itself instead of referring.")
    wijkteam_coverage: float = param(0.7, "share of wijken with an accessible wijkteam", 0.0, 1.0,
                                     ASSUMPTION, "Reach of the wijkteam: proximity uncovers latent demand.")
    social_basis_capacity: float = param(1.0, "multiplier on the default nulde-lijn capacity", 0.0, 5.0,
                                         ASSUMPTION, "Local strength of the social basis.")


@dataclass
class RegionConfig:
    name: str = "Voorbeeldregio"
    municipalities: List[MunicipalityConfig] = field(default_factory=list,
                                                      metadata={"doc": "Municipalities of the region."})
    generated_count: int = param(0, "municipalities", 0, 400, ASSUMPTION,
                                 "If > 0, generate this many municipalities instead of the list above.")
    generated_seed: int = param(7, "seed", 0, 2**31 - 1, ASSUMPTION,
                                "Seed for generating municipalities (independent of the run seed).")
    generated_light_help_spread: List[float] = param([0.0, 1.0], "share", 0.0, 1.0,
                                              "CPB (2020): municipalities differ from no to much light help",
                                              "Range of wijkteam light help over generated municipalities "
                                              "whose wijkteams help themselves.")
    generated_without_light_help: float = param(0.36, "share of generated municipalities", 0.0, 1.0,
                                                "CPB (2020): in 64% of municipalities the wijkteams give "
                                                "light help themselves",
                                                "Generated municipalities whose wijkteams only refer on "
                                                "(light help 0).")
    wijken_per_municipality: int = param(4, "wijken", 1, 50, ASSUMPTION,
                                         "Neighbourhoods per municipality, spread around its deprivation.")
    wijkteam_start_year: int = param(1900, "calendar year", 1900, 2100,
                                     "CPB (2020): most wijkteams started with the 2015 decentralisation",
                                     "Before this year no municipality has a wijkteam giving light help.")
    pre_wijkteam_coverage: float = param(0.3, "share", 0.0, 1.0,
                                         "assumption: before 2015 an access point (Bureau Jeugdzorg, "
                                         "MEE) referred on but gave no light help",
                                         "Reach of the access point before wijkteams started.")
    wijkteam_staff_per_light_help: float = param(1.0, "relative wijkteam capacity per unit of light help",
                                                 0.0, 5.0,
                                                 "assumption: municipalities that let wijkteams help staff them "
                                                 "for it; capacity is 1 at light help 0.5",
                                                 "Wijkteam capacity follows how much light help it gives.")
    netherlands_population: int = param(17_811_291, "residents", 1, 30_000_000,
                                        "CBS StatLine 85496NED (1 January 2023)",
                                        "Population used to scale results to the Netherlands.")


# --------------------------------------------------------------------------- demography
@dataclass
class DemographyConfig:
    birth_rate: float = param(0.0095, "births per resident per year", 0.0, 0.05,
                              "CBS: about 168,000 births on 17.8 million residents (2023)",
                              "Crude birth rate.")
    mortality_base: float = param(1.2e-5, "deaths per resident per year at age 0 and good health",
                                  0.0, 0.01, "assumption: Gompertz intercept; CBS about 9 deaths per 1,000 a year",
                                  "Baseline mortality.")
    mortality_doubling_years: float = param(7.0, "years", 4.0, 15.0,
                                            "assumption: Gompertz law, adult mortality doubles about every 7 years",
                                            "Age over which mortality doubles.")
    mortality_frailty: float = param(3.0, "multiplier at physical health 0 (1 at health 0.8 and above)",
                                     1.0, 20.0, ASSUMPTION,
                                     "Extra mortality for poor physical health.")


# --------------------------------------------------------------------------- determinants
@dataclass
class DeterminantsConfig:
    debt_onset: float = param(0.012, "per adult per year", 0.0, 0.2,
                              "assumption: keeps the debt share near 8% with the resolution rate below",
                              "Yearly chance of entering problematic debt (middle income).")
    debt_onset_low_income: float = param(3.0, "multiplier", 1.0, 10.0, ASSUMPTION,
                                         "Debt onset is more likely with low income.")
    debt_onset_benefit: float = param(2.0, "multiplier", 1.0, 10.0, ASSUMPTION,
                                      "Debt onset is more likely on a benefit.")
    debt_resolution: float = param(0.12, "per debtor per year without help", 0.0, 1.0,
                                   "assumption: problematic debts last years without help",
                                   "Yearly chance that debt resolves by itself.")
    schuldhulp_resolution: float = param(0.5, "per debtor per year while in schuldhulp", 0.0, 3.0,
                                         "assumption: schuldhulp trajectories take 1 to 3 years",
                                         "Yearly chance that debt resolves while in debt counselling.")
    benefit_onset: float = param(0.01, "per low-income working-age adult per year", 0.0, 0.2,
                                 ASSUMPTION, "Yearly chance of entering a benefit (job loss).")
    benefit_exit: float = param(0.08, "per benefit recipient per year", 0.0, 1.0, ASSUMPTION,
                                "Yearly chance of leaving a benefit.")
    network_drift: float = param(0.05, "per month", 0.0, 1.0, ASSUMPTION,
                                 "Speed at which network strength returns to its wijk level.")
    network_social_health: float = param(0.4, "weight", 0.0, 1.0, ASSUMPTION,
                                         "How much network strength follows social health.")
    places_per_community_fte: float = param(40.0, "places per FTE of community work", 0.0, 1000.0,
                                            "assumption: an FTE runs about eight weekly activities of five "
                                            "regular participants",
                                            "Residents who can take part in the activities one FTE of community "
                                            "work runs (model.people.community).")
    participation_take_up: float = param(0.02, "chance per month at network strength 0", 0.0, 1.0, ASSUMPTION,
                                         "Residents with a weak network come to community activities.")
    participation_end: float = param(0.1, "chance per month", 0.0, 1.0,
                                     "assumption: participants stay about ten months on average",
                                     "Participants stop taking part.")
    participation_ties: float = param(0.15, "network strength", 0.0, 1.0,
                                      "assumption: taking part forms ties; the same size as the earlier wijk-level "
                                      "effect of community building, now for participants only",
                                      "Network strength a participant builds towards while taking part.")


# --------------------------------------------------------------------------- health
@dataclass
class HealthConfig:
    drift: float = param(0.06, "share of gap to target closed per month", 0.0, 1.0, ASSUMPTION,
                         "Speed at which health moves to its determinant-based target.")
    target_base: List[float] = param([0.85, 0.80, 0.80], "health (physical, mental, social)", 0.0, 1.0,
                              ASSUMPTION, "Target health of a young adult with good determinants.")
    physical_age_decline: float = param(0.006, "target health per year of age over 40", 0.0, 0.05,
                                        ASSUMPTION, "Physical target falls with age.")
    social_age_decline: float = param(0.003, "target health per year of age over 70", 0.0, 0.05,
                                      ASSUMPTION, "Social target falls in old age (loneliness).")
    socioeconomic_weight: float = param(0.5, "share of health variation from determinants", 0.0, 1.0,
                                        "Lalonde-type models, cited by Sociaal Werk Nederland (2021): ~50%",
                                        "Scales the effect of income, debt, benefit, network and wijk.")
    youth_socioeconomic_share: float = param(1.0, "share of the adults' determinant effects", 0.0, 1.0,
                                             "assumption: children carry the household's effects in full; 0.8 "
                                             "would match CBS's jeugdhulp gradient by income but breaks the CPB "
                                             "replay (data/targets.yaml youth_jeugdhulp_low_high_ratio)",
                                             "How much of the effect of household income, debt and benefits on "
                                             "target health reaches children.")
    low_income_effect: List[float] = param([0.10, 0.08, 0.08], "target health (physical, mental, social)",
                                    0.0, 0.5, ASSUMPTION, "Target health lost with low income.")
    debt_effect: List[float] = param([0.04, 0.22, 0.20], "target health (physical, mental, social)", 0.0, 0.6,
                              "Trimbos NEMESIS-2 (2021): debt triples new mental disorders",
                              "Target health lost with problematic debt.")
    benefit_effect: List[float] = param([0.04, 0.06, 0.10], "target health (physical, mental, social)", 0.0, 0.5,
                                 ASSUMPTION, "Target health lost on a benefit.")
    network_effect: List[float] = param([0.04, 0.12, 0.25], "target health per unit network strength",
                                 0.0, 0.6, "Maastricht University (2021): loneliness and GGZ use",
                                 "Target health gained from a strong network.")
    deprivation_effect: List[float] = param([0.06, 0.05, 0.06], "target health at deprivation 1", 0.0, 0.5,
                                     ASSUMPTION, "Target health lost in a deprived wijk.")
    coupling_threshold: float = param(0.55, "health", 0.0, 1.0, ASSUMPTION,
                                      "Below this, a domain starts eroding the domains it feeds.")
    coupling: List[List[float]] = param([[0.0, 0.005, 0.015], [0.01, 0.0, 0.02], [0.005, 0.025, 0.0]],
                           "health lost per month per unit shortfall (row: source domain)", 0.0, 0.5,
                           "docs/design.md section 3: social erodes mental, mental erodes social and physical, "
                           "physical erodes social; sizes assumed, kept small enough relative to "
                           "health.drift that the mental-social loop cannot run away",
                           "Cross-domain coupling matrix (physical, mental, social).")
    shock_rate: List[float] = param([0.010, 0.008, 0.008], "shocks per resident per month", 0.0, 0.2, ASSUMPTION,
                             "Chance of a shock (illness, crisis, bereavement, job loss).")
    shock_age_physical: float = param(0.04, "relative increase per year of age over 50", 0.0, 0.2,
                                      ASSUMPTION, "Physical shocks become more frequent with age.")
    shock_size: List[float] = param([0.19, 0.25, 0.22], "mean health lost per shock", 0.0, 1.0,
                                    "assumption; the physical size is the earlier 0.25 times the share a mean "
                                    "network absorbed (0.75), since the network no longer softens illness",
                             "Mean size of a shock (exponentially distributed).")
    youth_shock_rate: float = param(0.010, "mental or social shocks per child per month", 0.0, 0.2,
                                    ASSUMPTION, "Chance of a family or youth problem in a month.")
    demand_trend: float = param(0.026, "relative rise in adults' mental shock rate per year", -0.1, 0.2,
                                "assumption: GGZ demand rose in the 2010s (NZa); no adult target pins the size, "
                                "so it keeps the value of the common trend fitted to the CPB (2020) youth replay "
                                "before children got their own (youth_demand_trend)",
                                "Slow trend in adults' mental-health demand.")
    youth_demand_trend: float = param(0.015, "relative rise in children's shock rates per year", -0.1, 0.2,
                                      "fitted with youth_family_severity_trend to the CPB (2020) replay, "
                                      "2013-2018: +7% specialist youth care and residential growth +11% / +25% "
                                      "(README, The CPB wijkteam replay); earlier fits with one trend for "
                                      "adults and children gave 0.0275, 0.036 and 0.026",
                                      "Slow trend in how often children get a mental or family problem.")
    youth_family_severity_trend: float = param(0.011, "relative rise per year in the mean size of children's "
                                               "family (social-domain) shocks", -0.1, 0.2,
                                               "fitted with youth_demand_trend to the CPB (2020) replay: "
                                               "residential youth care grew faster (+11% / +25%) than "
                                               "specialist youth care as a whole (+7%), 2013-2018, which a "
                                               "trend in frequency alone cannot give (README, The CPB wijkteam "
                                               "replay)",
                                               "Children's family problems grow more severe over the years, "
                                               "not only more frequent; placement out of home needs a failing "
                                               "family context.")
    informal_buffer: float = param(0.5, "share of a mental or social shock absorbed at network strength 1", 0.0, 1.0,
                                   ASSUMPTION, "Informal support: a strong network absorbs mental and social "
                                   "shocks (loneliness, stress); illness is not softened by it.")
    need_threshold: List[float] = param([0.45, 0.45, 0.45], "health", 0.0, 1.0, ASSUMPTION,
                                 "Below this health a domain has a need.")
    need_persistence: float = param(0.7, "share of the drift lost while a need is untreated", 0.0, 1.0,
                                    "assumption: untreated problems sustain themselves (stress, avoidance, "
                                    "family conflict), so early help matters",
                                    "Untreated needs recover slowly by themselves.")
    untreated_progression: List[float] = param([0.002, 0.004, 0.004], "health lost per month with an untreated need",
                                        0.0, 0.1, "docs/design.md section 3: untreated needs escalate; size assumed",
                                        "Untreated needs (physical, mental, social) worsen.")
    youth_progression: float = param(0.015, "health lost per month with an untreated youth need", 0.0, 0.1,
                                     "fitted to the CPB (2020) wijkteam comparison (residential growth "
                                     "+11% with much and +25% with little wijkteam help, 2013-2018) by a "
                                     "grid over 0.008-0.025 in the full-size replay (README, Calibration)",
                                     "Untreated mental and social needs of children worsen faster.")
    care_non_response: List[float] = param([0.1, 0.33, 0.33], "share of episodes (physical, mental, social)",
                                           0.0, 0.9,
                                           "mental and social: about one third of patients do not respond to "
                                           "treatment (data/sources.yaml treatment_response); physical: "
                                           "assumption",
                                           "Share of care episodes that bring no improvement (non-responders, "
                                           "drawn per episode); responders improve by the service effect "
                                           "divided by the share that responds, so the mean effect is the "
                                           "service's.")
    dose_response: float = param(0.5, "elasticity of the care effect to contacts per month", 0.0, 2.0,
                                 "assumption: more contacts help, with diminishing returns (dose-effect "
                                 "curves of psychotherapy flatten after the first sessions)",
                                 "The effect of a month of care grows with the contacts given relative to the "
                                 "service's standard (more under per verrichting, fewer when budgets cut).")
    waiting_deterioration: float = param(0.003, "health lost per month on a waiting list", 0.0, 0.1,
                                         "docs/design.md section 3: needs worsen while waiting; size assumed",
                                         "Extra deterioration while waiting for care.")


# --------------------------------------------------------------------------- help-seeking
@dataclass
class HelpSeekingConfig:
    seek_base: List[float] = param([0.20, 0.10, 0.05], "chance per month (physical, mental, social)", 0.0, 1.0,
                            ASSUMPTION, "Chance of seeking formal help for a mild need.")
    seek_severity: List[float] = param([0.6, 0.5, 0.3], "extra chance per month at severity 1", 0.0, 1.0,
                                ASSUMPTION, "Severe needs make help-seeking more likely.")
    informal_absorption: float = param(0.5, "share of mild help-seeking replaced at network 1", 0.0, 1.0,
                                       ASSUMPTION, "A strong network handles mild needs informally.")
    gp_norm: List[float] = param([1.0, 0.6, 0.35], "weight of the GP channel (physical, mental, social)", 0.0, 10.0,
                          "docs/design.md section 3: a GP visit is socially more accepted; sizes assumed",
                          "Medicalisation norm: how readily people take a problem to the GP.")
    nulde_norm: List[float] = param([0.02, 0.15, 0.35], "weight of the nulde-lijn channel", 0.0, 10.0, ASSUMPTION,
                             "How readily people go to social work with a problem.")
    wijkteam_norm: List[float] = param([0.02, 0.10, 0.30], "weight of the wijkteam channel", 0.0, 10.0, ASSUMPTION,
                                "How readily people go to the wijkteam at full coverage.")
    youth_wijkteam_norm: float = param(0.4, "weight of the wijkteam channel for children", 0.0, 10.0,
                                       ASSUMPTION, "Parents' use of the wijkteam for a child's problem.")
    latent_demand: float = param(0.04, "extra help-seeking chance per month at full wijkteam reach",
                                 0.0, 1.0, "docs/design.md section 3: an accessible wijkteam uncovers latent demand",
                                 "Accessible wijkteams reach mild social and youth needs.")
    latent_demand_light_help_pull: float = param(1.0, "share of the wijkteam's reach that depends on its light help",
                                                 0.0, 1.0,
                                                 "assumption: people come forward to a wijkteam that helps "
                                                 "itself, not to a desk that only refers on; checked against the "
                                                 "CPB (2020) replay: at 0.5 the group difference in non-"
                                                 "residential youth care is as large as in residential care, "
                                                 "where CPB found it smaller",
                                                 "Reach is coverage x ((1 - pull) + pull x light help).")
    minor_social_pull: float = param(2.0, "relative increase per unit of social health below the coupling threshold",
                                     0.0, 20.0, "Heijnders & Meijs (2017): at least 30% of GP visits involve "
                                     "psychosocial problems; size assumed",
                                     "Stress and loneliness bring people to the GP with bodily complaints; such "
                                     "contacts count as having a social cause.")
    gp_minor_scale: float = param(1.0, "multiplier", 0.0, 5.0, "calibration scale (see configs/calibration)",
                                  "Scales all minor-complaint GP contact chances.")
    care_concentration: float = param(0.7, "shape of the gamma-distributed care propensity (mean 1)", 0.05, 100.0,
                                      "calibrated to Nivel: the 10% most frequent attenders make 42% of GP-practice "
                                      "contacts, 78% of residents have a contact in a year; frequent attenders "
                                      "also use more hospital care (Smits et al. 2013) (data/targets.yaml)",
                                      "Residents differ in how readily they use care for minor complaints and "
                                      "chronic conditions (GP contacts, planned hospital care); smaller values "
                                      "concentrate care use in fewer frequent users.")
    gp_minor_income: List[float] = param([1.0, 1.0, 1.0], "relative rate (low, middle, high income)", 0.0, 5.0,
                                         "calibrated to CBS: GP care per resident of the lowest-income 30% is 1.29 "
                                         "times that of the highest-income 30% (data/targets.yaml "
                                         "gp_consults_low_high_ratio)",
                                         "Minor-complaint GP contacts by income group, on top of what poorer "
                                         "social health already brings.")
    gp_minor_consults: List[float] = param([0.12, 0.10, 0.13, 0.25, 0.45], "chance of a minor-complaint GP "
                                    "contact per month by age band", 0.0, 1.0,
                                    "assumption set to approach Nivel: 4.5 contacts per resident, 78% with one",
                                    "GP contacts for complaints below the need threshold.")


# --------------------------------------------------------------------------- care (gatekeeping and services)
@dataclass
class GatekeeperConfig:
    root_recognition: float = param(0.3, "chance the GP recognises a social root", 0.0, 1.0, ASSUMPTION,
                                    "A medical gatekeeper often misses a social cause.")
    welzijn_op_recept: float = param(0.25, "chance a recognised social root is referred to social work",
                                     0.0, 1.0, ASSUMPTION, "Welzijn op Recept referral rate.")
    refer_physical: float = param(0.55, "severity", 0.0, 1.0, ASSUMPTION,
                                  "Physical needs at or above this severity are referred to the hospital.")
    refer_mental: float = param(0.5, "severity", 0.0, 1.0, ASSUMPTION,
                                "Mental needs at or above this severity go to specialist GGZ.")
    refer_youth: float = param(0.35, "severity", 0.0, 1.0, ASSUMPTION,
                               "Youth needs at or above this severity go to youth care.")
    residential_severity: float = param(0.75, "severity", 0.0, 1.0, ASSUMPTION,
                                        "Children at or above this severity need residential youth care, "
                                        "if their family context is failing too.")
    residential_family_severity: float = param(0.3, "severity of the child's social domain", 0.0, 1.0,
                                               "assumption: a child is placed out of home only when the home "
                                               "situation cannot carry the problem (Jeugdwet: verblijf when "
                                               "thuis niet kan); the child's social domain is its family context",
                                               "A severe youth need leads to residential care only when the "
                                               "child's social (family) need is at least this severe.")
    wijkteam_max_light: float = param(0.2, "severity", 0.0, 1.0,
                                      "fitted with health.youth_progression to the CPB (2020) comparison: "
                                      "light help for needs that youth care would not yet accept (its "
                                      "minimum severity is 0.2), so it prevents rather than replaces",
                                      "The wijkteam gives light help only below this severity.")
    wijkteam_jeugdhulp_registered: float = param(0.6, "share of children in the wijkteam's care", 0.0, 1.0,
                                                 "calibrated: CBS counts the wijkteam's help to a child as "
                                                 "jeugdhulp only when registered as such (79,400 youths, 19% of "
                                                 "jeugdhulp, CBS Jeugdhulp 2019; data/targets.yaml)",
                                                 "Children helped by the wijkteam who count in the jeugdhulp "
                                                 "figures.")
    nulde_max_severity: float = param(0.5, "severity", 0.0, 1.0, ASSUMPTION,
                                      "The nulde lijn refers needs at or above this severity to the GP.")
    wmo_min_age: float = param(65.0, "years", 18.0, 100.0, ASSUMPTION,
                               "Adults from this age with physical or social needs are referred to Wmo.")
    zorgmijding: float = param(0.25, "chance a low-income or indebted adult declines a referral",
                               0.0, 1.0, "docs/design.md section 3: the eigen risico deters low-income residents",
                               "Care avoidance because of the eigen risico.")
    step_down: float = param(0.3, "share of tweede-lijn discharges with follow-up", 0.0, 1.0, ASSUMPTION,
                             "Afschalen: follow-up in the eerste or nulde lijn after specialist care.")
    waiting_weight: float = param(0.25, "relative rise of the referral bar per year of expected waiting",
                                  0.0, 5.0,
                                  "assumption: GPs keep borderline patients in the practice while the "
                                  "tweede lijn has long waiting lists; size assumed",
                                  "The GP weighs the waiting time at the service a referral would go to: the "
                                  "severity needed for a referral rises with the expected wait (queue over "
                                  "monthly admissions, at most 12 months).")
    renege_rate: float = param(0.05, "chance per month a waiting resident gives up", 0.0, 1.0, ASSUMPTION,
                               "Residents leave long waiting lists; they may seek help again later.")
    crisis_severity: float = param(0.7, "severity", 0.0, 1.0, ASSUMPTION,
                                   "Untreated needs above this severity can become a crisis.")
    crisis_rate: float = param(0.06, "crises per month at severity 1", 0.0, 1.0, ASSUMPTION,
                               "Monthly chance of a crisis for the most severe untreated needs.")
    relapse_window: int = param(12, "months", 1, 60, ASSUMPTION,
                                "A new episode this soon after discharge counts as a relapse.")


@dataclass
class ServiceConfig:
    capacity_per_1000: float = param(10.0, "client slots per 1,000 residents", 0.0, 1000.0, ASSUMPTION,
                                     "Concurrent clients the staff can serve.")
    episode_months: float = param(4.0, "months", 1.0, 60.0, ASSUMPTION, "Planned episode length.")
    contacts_per_month: float = param(2.0, "contacts per client-month", 0.0, 40.0, ASSUMPTION,
                                      "Contacts delivered per month in care.")
    effect: float = param(0.15, "share of the gap to recovery closed per month", 0.0, 1.0, ASSUMPTION,
                          "Treatment effect on the presenting domain.")
    tariff: float = param(60.0, "euro per contact", 0.0, 20_000.0, ASSUMPTION, "Price of one contact.")
    min_severity: float = param(0.0, "severity", 0.0, 1.0, ASSUMPTION,
                                "Referrals below this severity are not accepted.")


def _service(capacity, months, contacts, effect, tariff, min_sev, source, sources=None):
    """A service's settings; `source` covers the block, `sources` names the source of single
    fields (field name -> source)."""
    def make():
        return ServiceConfig(capacity, months, contacts, effect, tariff, min_sev)
    return field(default_factory=make, metadata={"section": True, "source": source, "sources": sources or {}})


@dataclass
class ServicesConfig:
    social_basis: ServiceConfig = _service(20.0, 4, 2.0, 0.10, 45.0, 0.0,
                                           "assumption: 55,000 social workers (Sociaal Werk Nederland)")
    # budget-funded services: the budget pays for these places in full (`model.money.contracts.Budget`)
    schuldhulp: ServiceConfig = _service(7.2, 12, 1.5, 0.06, 70.0, 0.0, ASSUMPTION)
    voorzorg: ServiceConfig = _service(1.8, 3, 2.0, 0.05, 25.0, 0.0, ASSUMPTION)
    gp: ServiceConfig = _service(1000.0, 2, 1.5, 0.10, 11.51, 0.0,
                                 "NZa tariff 2022-2023: consult 5-20 minutes EUR 11.51",
                                 {"tariff": "NZa tariff 2022-2023: consult 5-20 minutes EUR 11.51"})
    poh_ggz: ServiceConfig = _service(12.0, 3, 1.5, 0.12, 40.0, 0.0,
                                      "assumption; Nivel: 172 POH-GGZ consults per 1,000 patients")
    poh_jeugd: ServiceConfig = _service(2.7, 3, 1.5, 0.12, 45.0, 0.0, ASSUMPTION)
    wijkteam: ServiceConfig = _service(18.0, 5, 2.0, 0.12, 80.0, 0.0, ASSUMPTION)
    hospital: ServiceConfig = _service(30.0, 3, 2.0, 0.20, 600.0, 0.2,
                                       "assumption scaled to Zvw medisch-specialistische zorg EUR 24.3 bn (2020)")
    specialist_ggz: ServiceConfig = _service(12.0, 8, 3.0, 0.10, 140.0, 0.2,
                                             "assumption scaled to Zvw GGZ EUR 4.2 bn (2020)")
    youth_ambulant: ServiceConfig = _service(25.0, 8, 3.0, 0.09, 110.0, 0.2,
                                             "assumption scaled to jeugdzorg EUR 5.5 bn (AEF 2020)")
    youth_residential: ServiceConfig = _service(4.0, 12, 20.0, 0.07, 300.0, 0.3,
                                                "assumption: residential youth care about EUR 70,000 a year")
    wmo_maatwerk: ServiceConfig = _service(60.0, 24, 24.0, 0.06, 64.0, 0.2,
                                           "Kostenhandleiding 2024: begeleiding EUR 64 an hour; hours a month "
                                           "calibrated to support at home and sheltered living (CBS 84580NED: "
                                           "EUR 94 + 108 per resident, 2019-2022)",
                                           {"tariff": "Kostenhandleiding 2024: begeleiding EUR 64 an hour "
                                                      "(2022 prices; data/sources.yaml)"})
    # long-term support: capacity is users (not episodes), episode_months the mean months of use
    # while the need lasts, contacts_per_month hours (or units) a month, min_severity the need
    # below which nobody starts
    wijkverpleging: ServiceConfig = _service(22.0, 8, 14.0, 0.04, 75.0, 0.1,
                                             "Kostenhandleiding 2024: home nursing EUR 75 an hour (2022 prices); "
                                             "capacity: Vektis, 293,000 clients a month (2021) plus a margin; "
                                             "hours calibrated to Zvw wijkverpleging cost",
                                             {"tariff": "Kostenhandleiding 2024: home nursing EUR 75 an hour "
                                                        "(2022 prices; data/sources.yaml)",
                                              "capacity_per_1000": "derived: Vektis, 293,000 clients a month "
                                                                   "(2021) / 17.5 million, plus a quarter"})
    hospital_outpatient: ServiceConfig = _service(150.0, 1, 1.5, 0.0, 280.0, 0.0,
                                                  "assumption: 1.5 visits in a month of outpatient care (2.2 "
                                                  "specialist contacts a resident a year, survey 2013); price per "
                                                  "visit (Kostenhandleiding EUR 120) calibrated to Zvw "
                                                  "medisch-specialistische zorg, which also pays specialists, "
                                                  "diagnostics and expensive medicines",
                                                  {"contacts_per_month": "derived: 2.2 specialist contacts per "
                                                                         "resident a year (CBS health survey "
                                                                         "2013) over about 1.5 months with care"})
    hospital_planned: ServiceConfig = _service(30.0, 1, 1.7, 0.0, 4300.0, 0.0,
                                               "derived: a planned treatment has 1.7 admissions (CBS 2021: 2.85 "
                                               "million admissions of 1.7 million residents), each 53% clinical, "
                                               "5 days at EUR 644, or 47% day admission at EUR 335 (CBS 2019; "
                                               "Kostenhandleiding 2024), times the 2.3 by which MSZ spending "
                                               "exceeds reference prices",
                                               {"tariff": "derived: clinical (5 days at EUR 644) and day "
                                                          "admissions (EUR 335) in the CBS 2019 mix, "
                                                          "Kostenhandleiding 2024, times 2.3 (MSZ spending "
                                                          "over reference prices)",
                                                "contacts_per_month": "derived: CBS 2021, 2.85 million "
                                                                      "admissions of 1.7 million residents"})
    wmo_household: ServiceConfig = _service(40.0, 36, 7.0, 0.0, 32.76, 0.05,
                                            "Kostenhandleiding 2024: household help EUR 32.76 an hour; hours "
                                            "calibrated to CBS 84580NED (EUR 80 per resident, 2021)",
                                            {"tariff": "Kostenhandleiding 2024: household help EUR 32.76 an "
                                                       "hour (2022 prices; data/sources.yaml)"})
    gp_chronic_care: ServiceConfig = _service(150.0, 60, 1.0, 0.02, 50.0, 0.0,
                                              "assumption: a chronic-care programme fee per patient-month; "
                                              "calibrated with the other GP payments to Zvw huisartsenzorg, "
                                              "which pays more than capitation and consults (M&I, ketenzorg)")
    wmo_aids: ServiceConfig = _service(35.0, 48, 1.0, 0.0, 130.0, 0.2,
                                       "assumption: aids, home adaptations and transport as a monthly cost; "
                                       "cost calibrated to CBS 84580NED (EUR 39 per resident, 2019)")


# --------------------------------------------------------------------------- long-term support and planned hospital care
@dataclass
class SupportRule:
    """Who starts one kind of long-term support (the service's own settings say how much)."""
    min_age: float = param(18.0, "years", 0.0, 120.0, ASSUMPTION, "Residents from this age can start.")
    min_frailty: float = param(0.2, "physical frailty (0 to 1, see hospital_care.frailty_threshold)", 0.0, 1.0,
                               ASSUMPTION, "Residents start only from this frailty, and keep support while at it.")
    start_rate: float = param(0.05, "chance per month at frailty 1", 0.0, 1.0, ASSUMPTION,
                              "Monthly chance of starting, proportional to physical frailty.")
    informal_substitution: float = param(0.0, "share of starts replaced by informal care at network 1",
                                         0.0, 1.0, ASSUMPTION,
                                         "Mantelzorg: a strong network takes over part of the support.")
    end_after_recovery: float = param(0.1, "chance per month of ending once frailty is below min_frailty",
                                      0.0, 1.0, "assumption: a reassessment ends support within about a year",
                                      "Support ends when the need has passed.")


def _support(min_frailty, start_rate, substitution, source):
    return field(default_factory=lambda: SupportRule(18.0, min_frailty, start_rate, substitution),
                 metadata={"section": True, "source": source})


@dataclass
class SupportConfig:
    """Long-term care at home, reached directly by residents whose physical health calls for it:
    wijkverpleging and the GP's chronic-care programmes (insurer), Wmo household help and aids
    (municipality)."""
    wijkverpleging: SupportRule = _support(0.3, 0.03, 0.0, "calibrated to users (data/targets.yaml)")
    wmo_household: SupportRule = _support(0.3, 0.025, 0.4,
                                          "assumption: informal care (mantelzorg) takes over part of "
                                          "household help where the network is strong; size assumed")
    wmo_aids: SupportRule = _support(0.35, 0.027, 0.0, "calibrated to Wmo clients and cost (data/targets.yaml)")
    gp_chronic_care: SupportRule = _support(0.1, 0.05, 0.0,
                                            "assumption: chronic conditions with mild frailty; start rate "
                                            "calibrated with huisartsenzorg cost")


@dataclass
class HospitalCareConfig:
    """Planned and chronic hospital care driven by physical health (acute care: episodes and crises)."""
    frailty_threshold: float = param(0.8, "physical health", 0.0, 1.0,
                                     "assumption: the level below which poor physical health raises "
                                     "mortality too (demography)",
                                     "Physical frailty is the shortfall below this level (0 to 1).")
    acute_base: float = param(0.0007, "chance per month at good physical health", 0.0, 0.2,
                              "calibrated to acute admissions (CBS 2019: a third of admissions)",
                              "Emergency admissions (acute illness, injury) of healthy residents.")
    acute_frailty: float = param(0.025, "extra chance per month at frailty 1", 0.0, 1.0,
                                 "calibrated to acute admissions (CBS 2019: a third of admissions)",
                                 "Emergency admissions grow with physical frailty.")
    outpatient_base: float = param(0.03, "chance per month at good physical health", 0.0, 1.0,
                                   "assumption: about 45% of residents have hospital care in a year (NVZ: at least 48%)",
                                   "Outpatient hospital care (visits, diagnostics) of healthy residents.")
    outpatient_frailty: float = param(0.30, "extra chance per month at frailty 1", 0.0, 1.0,
                                      "calibrated to Zvw medisch-specialistische zorg",
                                      "Chronic follow-up grows with physical frailty.")
    planned_admission_base: float = param(0.0009, "chance per month at good physical health", 0.0, 0.2,
                                          "calibrated to non-acute admissions (CBS 2019)",
                                          "Planned clinical or day admissions of healthy residents.")
    planned_admission_frailty: float = param(0.035, "extra chance per month at frailty 1", 0.0, 1.0,
                                             "calibrated to non-acute admissions (CBS 2019)",
                                             "Planned admissions grow with physical frailty.")
    effect: float = param(0.05, "share of the gap to recovery closed in a month with planned care", 0.0, 1.0,
                          "assumption: planned and chronic care keep physical health up, less than an episode",
                          "Effect of planned and chronic hospital care on physical health.")


# --------------------------------------------------------------------------- the social basis: staff
@dataclass
class SocialWorkConfig:
    """The social basis priced by its staff: FTE at CAO Sociaal Werk cost, time split over tasks."""
    fte_per_1000: float = param(1.9, "FTE per 1,000 residents", 0.0, 20.0,
                                "calibrated to municipal spending on the social basis",
                                "Social workers employed for the social basis.")
    gross_salary_month: float = param(3800.0, "euro per FTE-month, gross", 0.0, 20_000.0,
                                      "derived: CAO Sociaal Werk 2024, EUR 21.04 (schaal 8, start) to 28.02 "
                                      "(schaal 9, step 8) an hour at 156 hours a month; the middle",
                                      "Monthly salary of a social worker.")
    ikb_share: float = param(0.20, "share of salary", 0.0, 1.0,
                             "CAO Sociaal Werk: Individueel Keuzebudget (holiday pay, year-end bonus, leave)",
                             "Individueel Keuzebudget on top of salary.")
    employer_charges_share: float = param(0.187, "share of salary and IKB", 0.0, 1.0,
                                          "derived: 2024 employer premiums AWf 2.64% + Aof 7.49% + childcare "
                                          "0.50% + Whk 1.53% + Zvw 6.57% (data/sources.yaml)",
                                          "Employer social-security charges.")
    pension_share: float = param(0.09, "share of salary and IKB", 0.0, 1.0,
                                 "derived: PFZW 2024, employer 12.9% of salary above the EUR 15,816 franchise "
                                 "plus 0.5% AP, on about EUR 55,000 (data/sources.yaml)",
                                 "Employer part of the pension premium.")
    overhead_share: float = param(0.15, "share of personnel cost", 0.0, 2.0,
                                  "assumption: management, housing, ICT and training; with it a social worker "
                                  "costs about EUR 80,000 a year, near the sector's EUR 3 bn turnover over about "
                                  "40,000 FTE (data/sources.yaml)",
                                  "Management, housing, ICT and training on top of personnel cost.")
    productive_hours: float = param(1550.0, "hours per FTE-year", 0.0, 2080.0,
                                    "derived: 36 hours x 52 weeks = 1,872, less 17% for leave and sickness "
                                    "(Handleiding Overheidstarieven convention, data/sources.yaml)",
                                    "Hours an FTE works in a year.")
    casework_share: float = param(0.38, "share of hours", 0.0, 1.0,
                                  "assumption: with the other tasks, leaves 37% for administration and time "
                                  "between clients (Movisie 2022: social workers spend 37% on administration)",
                                  "Individual support of clients (the social basis's client slots).")
    group_work_share: float = param(0.10, "share of hours", 0.0, 1.0, ASSUMPTION,
                                    "Groups (Voorzorg and others).")
    community_work_share: float = param(0.10, "share of hours", 0.0, 1.0, ASSUMPTION,
                                        "Community work: activities that residents can join.")
    outreach_share: float = param(0.05, "share of hours", 0.0, 1.0, ASSUMPTION,
                                  "Outreach (signalling, home visits before a need is reported).")
    hours_per_client_month: float = param(3.0, "casework hours per client per month", 0.1, 100.0, ASSUMPTION,
                                          "Contacts, travel and registration for one client in a month.")

    def cost_per_fte(self) -> float:
        """Yearly cost of one FTE: salary, IKB, employer charges, pension and overhead."""
        personnel = 12.0 * self.gross_salary_month * (1.0 + self.ikb_share)
        return personnel * (1.0 + self.employer_charges_share + self.pension_share) * (1.0 + self.overhead_share)

    def clients_per_fte(self) -> float:
        """Concurrent clients one FTE supports with its casework hours."""
        return self.casework_share * self.productive_hours / 12.0 / self.hours_per_client_month


# --------------------------------------------------------------------------- work and productivity loss
@dataclass
class WorkConfig:
    """Paid work of residents aged 18-66 and the productivity loss of their absence, valued by the
    friction-cost method of the Dutch guideline for economic evaluations (`model.people.productivity`)."""
    employment_rate: float = param(0.82, "share of residents aged 18-66 in paid work at the start", 0.0, 1.0,
                                   "assumption on published figures: CBS netto arbeidsparticipatie 73.2% of "
                                   "15-75 (Q4 2023, data/sources.yaml labour_market) restated for 18-66 with "
                                   "the age shares of population.age_shares: (0.732 x 0.741 - 0.5 x 0.033 - "
                                   "0.15 x 0.078) / 0.630 = 0.82, assuming half of 15-17 and 15% of 67-74-year-"
                                   "olds work (not in data/sources.yaml; 30-70% and 10-20% give 0.80-0.83)",
                                   "Residents aged 18-66 in paid work (employees and self-employed) at the start; "
                                   "benefit recipients are never in work.")
    low_income_employment: float = param(0.8, "chance of paid work relative to mid and high income", 0.0, 1.0,
                                         "assumption: a low household income goes with less paid work",
                                         "Low-income residents without a benefit are in work less often.")
    absence_severity: float = param(0.5, "need severity (relative shortfall below the need threshold)",
                                    0.0, 1.0,
                                    "assumption: the level the model already called a severe need; about 2% "
                                    "of residents aged 18-66 are above it at a time, against 5% sickness "
                                    "absence (CBS 2023, data/sources.yaml labour_market), which also counts "
                                    "short illness the model does not represent",
                                    "An employed resident with this severity or more in any domain is absent "
                                    "from work for the whole month.")
    hours_per_month: float = param(117.0, "contract hours per employed resident per month", 0.0, 200.0,
                                   "assumption on published figures: deeltijdfactor 0.75 of all employees (CBS "
                                   "2018) x a 36-hour full-time week (CAO Sociaal Werk; other CAOs 36-40) x "
                                   "52 / 12 (data/sources.yaml social_work_workforce)",
                                   "Working hours lost in a month of absence.")
    productivity_cost_per_hour: float = param(39.88, "euro per hour of paid work lost (price level 2022)",
                                              0.0, 200.0,
                                              "Kostenhandleiding 2024 (Hakkaart-van Roijen et al.), reference "
                                              "price for productivity loss of paid work (data/sources.yaml "
                                              "economic_evaluation_guideline)",
                                              "Value of an hour of paid work lost.")
    friction_period_days: float = param(120.7, "days", 0.0, 730.0,
                                        "Kostenhandleiding 2024 friction-cost method: 365.25 / (filled / open "
                                        "vacancies) + 28 days from CBS vacancy statistics, five-year average "
                                        "2019-2023 = 120.7 days or 17.2 weeks (data/sources.yaml "
                                        "economic_evaluation_guideline.friction_period_method_and_values)",
                                        "Time an employer needs to replace an absent worker; production lost "
                                        "after it is made up by someone else and not counted.")
    job_loss: float = param(0.04, "chance per month of absence after the friction period", 0.0, 1.0,
                            "assumption: Dutch employers pay sick employees for up to two years before "
                            "dismissal is allowed, temporary contracts end sooner; 0.04 a month is a mean of "
                            "about two years",
                            "An employed resident whose absence outlasts the friction period leaves paid work.")
    return_to_work: float = param(0.15, "chance per month once the severe need has passed", 0.0, 1.0,
                                  "assumption: about half find work again within four months of recovery",
                                  "A resident who left work through a long severe need goes back to work.")


# --------------------------------------------------------------------------- economic evaluation
@dataclass
class EvaluationConfig:
    """How the scenario comparison values money over time (`analysis.comparison`); no model rule
    reads these values."""
    discount_rate_costs: float = param(0.03, "share per year", 0.0, 0.2,
                                       "Zorginstituut Nederland, Richtlijn voor het uitvoeren van economische "
                                       "evaluaties in de gezondheidszorg (2024), par. 2.6.1.2: 3% for costs, "
                                       "1.5% for effects, the first year not discounted (data/sources.yaml "
                                       "economic_evaluation_guideline.discount_rates_2024)",
                                       "Discount rate for costs and savings in the return on investment: year "
                                       "t after the first (t = 0) weighs 1 / (1 + rate)^t.")


# --------------------------------------------------------------------------- financing
@dataclass
class ContractConfig:
    rule: str = choice("per_verrichting", FINANCING_RULES, "docs/design.md section 3",
                       "Financing rule for this provider type (a contract class in model/money/contracts.py).")
    budget_per_resident: float = param(0.0, "euro per resident per year", 0.0, 100_000.0,
                                       "assumption: 0 derives it from the provider's capacity cost",
                                       "Yearly budget under the budget rule.")
    capitation_per_resident: float = param(0.0, "euro per enrolled resident per year", 0.0, 10_000.0,
                                           "assumption: 0 derives it from the provider's capacity cost",
                                           "Payment per enrolled resident under capitation.")


def _contract(rule, capitation=0.0, source=None):
    meta = {"section": True}
    if source:
        meta["source"] = source
    return field(default_factory=lambda: ContractConfig(rule=rule, capitation_per_resident=capitation), metadata=meta)


@dataclass
class FinancingConfig:
    social_basis: ContractConfig = _contract("budget")
    schuldhulp: ContractConfig = _contract("budget")
    voorzorg: ContractConfig = _contract("budget")
    gp: ContractConfig = _contract("capitation", 70.64, "NZa: GP capitation EUR 17.66 per quarter under 65")
    poh_ggz: ContractConfig = _contract("per_verrichting")
    poh_jeugd: ContractConfig = _contract("budget")
    wijkteam: ContractConfig = _contract("budget")
    hospital: ContractConfig = _contract("per_verrichting")
    specialist_ggz: ContractConfig = _contract("per_verrichting")
    youth_ambulant: ContractConfig = _contract("per_verrichting")
    youth_residential: ContractConfig = _contract("per_verrichting")
    wmo_maatwerk: ContractConfig = _contract("per_verrichting")
    wijkverpleging: ContractConfig = _contract("per_verrichting")
    hospital_outpatient: ContractConfig = _contract("per_verrichting")
    hospital_planned: ContractConfig = _contract("per_verrichting")
    wmo_household: ContractConfig = _contract("per_verrichting")
    wmo_aids: ContractConfig = _contract("per_verrichting")
    gp_chronic_care: ContractConfig = _contract("per_verrichting")
    gp_consult_fee_with_capitation: bool = param(True, "flag", None, None,
                                                 "NZa: GP is paid capitation plus consult fees",
                                                 "GP consults are paid per contact on top of capitation.")
    supply_elasticity: float = param(0.12, "relative change in contacts, length and acceptance", 0.0, 1.0,
                                     "Douven, Remmerswaal & Mosca (2015): 11-13% of treatments pushed "
                                     "past a fee threshold",
                                     "How strongly per-verrichting providers expand volume.")
    shared_savings_cooperation: float = param(0.0, "weight of the region's whole surplus in a provider's stake",
                                              0.0, 1.0,
                                              "assumption: under shared savings each provider weighs only its "
                                              "own part of the bonus (free riding, 0); 1 = the region's "
                                              "providers act as one network that weighs all of it. Shared-"
                                              "savings programmes save a few percent at most "
                                              "(data/sources.yaml shared_savings)",
                                              "Under ontschotting, how far a provider counts the region's "
                                              "savings as its own.")
    capacity_response: float = param(0.3, "share of the gap between demand and capacity closed per year",
                                     0.0, 1.0,
                                     "assumption: open-ended (per verrichting) financing lets providers "
                                     "hire and open places where clients wait, with a lag; youth care "
                                     "spending grew with demand after 2015 (AEF 'Stelsel in groei' 2020)",
                                     "Each January a provider paid per verrichting grows (or shrinks) its "
                                     "capacity by this share of the gap to last month's demand (clients "
                                     "in care plus waiting); budget and capitation providers keep theirs.")
    hiring_under_shortage: float = param(0.02, "share of capacity added at most in a year", 0.0, 1.0,
                                         "assumption: while staff is short, providers fill only part of "
                                         "their vacancies; about the yearly growth of employment in care "
                                         "and welfare",
                                         "Largest yearly growth of a provider whose staff a lever has cut "
                                         "(staff shortage, staff moved to social work): a labour market "
                                         "instead of a hiring freeze.")
    budget_shortening: float = param(0.08, "relative change in episode length under budget", 0.0, 1.0,
                                     "Douven, Remmerswaal & Vervliet (2021): 8% change in treatment length",
                                     "How strongly budget-funded providers shorten episodes.")
    budget_basis: str = choice("plan", ("plan", "last_year_spending"),
                               "assumption: municipalities set budgets by plan (subsidy for a number of "
                               "FTE) or historically (last year's realisation); both occur",
                               "What a budget without an amount in the config pays for: the planned "
                               "capacity in full, or the share of its capacity the provider used last "
                               "year (plus financing.municipal_budget_slack); the budget staffs the "
                               "provider for the year.")
    municipal_budget_slack: float = param(0.02, "share above last year's spending", -0.5, 1.0, ASSUMPTION,
                                          "Municipal social-domain budget relative to last year's spending.")
    sluitpost_cut: float = param(1.5, "relative cut in prevention per unit relative overspend", 0.0, 10.0,
                                 "docs/design.md section 3: prevention is cut first (sluitpost); size assumed",
                                 "How hard the municipality cuts the social basis after overspending.")
    sluitpost_max_cut: float = param(0.5, "share of the social basis", 0.0, 1.0, ASSUMPTION,
                                     "Largest yearly cut in the social basis after overspending.")
    eigen_risico: float = param(385.0, "euro per adult per year", 0.0, 2000.0,
                                "Zvw verplicht eigen risico 2016-2025: EUR 385",
                                "Yearly deductible for insured care beyond the GP.")


# --------------------------------------------------------------------------- policies
@dataclass
class Lever:
    """A policy lever: a value that replaces the baseline from `start_month` on."""
    enabled: bool = False
    start_month: int = param(0, "month since simulation start", 0, 1200, ASSUMPTION,
                             "Month from which the lever applies.")
    level: float = param(1.0, "lever-specific (see docs/parameters.md)", 0.0, 20.0, ASSUMPTION,
                         "Strength of the lever.")


def _lever(level=1.0, doc=""):
    return field(default_factory=lambda: Lever(level=level), metadata={"section": True, "doc": doc})


@dataclass
class PreventiefondsConfig:
    enabled: bool = False
    start_month: int = param(0, "month since simulation start", 0, 1200, ASSUMPTION,
                             "Month the fund starts.")
    duration_years: float = param(10.0, "years", 0.0, 50.0,
                                  "docs/design.md section 3: proposed as temporary, 10 to 15 years",
                                  "Lifespan of the fund; it stops afterwards unless structural.")
    structural: bool = False
    contribution_per_resident: float = param(20.0, "euro per resident per year", 0.0, 1000.0, ASSUMPTION,
                                             "Total yearly contribution to the fund.")
    shares: List[float] = param([0.4, 0.4, 0.2], "share (municipality, insurer, employers)", 0.0, 1.0, ASSUMPTION,
                         "Who fills the fund.")


def _new_rule(service: str):
    return choice("", RuleNames(blank=True), "docs/design.md section 3: switching financing rules per line",
                  f"Rule for {service} while the switch applies ('' keeps the rule in financing).")


@dataclass
class FinancingSwitchConfig:
    """Switch financing rules per provider type from `start_month`."""
    enabled: bool = False
    start_month: int = param(0, "month since simulation start", 0, 1200, ASSUMPTION,
                             "Month from which the new rules apply.")
    social_basis: str = _new_rule("social_basis")
    schuldhulp: str = _new_rule("schuldhulp")
    voorzorg: str = _new_rule("voorzorg")
    gp: str = _new_rule("gp")
    poh_ggz: str = _new_rule("poh_ggz")
    poh_jeugd: str = _new_rule("poh_jeugd")
    wijkteam: str = _new_rule("wijkteam")
    hospital: str = _new_rule("hospital")
    specialist_ggz: str = _new_rule("specialist_ggz")
    youth_ambulant: str = _new_rule("youth_ambulant")
    youth_residential: str = _new_rule("youth_residential")
    wmo_maatwerk: str = _new_rule("wmo_maatwerk")
    wijkverpleging: str = _new_rule("wijkverpleging")
    hospital_outpatient: str = _new_rule("hospital_outpatient")
    hospital_planned: str = _new_rule("hospital_planned")
    wmo_household: str = _new_rule("wmo_household")
    wmo_aids: str = _new_rule("wmo_aids")
    gp_chronic_care: str = _new_rule("gp_chronic_care")


@dataclass
class PoliciesConfig:
    wijkteam_light_help: Lever = _lever(0.9, "Wijkteam light help share (replaces each municipality's).")
    wijkteam_coverage: Lever = _lever(1.0, "Wijkteam coverage (replaces each municipality's).")
    poh_jeugd: Lever = _lever(1.0, "POH-jeugd in this share of GP practices (baseline 0.5).")
    poh_ggz: Lever = _lever(1.0, "Multiplier on POH-GGZ capacity.")
    welzijn_op_recept: Lever = _lever(0.7, "Welzijn op Recept referral rate.")
    social_basis_investment: Lever = _lever(1.5, "Multiplier on nulde-lijn capacity and community building.")
    broad_gatekeeper: Lever = _lever(0.8, "Chance the gatekeeper recognises a social root.")
    schuldhulp: Lever = _lever(2.0, "Multiplier on schuldhulp capacity, with early outreach to debtors.")
    voorzorg: Lever = _lever(0.5, "Monthly chance that a GGZ waiting-list client joins a Voorzorg group "
                                  "(places permitting).")
    ontschotting: Lever = _lever(0.5, "One regional budget; level = share of its yearly surplus paid to the "
                                      "providers (shared savings, 0 to 1; at most 0.5 in a one-sided "
                                      "contract, data/sources.yaml shared_savings); each provider's "
                                      "per-verrichting volume response shrinks by its stake in it.")
    workforce_shift: Lever = _lever(0.1, "Share of tweede-lijn GGZ and youth staff moved to social work.")
    staff_shortage: Lever = _lever(0.1, "Share of care staff lost in all lines.")
    social_basis_cut: Lever = _lever(0.3, "Sluitpost: share of nulde-lijn capacity cut.")
    substitution_without_funds: Lever = _lever(0.3, "Afvoerputje: share of tweede-lijn referrals "
                                                    "redirected to the nulde lijn without extra capacity.")
    preventiefonds: PreventiefondsConfig = field(default_factory=PreventiefondsConfig,
                                                 metadata={"section": True})
    financing_switch: FinancingSwitchConfig = field(default_factory=lambda: FinancingSwitchConfig(),
                                                    metadata={"section": True})
    poh_jeugd_baseline_share: float = param(0.5, "share of GP practices", 0.0, 1.0,
                                            "CPB (2020): POH-jeugd spread in many municipalities",
                                            "Share of GP practices with POH-jeugd without the lever.")


# --------------------------------------------------------------------------- the whole configuration
@dataclass
class ScenarioInfo:
    title_nl: str = ""
    title_en: str = ""
    description: str = ""


@dataclass
class CalibrationInfo:
    """Provenance of the calibrated values in configs/calibration (written by experiments.calibrate)."""
    fitted_to: str = ""
    date: str = ""
    objective: str = ""
    seeds: str = ""
    method: str = ""


@dataclass
class Config:
    seed: int = param(1, "seed", 0, 2**31 - 1, ASSUMPTION, "Seed of all random streams.")
    years: int = param(10, "years", 1, 100, ASSUMPTION, "Simulated years (monthly steps).")
    start_year: int = param(2025, "calendar year", 1990, 2100, ASSUMPTION,
                            "First simulated year (2013 to replay the 2015 decentralisation).")
    scenario: Dict[str, ScenarioInfo] = field(default_factory=dict, metadata={"doc": "Scenario name -> titles and description."})
    population: PopulationConfig = section(PopulationConfig)
    region: RegionConfig = section(RegionConfig)
    demography: DemographyConfig = section(DemographyConfig)
    determinants: DeterminantsConfig = section(DeterminantsConfig)
    health: HealthConfig = section(HealthConfig)
    help_seeking: HelpSeekingConfig = section(HelpSeekingConfig)
    gatekeeper: GatekeeperConfig = section(GatekeeperConfig)
    services: ServicesConfig = section(ServicesConfig)
    support: SupportConfig = section(SupportConfig)
    hospital_care: HospitalCareConfig = section(HospitalCareConfig)
    social_work: SocialWorkConfig = section(SocialWorkConfig)
    work: WorkConfig = section(WorkConfig)
    evaluation: EvaluationConfig = section(EvaluationConfig)
    financing: FinancingConfig = section(FinancingConfig)
    policies: PoliciesConfig = section(PoliciesConfig)
    calibration: CalibrationInfo = field(default_factory=CalibrationInfo, metadata={"section": True})

    @property
    def scenario_name(self) -> str:
        return "+".join(self.scenario) or "baseline"


def iter_parameters(obj, prefix: str = ""):
    """Yield (dotted_name, value, field) for every leaf parameter of a config dataclass."""
    for f in fields(obj):
        value = getattr(obj, f.name)
        name = f"{prefix}{f.name}"
        if is_dataclass(value):
            yield from iter_parameters(value, name + ".")
        else:
            yield name, value, f


def has_default(f) -> bool:
    return f.default is not MISSING or f.default_factory is not MISSING
