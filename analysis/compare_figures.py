"""Figures of a scenario comparison, each drawn from one of the comparison's tidy tables.

- volume: clients per line over time, levels and differences from baseline, with 95% bands
  (table `monthly`);
- cost: the yearly difference in net spending per financier, with intervals (`differences`);
- who_pays: the who-pays-who-saves matrix, scenarios by financier (`who_pays`);
- flows: the shift between lines, referrals per year compared with baseline (`flows`);
- health: health per domain, the health gap, and unmet need and crises of low-income residents
  (`differences`).
Differences within noise (interval includes 0) are drawn in grey.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import MaxNLocator

from analysis.comparison import BASELINE, DIRECTION
from analysis.extract import FINANCIERS, LINES, PAYERS, POTS
from analysis.labels import measure_label, scale_of, value, word

GREY, BETTER, WORSE, NEUTRAL = "#9e9e9e", "#2a9d8f", "#d1495b", "#3d5a80"
DPI = 100


def scenario_colours(scenarios: list[str]) -> dict:
    cmap = plt.get_cmap("tab20")
    others = [s for s in scenarios if s != BASELINE]
    colours = {s: cmap(i % 20) for i, s in enumerate(others)}
    colours[BASELINE] = "black"
    return colours


def make_figures(comparison, folder: Path, lang: str) -> dict[str, Path]:
    """Draw every figure into `folder`; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    scenarios = comparison.meta["scenarios"]
    out = {}
    for name, draw in (("volume", volume), ("cost", cost), ("who_pays", who_pays), ("flows", flows),
                       ("health", health)):
        fig = draw(comparison, scenarios, lang)
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=DPI)
        plt.close(fig)
        out[name] = path
    return out


def _legend(fig, scenarios, colours, ncol=5):
    handles = [plt.Line2D([], [], color=colours[s], lw=2.5 if s == BASELINE else 1.6) for s in scenarios]
    fig.legend(handles, scenarios, loc="lower center", ncol=ncol, frameon=False, fontsize=8.5)


def volume(c, scenarios, lang):
    """Clients in care per line over time: levels (top) and difference from baseline (bottom)."""
    df = c.monthly[c.monthly["metric"] == "clients"]
    colours = scenario_colours(scenarios)
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.6), sharex=True)
    for j, line in enumerate(LINES):
        sub = df[df["line"] == line]
        for s in scenarios:
            g = sub[sub["scenario"] == s].sort_values("calendar_time")
            lw = 2.4 if s == BASELINE else 1.1
            top, bottom = axes[0, j], axes[1, j]
            top.plot(g["calendar_time"], g["mean"], color=colours[s], lw=lw, zorder=3 if s == BASELINE else 2)
            top.fill_between(g["calendar_time"], g["low"], g["high"], color=colours[s], alpha=0.12, lw=0)
            if s != BASELINE:
                bottom.plot(g["calendar_time"], g["diff_mean"], color=colours[s], lw=lw)
                bottom.fill_between(g["calendar_time"], g["diff_low"], g["diff_high"], color=colours[s],
                                    alpha=0.15, lw=0)
        axes[0, j].set_title(word(f"line.{line}", lang).capitalize())
        axes[1, j].axhline(0, color="black", lw=0.8)
    t = _T[lang]
    axes[0, 0].set_ylabel(t["clients"])
    axes[1, 0].set_ylabel(t["clients_diff"])
    for ax in axes[1]:
        ax.set_xlabel(word("year", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes.flat:
        ax.grid(alpha=0.25)
    fig.suptitle(t["volume_title"], fontsize=13)
    fig.tight_layout(rect=(0, 0.09, 1, 0.97))
    _legend(fig, scenarios, colours)
    return fig


def _forest(ax, d: pd.DataFrame, order: list[str], metric: str, lang: str, title: str):  # noqa: F821
    """Difference and interval per scenario as a dot with whiskers (bars for money)."""
    d = d.set_index("scenario").reindex(order)
    y = np.arange(len(order))[::-1]
    direction = DIRECTION.get(metric, 0)
    colours = []
    for _, r in d.iterrows():
        if r["within_noise"]:
            colours.append(GREY)
        elif direction == 0:
            colours.append(NEUTRAL)
        else:
            colours.append(BETTER if np.sign(r["mean"]) == direction else WORSE)
    div, key = scale_of(list(d["mean"]) + list(d["low"]) + list(d["high"]), metric)
    err = np.vstack([d["mean"] - d["low"], d["high"] - d["mean"]]) / div
    if metric in ("cost", "productivity_loss"):
        ax.barh(y, d["mean"] / div, color=colours, height=0.62)
        ax.errorbar(d["mean"] / div, y, xerr=err, fmt="none", ecolor="#333333", elinewidth=1, capsize=2)
    else:
        for k, colour in enumerate(colours):
            ax.errorbar(d["mean"].iloc[k] / div, y[k], xerr=err[:, k:k + 1], fmt="none", ecolor=colour,
                        elinewidth=1.6, capsize=2)
        ax.scatter(d["mean"] / div, y, c=colours, s=26, zorder=3)
    ax.axvline(0, color="black", lw=0.8)
    euro = "€\u00a0" if metric in ("cost", "productivity_loss") else ""  # no line break inside "(€ k)"
    unit = f" ({euro}{word(key, lang)})" if key else ""
    ax.set_title(textwrap.fill(title + unit, 26), fontsize=10)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.set_yticks(y)
    ax.grid(axis="x", alpha=0.25)


def cost(c, scenarios, lang):
    """Yearly difference in spending per financier (net of contributions and shared savings)."""
    order = [s for s in scenarios if s != BASELINE]
    d = c.differences[c.differences["metric"] == "cost"]
    panels = [("", "")] + [(f, "") for f in PAYERS]
    fig, axes = plt.subplots(1, len(panels), figsize=(14, 1.6 + 0.36 * len(order)), sharey=True)
    for ax, (fin, line) in zip(axes, panels):
        sub = d[(d["financier"] == fin) & (d["line"] == line)]
        _forest(ax, sub, order, "cost", lang, measure_label("cost", lang, line=line, financier=fin))
    axes[0].set_yticklabels(order, fontsize=9)
    fig.suptitle(_T[lang]["cost_title"], fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def who_pays(c, scenarios, lang):
    """Matrix of scenarios by financier: yearly net spending difference from baseline."""
    order = [s for s in scenarios if s != BASELINE]
    net = c.who_pays[c.who_pays["component"] == "net"]
    mat = net.pivot(index="scenario", columns="financier", values="mean").reindex(index=order, columns=FINANCIERS)
    noise = net.pivot(index="scenario", columns="financier", values="within_noise").reindex(
        index=order, columns=FINANCIERS)
    # colour only clear differences of the payers; the pots (fund, regional budget) pass on what the
    # payers put in and would swamp the scale, so they are shown in text only
    shade = mat.where(~noise.astype(bool)).copy()
    shade[list(POTS)] = np.nan
    # one extreme scenario would wash out the rest: the scale ends at the 85th percentile (extremes
    # saturate; the numbers in the cells stay exact)
    payers = np.abs(mat[list(PAYERS)].to_numpy(dtype=float))
    payers = payers[np.isfinite(payers) & (payers > 0)]
    vmax = float(np.percentile(payers, 85)) if payers.size else 1.0
    fig, ax = plt.subplots(figsize=(12, 2.0 + 0.42 * len(order)))
    cmap = plt.get_cmap("RdBu_r").copy()
    cmap.set_bad("#f3f4f6")
    ax.imshow(np.ma.masked_invalid(shade.to_numpy(dtype=float)), cmap=cmap, norm=TwoSlopeNorm(0, -vmax, vmax),
              aspect="auto")
    for i in range(len(order)):
        for j in range(len(FINANCIERS)):
            v = mat.iat[i, j]
            if not np.isfinite(v) or (v == 0 and noise.iat[i, j]):
                ax.text(j, i, "·", ha="center", va="center", color=GREY)
                continue
            text = value(v, "cost", lang, signed=True)
            quiet = bool(noise.iat[i, j])
            strong = np.isfinite(shade.iat[i, j]) and abs(v) > 0.6 * vmax
            ax.text(j, i, ("≈ " if quiet else "") + text, ha="center", va="center", fontsize=8.5,
                    color=GREY if quiet else ("white" if strong else "black"))
    ax.set_xticks(range(len(FINANCIERS)))
    ax.set_xticklabels([word(f"fin.{f}", lang) for f in FINANCIERS], fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels(order, fontsize=9)
    ax.axvline(len(PAYERS) - 0.5, color="black", lw=1.2)
    ax.set_title(textwrap.fill(_T[lang]["who_pays_title"], 100), fontsize=11.5, pad=28)
    fig.tight_layout()
    return fig


def flows(c, scenarios, lang):
    """Referrals between lines per year: relative change from baseline (cells) and the
    baseline number (column labels)."""
    order = [s for s in scenarios if s != BASELINE]
    f = c.flows.assign(flow=lambda d: d["from_line"] + ">" + d["to_line"])
    base = f.groupby("flow")["baseline"].first()
    keep = [k for k in (f"{a}>{b}" for a in LINES for b in LINES if a != b) if base.get(k, 0) >= 1]
    mat = f.pivot(index="scenario", columns="flow", values="relative_change").reindex(index=order, columns=keep)
    noise = f.pivot(index="scenario", columns="flow", values="within_noise").reindex(index=order, columns=keep)
    pct = mat * 100
    lim = float(np.nanmax(np.abs(pct.to_numpy()))) if pct.size else 1.0
    lim = min(max(lim, 5.0), 100.0)
    fig, ax = plt.subplots(figsize=(12, 1.9 + 0.42 * len(order)))
    cmap = plt.get_cmap("PuOr_r").copy()
    cmap.set_bad("#f3f4f6")
    shade = pct.where(~noise.astype(bool)).to_numpy(dtype=float)
    ax.imshow(np.ma.masked_invalid(shade), cmap=cmap, norm=TwoSlopeNorm(0, -lim, lim), aspect="auto")
    for i in range(len(order)):
        for j in range(len(keep)):
            v = pct.iat[i, j]
            quiet = bool(noise.iat[i, j])
            txt = "–" if not np.isfinite(v) else ("≈ " if quiet else "") + (f"{v:+.0f}%" if abs(v) >= 9.5
                                                                             else f"{v:+.1f}%")
            ax.text(j, i, txt, ha="center", va="center", fontsize=8.5,
                    color=GREY if quiet else ("white" if abs(v) > 0.65 * lim else "black"))
    t = _T[lang]
    labels = []
    for k in keep:
        a, b = k.split(">")
        labels.append(f"{word(f'line.{a}', lang)}\n→ {word(f'line.{b}', lang)}\n"
                      f"({t['base_short']} {value(base[k], 'referrals', lang)}/{word('year', lang)})")
    ax.set_xticks(range(len(keep)))
    ax.set_xticklabels(labels, fontsize=8.5)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(order)))
    ax.set_yticklabels(order, fontsize=9)
    ax.set_title(t["flows_title"], fontsize=12, pad=52)
    fig.tight_layout()
    return fig


def health(c, scenarios, lang):
    """Health per domain, health gap, and unmet need and crises of low-income residents."""
    order = [s for s in scenarios if s != BASELINE]
    d = c.differences
    panels = [("health", "physical", ""), ("health", "mental", ""), ("health", "social", ""),
              ("health_gap", "", ""), ("unmet_need", "", "income_low"), ("crises", "", "income_low")]
    fig, axes = plt.subplots(1, len(panels), figsize=(15, 1.7 + 0.36 * len(order)), sharey=True)
    for ax, (metric, domain, group) in zip(axes, panels):
        sub = d[(d["metric"] == metric) & (d["domain"] == domain) & (d["group"] == group)]
        _forest(ax, sub, order, metric, lang, measure_label(metric, lang, domain=domain, group=group))
        ax.tick_params(axis="x", labelsize=8)
    axes[0].set_yticklabels(order, fontsize=9)
    fig.suptitle(_T[lang]["health_title"], fontsize=13)
    fig.tight_layout(rect=(0, 0, 1, 0.94))
    return fig


_T = {
    "en": {
        "clients": "clients in care", "clients_diff": "difference from baseline",
        "volume_title": "Volume per line: clients in care (mean over replications, 95% band)",
        "cost_title": "Yearly spending per financier: difference from baseline (95% interval; grey = within noise)",
        "who_pays_title": "Who pays, who saves: yearly net spending difference from baseline "
                          "(red = pays more, blue = saves; right of the line: pots filled by the others)",
        "flows_title": "Shift between lines: referrals per year, change from baseline",
        "base_short": "baseline",
        "health_title": "Health and inequality: difference from baseline (green = better, red = worse, "
                        "grey = within noise)",
    },
    "nl": {
        "clients": "cliënten in zorg", "clients_diff": "verschil met huidig stelsel",
        "volume_title": "Volume per lijn: cliënten in zorg (gemiddelde over replicaties, 95%-band)",
        "cost_title": "Uitgaven per financier per jaar: verschil met huidig stelsel (95%-interval; grijs = binnen ruis)",
        "who_pays_title": "Wie betaalt, wie bespaart: verschil in netto-uitgaven per jaar "
                          "(rood = betaalt meer, blauw = bespaart; rechts van de lijn: potten gevuld door de anderen)",
        "flows_title": "Verschuiving tussen lijnen: verwijzingen per jaar, verandering t.o.v. huidig stelsel",
        "base_short": "nu",
        "health_title": "Gezondheid en ongelijkheid: verschil met huidig stelsel (groen = beter, rood = slechter, "
                        "grijs = binnen ruis)",
    },
}
