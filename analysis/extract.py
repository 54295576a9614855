"""What a scenario comparison keeps of one run: a few hundred rows instead of the full tables.

A comparison runs every scenario many times, so each run is reduced, in the worker that ran
it, to one tidy table with exactly what the report needs (region level only):

- table "measure": the headline measures, one value per run (yearly averages, or the last
  year's mean for health);
- table "yearly": per simulated year, the series drawn over time (clients per line, cost per
  financier, health, health gap, unmet need of low-income residents);
- table "monthly": clients per line per month (volume over time);
- table "flow": referrals between lines per year (line -> to_line);
- table "money": per financier and year on average, care paid per line, contributions paid
  into a pot (preventiefonds, regional budget) and shared savings received: who pays, who saves.

Columns: table, period (month, year or -1), metric, line, to_line, domain, financier, group,
value. An empty dimension is one a row is not broken down by; the measure `cost` per financier
is the net outlay (care, contributions, less savings received), so it does not add up to `cost`
with an empty financier (care paid). Figures are read from the model's timeseries as single
rows (`model.engine.results.select`), in which an empty dimension is the total over it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.engine.results import select

LINES = ("nulde", "eerste", "tweede")
DOMAINS = ("physical", "mental", "social")
# who pays: the ultimate payers, then the pots they fill (spending of a pot is paid from contributions)
PAYERS = ("municipality", "insurer", "residents", "employers")
POTS = ("preventiefonds", "regional_budget")
FINANCIERS = PAYERS + POTS
COLUMNS = ("table", "period", "metric", "line", "to_line", "domain", "financier", "group", "value")


class _Rows:
    """Collects tidy rows; dims default to empty."""

    def __init__(self):
        self.rows: list[tuple] = []

    def add(self, table, period, metric, value, line="", to_line="", domain="", financier="", group=""):
        self.rows.append((table, int(period), metric, line, to_line, domain, financier, group, float(value)))

    def add_series(self, table, series: pd.Series, metric, **dims):
        for period, value in series.items():
            self.add(table, period, metric, value, **dims)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(COLUMNS))


def _monthly(region: pd.DataFrame, months: int, metric: str, **dims) -> pd.Series:
    """A region metric per month for the given dimension values, at the total over the
    dimensions not given; 0 where absent."""
    s = select(region, metric, **dims).set_index("month")["value"]
    return s.reindex(np.arange(months), fill_value=0.0)


def extract(results) -> pd.DataFrame:
    """Reduce one run's `Results` to the tidy table described in the module docstring."""
    cfg = results.config
    years, months = cfg.years, 12 * cfg.years
    ts = results.timeseries
    region = ts[ts["municipality"] == "region"]
    year_of = np.arange(months) // 12
    last_year = year_of == years - 1
    out = _Rows()

    def yearly_mean(s):
        return s.groupby(year_of).mean()

    def yearly_sum(s):
        return s.groupby(year_of).sum()

    residents = _monthly(region, months, "residents")
    out.add("measure", -1, "residents", residents.mean())

    for line in LINES:
        clients = _monthly(region, months, "clients", line=line)
        out.add("measure", -1, "clients", clients.mean(), line=line)
        out.add_series("yearly", yearly_mean(clients), "clients", line=line)
        out.add_series("monthly", clients, "clients", line=line)
        out.add("measure", -1, "waiting", _monthly(region, months, "waiting", line=line).mean(), line=line)
        out.add("measure", -1, "waiting_months", _monthly(region, months, "waiting_months", line=line).mean(),
                line=line)
        for to_line in LINES:
            flow = _monthly(region, months, "referrals", line=line, to_line=to_line).sum() / years
            out.add("flow", -1, "referrals", flow, line=line, to_line=to_line)

    for group in ("", "income_low"):
        crises = _monthly(region, months, "crises", group=group)
        out.add("measure", -1, "crises", crises.sum() / years, group=group)
        out.add_series("yearly", yearly_sum(crises), "crises", group=group)
        unmet = _monthly(region, months, "unmet_need", group=group)
        out.add("measure", -1, "unmet_need", unmet.mean(), group=group)
        out.add_series("yearly", yearly_mean(unmet), "unmet_need", group=group)

    for domain in DOMAINS:
        health = _monthly(region, months, "health", domain=domain)
        out.add("measure", -1, "health", health[last_year].mean(), domain=domain)
        out.add_series("yearly", yearly_mean(health), "health", domain=domain)
    gap = _monthly(region, months, "health_gap")
    out.add("measure", -1, "health_gap", gap[last_year].mean())
    out.add_series("yearly", yearly_mean(gap), "health_gap")
    loss = _monthly(region, months, "productivity_loss")
    out.add("measure", -1, "productivity_loss", loss.sum() / years, financier="employers")
    out.add_series("yearly", yearly_sum(loss), "productivity_loss", financier="employers")

    _money(results.ledger, years, out)
    df = out.frame()
    for col in ("table", "metric", "line", "to_line", "domain", "financier", "group"):
        df[col] = df[col].astype("category")
    return df


def _money(ledger: pd.DataFrame, years: int, out: _Rows) -> None:
    """Care paid per financier and line, contributions paid, shared savings received; cost per
    line; and the net outlay per financier (care + contributions - savings received)."""
    led = pd.DataFrame({
        "year": ledger["month"].to_numpy() // 12,
        "payer": ledger["payer"].astype(str).to_numpy(),
        "receiver": ledger["provider_type"].astype(str).to_numpy(),
        "line": ledger["line"].astype(str).to_numpy(),
        "kind": ledger["kind"].astype(str).to_numpy(),
        "amount": ledger["amount"].to_numpy(),
    })
    care = led[led["kind"] == "care"]
    contributions = led[led["kind"] == "contribution"]
    savings = led[led["kind"] == "shared_savings"]
    yrs = np.arange(years)

    out.add("measure", -1, "cost", care["amount"].sum() / years)
    by_line = care.groupby("line")["amount"].sum()
    for line in LINES:
        out.add("measure", -1, "cost", by_line.get(line, 0.0) / years, line=line)
        out.add_series("yearly", care[care["line"] == line].groupby("year")["amount"].sum()
                       .reindex(yrs, fill_value=0.0), "cost", line=line)

    care_fl = care.groupby(["payer", "line"])["amount"].sum()
    paid_in = contributions.groupby("payer")["amount"].sum()
    received = savings.groupby("receiver")["amount"].sum()
    for fin in FINANCIERS:
        for line in LINES:
            out.add("money", -1, "care", care_fl.get((fin, line), 0.0) / years, line=line, financier=fin)
        out.add("money", -1, "contributions", paid_in.get(fin, 0.0) / years, financier=fin)
        out.add("money", -1, "shared_savings_received", received.get(fin, 0.0) / years, financier=fin)
        net = (care[care["payer"] == fin].groupby("year")["amount"].sum().reindex(yrs, fill_value=0.0)
               + contributions[contributions["payer"] == fin].groupby("year")["amount"].sum()
               .reindex(yrs, fill_value=0.0)
               - savings[savings["receiver"] == fin].groupby("year")["amount"].sum().reindex(yrs, fill_value=0.0))
        out.add_series("yearly", net, "cost", financier=fin)
        if fin in PAYERS:
            out.add("measure", -1, "cost", net.sum() / years, financier=fin)
