"""The page's charts as matplotlib figures: large type for a projector, Okabe-Ito colours, units
on the axes. Figures are made with `matplotlib.figure.Figure` (not pyplot), so nothing is kept
once the page has shown them.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from classroom.simulation import DOMAINS, GRID, PAYERS, PLACES
from classroom.text import DOMAIN_COLOURS, LINE_COLOURS, OKABE_ITO, PAYER_COLOURS, PLACE_COLOURS, domain_name, \
    line_name, t
from model.care.services import LINES

FONT = 15
SIZE = (7.2, 4.4)


def _figure(title: str, **margins) -> tuple[Figure, object]:
    margins = {"left": 0.14, "right": 0.97, "top": 0.88, "bottom": 0.17, **margins}
    fig = Figure(figsize=SIZE)
    fig.subplots_adjust(**margins)
    ax = fig.subplots()
    ax.set_title(title, fontsize=FONT + 2, loc="left")
    ax.tick_params(labelsize=FONT - 1)
    return fig, ax


def _months(history) -> np.ndarray:
    return np.array([h["month"] for h in history])


def neighbourhood(model, lang: str) -> Figure:
    places = model.places()
    n = len(places)
    fig = Figure(figsize=SIZE)
    fig.subplots_adjust(left=0.02, right=0.58, top=0.88, bottom=0.03)
    ax = fig.subplots()
    ax.set_title(t("c.neighbourhood", lang, n=n), fontsize=FONT + 2, loc="left")
    grid = np.full(GRID * GRID, len(PLACES) - 1, dtype=np.int8)
    grid[:n] = places
    colours = np.array([[int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in PLACE_COLOURS])
    ax.imshow(colours[grid.reshape(GRID, GRID)], interpolation="nearest")
    ax.set_xticks([]), ax.set_yticks([])
    counts = np.bincount(places, minlength=len(PLACES)) if n else np.zeros(len(PLACES), dtype=int)
    handles = [Patch(facecolor=PLACE_COLOURS[i], edgecolor="#777777",
                     label=f"{t('place.' + p, lang)} ({counts[i]})") for i, p in enumerate(PLACES)]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=FONT - 1, frameon=False)
    return fig


def flows(model, lang: str) -> Figure:
    fig, ax = _figure(t("c.flows", lang), left=0.38, right=0.95)
    h = model.history[-1] if model.history else None
    labels, values, colours = [], [], []
    names = [line_name(ln, lang) for ln in LINES]
    for b, to in enumerate(names):
        labels.append(t("flow.new", lang, to=to))
        values.append(h["new"][b] if h else 0)
        colours.append(LINE_COLOURS[b])
    for a, frm in enumerate(names):
        for b, to in enumerate(names):
            if a != b:
                labels.append(t("flow.ref", lang, frm=frm, to=to))
                values.append(h["referrals"][a][b] if h else 0)
                colours.append(LINE_COLOURS[b])
    for a, frm in enumerate(names):
        labels.append(t("flow.out", lang, frm=frm))
        values.append(h["discharges"][a] if h else 0)
        colours.append(OKABE_ITO["grey"])
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=colours)
    ax.set_yticks(y, labels, fontsize=FONT - 3)
    ax.set_xlabel(t("c.flows.x", lang), fontsize=FONT)
    for yi, v in zip(y, values):
        ax.text(v, yi, f" {v:.0f}", va="center", fontsize=FONT - 3)
    ax.margins(x=0.15)
    return fig


def _series(ax, model, key, index, colour, label, baseline=True):
    if model.history:
        ax.plot(_months(model.history), [h[key][index] for h in model.history], color=colour, lw=3, label=label,
                marker="o" if len(model.history) < 3 else None)
    if baseline and model.baseline_history:
        ax.plot(_months(model.baseline_history), [h[key][index] for h in model.baseline_history], color=colour,
                lw=2, ls=":")


def _time_axis(ax, model, lang):
    ax.set_xlabel(t("x.month", lang), fontsize=FONT)
    ax.set_xlim(0, max(12, model.month))
    ax.grid(alpha=0.3)


def clients(model, lang: str) -> Figure:
    fig, ax = _figure(t("c.clients", lang))
    for i, ln in enumerate(LINES):
        _series(ax, model, "clients", i, LINE_COLOURS[i], line_name(ln, lang))
    ax.set_ylabel(t("c.clients.y", lang), fontsize=FONT)
    _time_axis(ax, model, lang)
    top = max([max(h["clients"]) for h in model.history + model.baseline_history] + [10])
    ax.set_ylim(0, 1.45 * top)
    ax.legend(fontsize=FONT - 3, title=t("baseline", lang), title_fontsize=FONT - 3, loc="upper left", ncols=3,
              frameon=False)
    return fig


def money(model, lang: str) -> Figure:
    fig, ax = _figure(t("c.money", lang), left=0.36, top=0.84)
    ax.set_title(t("c.money", lang).replace(" (", "\n("), fontsize=FONT + 1, loc="left")
    spend = model.cumulative_spending() if model.history else {p: (0, 0, 0) for p in PAYERS}
    labels = [t(f"payer.{p}", lang) for p in PAYERS]
    diffs = [spend[p][2] / 1000 for p in PAYERS]
    y = np.arange(len(PAYERS))[::-1]
    ax.barh(y, diffs, color=[PAYER_COLOURS[p] for p in PAYERS])
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(y, labels, fontsize=FONT - 1)
    ax.set_xlabel(t("c.money.x", lang), fontsize=FONT)
    for yi, v in zip(y, diffs):
        ax.text(v, yi, f" {v:+,.0f} ", va="center", ha="left" if v >= 0 else "right", fontsize=FONT - 2)
    big = max([abs(v) for v in diffs] + [1.0])
    ax.set_xlim(-1.35 * big, 1.35 * big)
    ax.grid(axis="x", alpha=0.3)
    return fig


def health(model, lang: str) -> Figure:
    fig, ax = _figure(t("c.health", lang))
    for i, dom in enumerate(DOMAINS):
        _series(ax, model, "health", i, DOMAIN_COLOURS[i], domain_name(dom, lang))
    if model.history:
        ax.plot(_months(model.history), [h["health_gap"] for h in model.history], color=OKABE_ITO["black"],
                lw=3, ls="--", label=t("gap", lang))
    ax.set_ylabel(t("c.health.y", lang), fontsize=FONT)
    _time_axis(ax, model, lang)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=FONT - 3, loc="center left", ncols=2, frameon=False)
    return fig


def waiting(model, lang: str) -> Figure:
    fig, ax = _figure(t("c.waiting", lang), right=0.88)
    for i, ln in enumerate(LINES):
        _series(ax, model, "waiting", i, LINE_COLOURS[i], line_name(ln, lang))
    ax.set_ylabel(t("c.waiting.y", lang), fontsize=FONT)
    _time_axis(ax, model, lang)
    top = max([max(h["waiting"]) for h in model.history + model.baseline_history] + [10])
    ax.set_ylim(0, 1.4 * top)
    right = ax.twinx()
    if model.history:
        right.bar(_months(model.history), [h["crises"] for h in model.history], color=OKABE_ITO["purple"],
                  alpha=0.5, width=0.9, label=t("crises", lang))
    right.set_ylabel(t("crises", lang), fontsize=FONT, color=OKABE_ITO["purple"])
    right.tick_params(labelsize=FONT - 1)
    right.set_ylim(bottom=0, top=max([h["crises"] for h in model.history] + [4]) * 3)
    ax.legend(fontsize=FONT - 3, loc="upper left", ncols=3, frameon=False)
    return fig


CHARTS = (neighbourhood, flows, clients, money, health, waiting)
