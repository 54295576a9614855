"""What a sensitivity study keeps of one run: a few outputs for the whole run and per year.

The reducer `outputs` is called in the worker that ran the job (named as
"analysis.sensitivity:outputs"), so only a small dict travels back. Outputs are read from the
region's timeseries as single rows (`model.engine.results.select`: an empty dimension is the total).

| output | meaning (run value; the yearly value is the same for one simulated year) |
|---|---|
| cost_municipality, cost_insurer, cost_residents | care paid by the financier, euro per year |
| clients_nulde, clients_eerste, clients_tweede | residents in care in the line, mean per month |
| crises | crises per year |
| unmet_need | residents with an unmet need, mean per month |
| health_gap | health gap between low- and high-income residents, mean per month |
"""

from __future__ import annotations

import numpy as np

from model.engine.results import select

FINANCIERS = ("municipality", "insurer", "residents")
LINES = ("nulde", "eerste", "tweede")
# output -> (metric, dimensions, how months make a year: "sum" for flows, "mean" for stocks)
OUTPUTS = {
    **{f"cost_{f}": ("cost", {"financier": f}, "sum") for f in FINANCIERS},
    **{f"clients_{line}": ("clients", {"line": line}, "mean") for line in LINES},
    "crises": ("crises", {}, "sum"),
    "unmet_need": ("unmet_need", {}, "mean"),
    "health_gap": ("health_gap", {}, "mean"),
}
UNITS = {**{f"cost_{f}": "euro per year" for f in FINANCIERS},
         **{f"clients_{line}": "clients per month" for line in LINES},
         "crises": "crises per year", "unmet_need": "residents per month", "health_gap": "health"}


def outputs(results) -> dict:
    """{"run": {output: value}, "years": {output: [value per simulated year]}, "start_year": year}:
    for flows the yearly sum (the run value is the mean over the years), for stocks the monthly
    mean (over the year, and over the run)."""
    cfg = results.config
    months = 12 * cfg.years
    region = results.timeseries[results.timeseries["municipality"] == "region"]
    run, years = {}, {}
    for name, (metric, dims, how) in OUTPUTS.items():
        series = select(region, metric, **dims).set_index("month")["value"]
        monthly = series.reindex(np.arange(months), fill_value=0.0).to_numpy(float)
        by_year = monthly.reshape(cfg.years, 12)
        yearly = by_year.sum(axis=1) if how == "sum" else by_year.mean(axis=1)
        years[name] = [float(v) for v in yearly]
        run[name] = float(yearly.mean())
    return {"run": run, "years": years, "start_year": int(cfg.start_year)}
