"""carelines: an agent-based model of care volume across the Dutch nulde, eerste and tweede lijn.

The public API, which the command line, scenario comparison, sweeps, sensitivity analysis,
calibration and the teacher page all call:

    >>> import model
    >>> config = model.load_config("baseline", ["population.size=20000", "years=5"])
    >>> results = model.run(config)
    >>> results.summary["cost_per_year_by_financier"]

Inside, the folders follow the model's architecture:

    people/   the region and its residents: demography, determinants of health, community
              activities, physical, mental and social health, help-seeking, work
    care/     the care lines and their providers: services, providers, waiting lists and
              episodes, the nulde, eerste and tweede lijn, hospital care, long-term support
    money/    who pays: one class per financing rule, the funds, the ledger, municipal
              budgets, the eigen risico
    engine/   the month's step order (engine/simulation.py), random streams, outcomes and
              results, threads and memory

and at the top the configuration (config.py, parameters.py, paths.py), the policy levers as
they apply month by month (policies.py) and the record of what produced an output
(provenance.py).
"""

from __future__ import annotations

from model.config import ConfigError, load_config
from model.parameters import Config
from model.engine.results import Results, summarise


def run(config: Config, progress=None) -> Results:
    """Simulate one configuration and return its results.

    Args:
        config: a validated configuration from `load_config`.
        progress: optional callable taking (months_done, months_total), called each month.
    """
    from model.engine.simulation import CarelinesModel

    sim = CarelinesModel(config)
    while not sim.finished:
        sim.step()
        if progress is not None and sim.month > 0:
            progress(sim.month, sim.total_months)
    timeseries = sim.outcomes.to_frame(sim.region.names)
    ledger = sim.ledger.to_frame(sim, first_month=0)
    return Results(timeseries, ledger, summarise(timeseries, ledger, config), config)


__all__ = ["Config", "ConfigError", "Results", "load_config", "run"]
