"""The page's charts as small SVG pictures: large type for a projector, Okabe-Ito colours, units
on the axes.

Each chart is a function (model, lang) -> SVG text. The pictures are written directly as SVG
(lines, bars, text), which the browser draws: a month of six charts costs the server about a
millisecond per chart, where drawing them with matplotlib cost about a second, and nothing is
kept once a picture has been sent (no figure objects to close).
"""

from __future__ import annotations

import math

import numpy as np

from classroom.simulation import DOMAINS, GRID, PAYERS, PLACES
from classroom.text import DOMAIN_COLOURS, LINE_COLOURS, OKABE_ITO, PAYER_COLOURS, PLACE_COLOURS, domain_name, \
    line_name, t
from model.care.services import LINES

FONT = 15                     # tick labels FONT - 1, axis labels FONT, titles FONT + 2 (pixels)
W, H = 520, 320               # the picture's size in pixels; the page scales it to the column
FAMILY = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
GRID_COLOUR = "#B0B0B0"
MINUS = "\u2212"


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


class Svg:
    """An SVG picture built from a few primitives."""

    def __init__(self, width: int = W, height: int = H):
        self.width, self.height = width, height
        self.parts: list[str] = []

    def text(self, x, y, text, size=FONT - 1, anchor="start", colour="#000000", rotate=False, weight=None,
             baseline="central"):
        attrs = f'x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}" dominant-baseline="{baseline}"'
        if colour != "#000000":
            attrs += f' fill="{colour}"'
        if weight:
            attrs += f' font-weight="{weight}"'
        if rotate:
            attrs += f' transform="rotate(-90 {_num(x)} {_num(y)})"'
        self.parts.append(f"<text {attrs}>{_esc(text)}</text>")

    def line(self, x1, y1, x2, y2, colour="#000000", width=1.0, dash=None, opacity=None):
        extra = (f' stroke-dasharray="{dash}"' if dash else "") + (f' stroke-opacity="{opacity}"' if opacity else "")
        self.parts.append(f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
                          f'stroke="{colour}" stroke-width="{width}"{extra}/>')

    def rect(self, x, y, w, h, fill, stroke=None, opacity=None):
        extra = (f' stroke="{stroke}" stroke-width="1"' if stroke else "") + \
                (f' fill-opacity="{opacity}"' if opacity else "")
        self.parts.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" height="{_num(max(h, 0))}" '
                          f'fill="{fill}"{extra}/>')

    def polyline(self, xs, ys, colour, width=3.0, dash=None):
        points = " ".join(f"{_num(x)},{_num(y)}" for x, y in zip(xs, ys))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="{width}" '
                          f'stroke-linejoin="round"{extra}/>')

    def dot(self, x, y, colour, r=3.5):
        self.parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{r}" fill="{colour}"/>')

    def title(self, text: str, x: float, size: int = FONT + 2):
        for i, part in enumerate(text.split("\n")):
            self.text(x, 16 + i * (size + 3), part, size=size)

    def render(self) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" height="{self.height}" '
                f'viewBox="0 0 {self.width} {self.height}" font-family="{FAMILY}">'
                f'<rect width="{self.width}" height="{self.height}" fill="#FFFFFF"/>' + "".join(self.parts) + "</svg>")


def ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) covering [low, high]."""
    span = high - low
    if not span > 0:
        return [low]
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(s * power for s in (1, 2, 2.5, 5, 10) if s * power >= raw - 1e-12)
    first = math.ceil(low / step - 1e-9)
    out = []
    k = first
    while k * step <= high + 1e-9 * span:
        out.append(round(k * step, 10))
        k += 1
    return out


def tick_label(v: float, values: list[float]) -> str:
    step = abs(values[1] - values[0]) if len(values) > 1 else 1.0
    decimals = 0 if step >= 1 else min(3, max(1, -math.floor(math.log10(step) + 1e-9) + (1 if step * 10 % 1 else 0)))
    text = f"{abs(v):,.{decimals}f}"
    return (MINUS + text) if v < 0 and float(text.replace(",", "")) != 0 else text


class Axes:
    """A plotting box inside the picture, from data to pixels."""

    def __init__(self, svg: Svg, left: float, right: float, top: float, bottom: float, xlim, ylim):
        self.svg = svg
        self.box = (left * svg.width, right * svg.width, top * svg.height, bottom * svg.height)
        self.xlim, self.ylim = xlim, ylim

    def x(self, v):
        x0, x1 = self.box[:2]
        return x0 + (v - self.xlim[0]) / ((self.xlim[1] - self.xlim[0]) or 1) * (x1 - x0)

    def y(self, v, ylim=None):
        lo, hi = ylim or self.ylim
        top, bottom = self.box[2:]
        return bottom - (v - lo) / ((hi - lo) or 1) * (bottom - top)

    def frame(self):
        x0, x1, top, bottom = self.box
        self.svg.rect(x0, top, x1 - x0, bottom - top, "none", stroke="#000000")

    def xaxis(self, label: str, grid: bool = False, values=None):
        x0, x1, top, bottom = self.box
        values = ticks(*self.xlim) if values is None else values
        for v in values:
            x = self.x(v)
            if grid:
                self.svg.line(x, top, x, bottom, GRID_COLOUR, 0.8, opacity=0.6)
            self.svg.line(x, bottom, x, bottom + 4)
            self.svg.text(x, bottom + 14, tick_label(v, values), anchor="middle")
        self.svg.text((x0 + x1) / 2, bottom + 34, label, size=FONT, anchor="middle")

    def yaxis(self, label: str, grid: bool = False, ylim=None, right: bool = False, colour="#000000"):
        x0, x1, top, bottom = self.box
        lo, hi = ylim or self.ylim
        values = ticks(lo, hi)
        width = 0
        for v in values:
            y = self.y(v, (lo, hi))
            if grid:
                self.svg.line(x0, y, x1, y, GRID_COLOUR, 0.8, opacity=0.6)
            text = tick_label(v, values)
            width = max(width, len(text))
            if right:
                self.svg.line(x1, y, x1 + 4, y)
                self.svg.text(x1 + 7, y, text)
            else:
                self.svg.line(x0 - 4, y, x0, y)
                self.svg.text(x0 - 7, y, text, anchor="end")
        offset = 18 + 9.5 * width
        self.svg.text(x1 + offset if right else x0 - offset, (top + bottom) / 2, label, size=FONT, rotate=True,
                      anchor="middle", colour=colour)


def _legend(svg: Svg, x: float, y: float, entries, ncols: int, col_width: float, title: str | None = None,
            size: int = FONT - 3):
    """Entries (label, colour, style) in rows of `ncols`; style 'line', 'dot-line' or 'dash'."""
    if title:
        svg.text(x + ncols * col_width / 2, y, title, size=size, anchor="middle")
        y += size + 5
    for i, (label, colour, style) in enumerate(entries):
        cx, cy = x + (i % ncols) * col_width, y + (i // ncols) * (size + 7)
        svg.line(cx, cy, cx + 22, cy, colour, 3, dash="6,3" if style == "dash" else None)
        if style == "dot-line":
            svg.dot(cx + 11, cy, colour)
        svg.text(cx + 28, cy, label, size=size)


def _months(history) -> list[float]:
    return [h["month"] for h in history]


def neighbourhood(model, lang: str) -> str:
    places = model.places()
    n = len(places)
    svg = Svg()
    svg.title(t("c.neighbourhood", lang, n=n), 8)
    side = 270
    cell = side / GRID
    x0, y0 = 8, 38
    svg.rect(x0, y0, side, side, PLACE_COLOURS[0])
    for i in np.flatnonzero(places):
        row, col = divmod(int(i), GRID)
        svg.rect(x0 + col * cell, y0 + row * cell, cell + 0.2, cell + 0.2, PLACE_COLOURS[places[i]])
    svg.rect(x0, y0, side, side, "none", stroke="#000000")
    counts = np.bincount(places, minlength=len(PLACES)) if n else np.zeros(len(PLACES), dtype=int)
    top = y0 + side / 2 - len(PLACES) * 22 / 2
    for i, p in enumerate(PLACES):
        y = top + i * 22 + 11
        svg.rect(292, y - 6, 24, 12, PLACE_COLOURS[i], stroke="#777777")
        svg.text(324, y, f"{t('place.' + p, lang)} ({counts[i]})", size=FONT - 1)
    return svg.render()


def flows(model, lang: str) -> str:
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
    svg = Svg()
    svg.title(t("c.flows", lang), 8)
    ax = Axes(svg, 0.38, 0.93, 0.1, 0.83, (0, max(max(values) * 1.18, 1.0)), (-0.5, len(values) - 0.5))
    row = (ax.box[3] - ax.box[2]) / len(values)
    for i, (label, v, colour) in enumerate(zip(labels, values, colours)):
        y = ax.box[2] + (i + 0.5) * row
        svg.rect(ax.x(0), y - 0.4 * row, ax.x(v) - ax.x(0), 0.8 * row, colour)
        svg.text(ax.box[0] - 6, y, label, size=FONT - 3, anchor="end")
        svg.text(ax.x(v) + 3, y, f"{v:.0f}", size=FONT - 3)
    ax.frame()
    ax.xaxis(t("c.flows.x", lang))
    return svg.render()


def _time_axes(svg, model, right=0.97, ylim=(0, 1)) -> Axes:
    return Axes(svg, 0.14, right, 0.1, 0.83, (0, max(12, model.month)), ylim)


def _series(svg: Svg, ax: Axes, model, key, index, colour, baseline=True):
    if baseline and model.baseline_history:
        svg.polyline([ax.x(m) for m in _months(model.baseline_history)],
                     [ax.y(h[key][index]) for h in model.baseline_history], colour, 2, dash="2,3")
    if model.history:
        xs = [ax.x(m) for m in _months(model.history)]
        ys = [ax.y(h[key][index]) for h in model.history]
        svg.polyline(xs, ys, colour, 3)
        if len(model.history) < 3:
            for x, y in zip(xs, ys):
                svg.dot(x, y, colour)


def clients(model, lang: str) -> str:
    svg = Svg()
    svg.title(t("c.clients", lang), 0.14 * W)
    top = max([max(h["clients"]) for h in model.history + model.baseline_history] + [10])
    ax = _time_axes(svg, model, ylim=(0, 1.45 * top))
    ax.xaxis(t("x.month", lang), grid=True)
    ax.yaxis(t("c.clients.y", lang), grid=True)
    for i in range(len(LINES)):
        _series(svg, ax, model, "clients", i, LINE_COLOURS[i])
    ax.frame()
    _legend(svg, ax.box[0] + 8, ax.box[2] + 12, [(line_name(ln, lang), LINE_COLOURS[i], "dot-line")
                                                 for i, ln in enumerate(LINES)], 3, 120, title=t("baseline", lang))
    return svg.render()


def money(model, lang: str) -> str:
    spend = model.cumulative_spending() if model.history else {p: (0, 0, 0) for p in PAYERS}
    diffs = [spend[p][2] / 1000 for p in PAYERS]
    big = max([abs(v) for v in diffs] + [1.0])
    svg = Svg()
    svg.title(t("c.money", lang).replace(" (", "\n("), 0.36 * W, size=FONT + 1)
    ax = Axes(svg, 0.36, 0.97, 0.16, 0.83, (-1.35 * big, 1.35 * big), (0, len(PAYERS)))
    ax.xaxis(t("c.money.x", lang), grid=True)
    row = (ax.box[3] - ax.box[2]) / len(PAYERS)
    for i, (p, v) in enumerate(zip(PAYERS, diffs)):
        y = ax.box[2] + (i + 0.5) * row
        left, right = sorted((ax.x(0), ax.x(v)))
        svg.rect(left, y - 0.4 * row, right - left, 0.8 * row, PAYER_COLOURS[p])
        svg.text(ax.box[0] - 6, y, t(f"payer.{p}", lang), size=FONT - 1, anchor="end")
        text = f"{v:+,.0f}".replace("-", MINUS)
        svg.text(ax.x(v) + (4 if v >= 0 else -4), y, text, size=FONT - 2, anchor="start" if v >= 0 else "end")
    svg.line(ax.x(0), ax.box[2], ax.x(0), ax.box[3])
    ax.frame()
    return svg.render()


def health(model, lang: str) -> str:
    svg = Svg()
    svg.title(t("c.health", lang), 0.14 * W)
    ax = _time_axes(svg, model, ylim=(0, 1))
    ax.xaxis(t("x.month", lang), grid=True)
    ax.yaxis(t("c.health.y", lang), grid=True)
    for i in range(len(DOMAINS)):
        _series(svg, ax, model, "health", i, DOMAIN_COLOURS[i])
    if model.history:
        svg.polyline([ax.x(m) for m in _months(model.history)], [ax.y(h["health_gap"]) for h in model.history],
                     OKABE_ITO["black"], 3, dash="8,4")
    ax.frame()
    entries = [(domain_name(d, lang), DOMAIN_COLOURS[i], "dot-line") for i, d in enumerate(DOMAINS)]
    entries.append((t("gap", lang), OKABE_ITO["black"], "dash"))
    _legend(svg, ax.box[0] + 8, (ax.box[2] + ax.box[3]) / 2 + 20, entries, 2, 130)
    return svg.render()


def waiting(model, lang: str) -> str:
    svg = Svg()
    svg.title(t("c.waiting", lang), 0.14 * W)
    top = max([max(h["waiting"]) for h in model.history + model.baseline_history] + [10])
    ax = _time_axes(svg, model, right=0.86, ylim=(0, 1.4 * top))
    ax.xaxis(t("x.month", lang), grid=True)
    ax.yaxis(t("c.waiting.y", lang), grid=True)
    crises_top = max([h["crises"] for h in model.history] + [4]) * 3
    ax.yaxis(t("crises", lang), ylim=(0, crises_top), right=True, colour=OKABE_ITO["purple"])
    bar = ax.x(0.9) - ax.x(0)
    for h in model.history:
        y = ax.y(h["crises"], (0, crises_top))
        svg.rect(ax.x(h["month"]) - bar / 2, y, bar, ax.box[3] - y, OKABE_ITO["purple"], opacity=0.5)
    for i in range(len(LINES)):
        _series(svg, ax, model, "waiting", i, LINE_COLOURS[i])
    ax.frame()
    _legend(svg, ax.box[0] + 8, ax.box[2] + 12, [(line_name(ln, lang), LINE_COLOURS[i], "dot-line")
                                                 for i, ln in enumerate(LINES)], 3, 110)
    return svg.render()


CHARTS = (neighbourhood, flows, clients, money, health, waiting)
