"""Figures of one run."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from model.engine.results import select  # noqa: E402
from model.provenance import write_atomic  # noqa: E402

LINE_COLOURS = {"nulde": "#2a9d8f", "eerste": "#e9c46a", "tweede": "#e76f51"}
DOMAIN_COLOURS = {"physical": "#457b9d", "mental": "#9b5de5", "social": "#f4a261"}


def save_figure(fig, path: str | Path, **savefig_args) -> Path:
    """Write `fig` as a PNG file, whole or not at all (`write_atomic`), and close it."""
    write_atomic(path, lambda tmp: fig.savefig(tmp, format="png", **{"dpi": 110, **savefig_args}))
    plt.close(fig)
    return Path(path)


def overview_figure(results, path: str | Path) -> Path:
    """Four panels: clients per line, cost per financier, health per domain, waiting per line."""
    ts = results.timeseries
    region = ts[ts["municipality"] == "region"]
    start = results.config.start_year
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)

    def series(metric, **dims):
        s = select(region, metric, **dims)
        return start + s["month"].to_numpy() / 12.0, s["value"].to_numpy()

    ax = axes[0, 0]
    for line, colour in LINE_COLOURS.items():
        ax.plot(*series("clients", line=line), label=f"{line} lijn", color=colour)
    ax.set(title="Clients in care per line", ylabel="clients", xlabel="year")
    ax.legend(frameon=False)

    ax = axes[0, 1]
    cost = region[(region["metric"] == "cost") & (region["line"] == "") & (region["financier"] != "")]  # all lines
    yearly = cost.assign(year=start + cost["month"] // 12).groupby(["year", "financier"], observed=True)["value"].sum()
    for financier in yearly.index.get_level_values("financier").unique():
        s = yearly.xs(financier, level="financier")
        ax.plot(s.index, s.values / 1e6, marker="o", label=str(financier))
    ax.set(title="Cost per financier", ylabel="million euro per year", xlabel="year")
    ax.legend(frameon=False, fontsize=8)

    ax = axes[1, 0]
    for domain, colour in DOMAIN_COLOURS.items():
        ax.plot(*series("health", domain=domain), label=domain, color=colour)
    ax.set(title="Mean health per domain", ylabel="health (0-1)", xlabel="year")
    ax.legend(frameon=False)

    ax = axes[1, 1]
    for line, colour in LINE_COLOURS.items():
        ax.plot(*series("waiting", line=line), label=f"{line} lijn", color=colour)
    ax.set(title="Waiting lists per line", ylabel="residents waiting", xlabel="year")
    ax.legend(frameon=False)

    name = results.summary.get("scenario", "")
    fig.suptitle(f"carelines - {name} - {results.config.population.size:,} residents, seed {results.config.seed}")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
