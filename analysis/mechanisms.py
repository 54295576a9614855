"""Savings by mechanism: which assumed mechanism carries a scenario's saving.

A scenario saves when its total care cost is clearly below baseline's (the interval of the
paired difference lies below 0). To see what the saving rests on, each mechanism in
`MECHANISMS` is switched off in both arms, scenario and baseline, with the same seeds (common
random numbers), and the saving measured again. A mechanism's contribution is the saving with
everything on minus the saving without it: what the result loses when that assumption goes.
Mechanisms interact, so contributions need not add up to the saving; the remainder is shown
as what no single listed mechanism carries.

Each mechanism is a set of overrides that sets its parameters to "no effect"; the list names
the assumptions a saving typically rests on, most of them assumed rather than published
(docs/parameters.md says which).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.comparison import BASELINE, MECHANISM_COLUMNS, interval


@dataclass(frozen=True)
class Mechanism:
    """A mechanism of the model and the overrides that switch it off."""
    name: str
    title_en: str
    title_nl: str
    off: tuple[str, ...]


MECHANISMS = (
    Mechanism("network_health", "a strong network raises health targets",
              "een sterk netwerk verhoogt de streefgezondheid", ("health.network_effect=[0,0,0]",)),
    Mechanism("community_ties", "taking part in community activities builds ties",
              "meedoen aan activiteiten in de wijk bouwt banden op", ("determinants.participation_ties=0",)),
    Mechanism("informal_support", "networks absorb shocks and mild needs",
              "netwerken vangen schokken en lichte problemen op",
              ("health.informal_buffer=0", "help_seeking.informal_absorption=0")),
    Mechanism("untreated_escalation", "untreated needs worsen and persist",
              "onbehandelde problemen verergeren en blijven",
              ("health.untreated_progression=[0,0,0]", "health.youth_progression=0", "health.need_persistence=0")),
    Mechanism("waiting_harm", "needs worsen while waiting", "problemen verergeren tijdens het wachten",
              ("health.waiting_deterioration=0",)),
    Mechanism("supply_induced_demand", "per verrichting expands volume", "per verrichting vergroot het volume",
              ("financing.supply_elasticity=0",)),
    Mechanism("budget_behaviour", "budgets shorten episodes", "budgetten korten trajecten in",
              ("financing.budget_shortening=0",)),
    Mechanism("capacity_follows_demand", "fee-paid providers grow with their queues",
              "aanbieders per verrichting groeien mee met hun wachtrij", ("financing.capacity_response=0",)),
    Mechanism("zorgmijding", "the eigen risico deters low-income residents",
              "het eigen risico schrikt mensen met een laag inkomen af", ("gatekeeper.zorgmijding=0",)),
    Mechanism("sluitpost", "overspending municipalities cut prevention first",
              "gemeenten die overschrijden bezuinigen eerst op preventie", ("financing.sluitpost_cut=0",)),
    Mechanism("step_down", "follow-up after specialist care", "nazorg na specialistische zorg (afschalen)",
              ("gatekeeper.step_down=0",)),
    Mechanism("latent_demand", "an accessible wijkteam uncovers latent demand",
              "een bereikbaar wijkteam brengt verborgen vraag aan het licht", ("help_seeking.latent_demand=0",)),
    Mechanism("shared_savings", "providers sharing the region's savings stretch volume less",
              "aanbieders die delen in de besparing rekken het volume minder op",
              ("policies.ontschotting.level=0",)),
)
BY_NAME = {m.name: m for m in MECHANISMS}


def label(scenario: str, mechanism: str) -> str:
    """Run label of a scenario (or baseline) with one mechanism switched off."""
    return f"{scenario}~no_{mechanism}"


def saving_scenarios(runs: pd.DataFrame) -> list[str]:
    """Scenarios whose total care cost is clearly below baseline's: the 95% interval of the
    paired difference (same seeds) lies below 0."""
    cost = total_cost(runs)
    out = []
    for s in cost.columns:
        if s != BASELINE and "~" not in s:
            _, _, high, _ = interval((cost[s] - cost[BASELINE]).to_numpy()[None, :])
            if high[0] < 0:
                out.append(s)
    return out


def total_cost(runs: pd.DataFrame) -> pd.DataFrame:
    """Total care cost per year of each run: rows replication, columns run label."""
    m = runs[(runs["table"] == "measure") & (runs["metric"] == "cost") & (runs["line"] == "")
             & (runs["financier"] == "") & (runs["domain"] == "") & (runs["group"] == "")]
    return m.pivot_table(index="replication", columns="scenario", values="value", aggfunc="first")


def decompose(runs: pd.DataFrame, scenarios: list[str], mechanisms=MECHANISMS) -> pd.DataFrame:
    """The saving of each scenario split by mechanism.

    Args:
        runs: extracted runs (`analysis.extract`) with columns scenario (the run label: a
            scenario, or `label(scenario, mechanism)` for a run with a mechanism off) and
            replication; replication r of every label shares its seed.
        scenarios: the scenarios to decompose.

    Returns one row per scenario and mechanism, plus a row "none" per scenario for the part no
    single mechanism carries: saving (all on, per year), saving_without (the mechanism off),
    contribution = saving - saving_without with its 95% interval, and share of the saving.
    """
    cost = total_cost(runs)
    rows = []
    for s in scenarios:
        saving = (cost[BASELINE] - cost[s]).to_numpy()
        mean_saving = interval(saving[None, :])[0][0]
        carried = 0.0
        for m in mechanisms:
            base_off, scen_off = label(BASELINE, m.name), label(s, m.name)
            if base_off not in cost or scen_off not in cost:
                continue
            without = (cost[base_off] - cost[scen_off]).to_numpy()
            mean, low, high, _ = (x[0] for x in interval((saving - without)[None, :]))
            carried += mean
            rows.append({"scenario": s, "mechanism": m.name, "title_en": m.title_en, "title_nl": m.title_nl,
                         "off": " ".join(m.off), "saving": mean_saving, "saving_without": without.mean(),
                         "contribution": mean, "contribution_low": low, "contribution_high": high,
                         "share": mean / mean_saving if mean_saving else np.nan, "n": len(saving)})
        rows.append({"scenario": s, "mechanism": "none", "title_en": "not carried by one listed mechanism",
                     "title_nl": "niet gedragen door één genoemd mechanisme", "off": "", "saving": mean_saving,
                     "saving_without": np.nan, "contribution": mean_saving - carried, "contribution_low": np.nan,
                     "contribution_high": np.nan,
                     "share": (mean_saving - carried) / mean_saving if mean_saving else np.nan, "n": len(saving)})
    return pd.DataFrame(rows, columns=MECHANISM_COLUMNS)
