"""The analyst's comparison report: one content, written as Markdown and as self-contained HTML.

The content is built once as a list of blocks (headings, paragraphs, lists, tables, figures)
from the comparison's tables; `to_markdown` and `to_html` render the same blocks, so the two
versions cannot disagree. The HTML embeds its figures (base64 PNG) and its CSS, so it opens
offline and can be mailed as one file.
"""

from __future__ import annotations

import base64
import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.compare_figures import make_figures
from analysis.comparison import BASELINE, DIRECTION, HEADLINE, MONEY_COMPONENTS
from analysis.extract import FINANCIERS, PAYERS
from analysis.labels import measure_label, number, triple, unit_label, value, word
from analysis.report_text import TEXT

RISK_SCENARIOS = ("bezuiniging_sociale_basis", "substitutie_zonder_middelen")
GLANCE = (("cost", "", "", "", ""), ("cost", "", "municipality", "", ""), ("cost", "", "insurer", "", ""),
          ("clients", "nulde", "", "", ""), ("clients", "tweede", "", "", ""), ("crises", "", "", "", "income_low"),
          ("unmet_need", "", "", "", "income_low"), ("health_gap", "", "", "", ""))
KEY = ["metric", "line", "financier", "domain", "group"]


@dataclass
class Cell:
    text: str
    cls: str = ""   # better, worse, noise, neutral, strong: styling in HTML, ignored in Markdown


def write_report(comparison, folder: Path, lang: str) -> tuple[Path, Path]:
    """Draw the figures and write report.md and report.html into `folder`."""
    figures = make_figures(comparison, folder / "figures", lang)
    blocks = build(comparison, figures, lang, folder)
    md, page = folder / "report.md", folder / "report.html"
    md.write_text(to_markdown(blocks), encoding="utf-8")
    page.write_text(to_html(blocks, TEXT[lang]["title"].format(region=comparison.meta["region"]), lang),
                    encoding="utf-8")
    return md, page


# ---------------------------------------------------------------------------- content
def _title(meta, label, lang) -> str:
    return meta["scenario_info"][label][f"title_{lang}"]


def diff_cell(row, lang, with_interval=True) -> Cell:
    """A difference with its interval, marked within noise, better or worse."""
    metric = row["metric"]
    text = (triple(row["mean"], row["low"], row["high"], metric, lang) if with_interval
            else triple(row["mean"], math.nan, math.nan, metric, lang))
    if row["within_noise"]:
        return Cell("≈ " + text, "noise")
    direction = DIRECTION.get(metric, 0)
    if direction == 0:
        return Cell(text, "neutral")
    return Cell(text, "better" if (row["mean"] > 0) == (direction > 0) else "worse")


def _rows_by_key(differences: pd.DataFrame) -> dict:
    return {(r["scenario"], *(r[k] for k in KEY)): r for _, r in differences.iterrows()}


def build(c, figures: dict, lang: str, folder: Path) -> list:
    t, meta = TEXT[lang], c.meta
    others = [s for s in meta["scenarios"] if s != BASELINE]
    rows = _rows_by_key(c.differences)
    seeds = meta["seeds"]
    blocks = [("h", 1, t["title"].format(region=meta["region"]), "top"),
              ("p", t["meta"].format(
                  population=value(meta["population"], "count", lang), years=meta["years"],
                  start=meta["start_year"], reps=meta["replications"],
                  seeds=f"{seeds[0]}–{seeds[-1]}" if len(seeds) > 1 else seeds[0],
                  crn=t["crn_on"] if meta["crn"] else t["crn_off"], created=meta["created"],
                  runtime=_duration(meta.get("compute_seconds", 0)),
                  wall=_duration(meta.get("runtime_seconds", 0))))]
    if meta["overrides"]:
        blocks.append(("p", t["overrides"].format(overrides=", ".join(meta["overrides"]))))
    blocks.append(("p", t["reading"]))
    sections = [("glance", t["glance"]), ("risk", t["risk"]), ("who", t["who"]), ("roi", t["roi"]),
                ("mech", t["mech"]),
                ("figures", t["figures"]), ("scenarios", t["scenarios"]), ("uncertainty", t["uncertainty"]),
                ("files", t["files"])]
    blocks.append(("toc", t["toc"], sections))

    # at a glance
    blocks += [("h", 2, t["glance"], "glance"), ("p", t["glance_intro"])]
    header = [t["col.scenario"]] + [measure_label(m, lang, line=ln, financier=f, domain=d, group=g)
                                    for m, ln, f, d, g in GLANCE] + [t["glance.roi"]]
    roi = c.roi.set_index("scenario")
    table = []
    for s in others:
        cells = [Cell(s, "strong")] + [diff_cell(rows[(s, *k)], lang, with_interval=False) for k in GLANCE]
        r = roi.loc[s]
        cells.append(Cell(value(r["roi"], "ratio", lang) if r["applicable"] else "–"))
        table.append(cells)
    blocks.append(("table", header, table, "glance"))

    blocks += _risk(c, rows, lang)
    blocks += _who_pays(c, figures, lang)
    blocks += _roi(c, lang)
    blocks += _mechanisms(c, lang)

    blocks += [("h", 2, t["figures"], "figures")]
    for name in ("volume", "cost", "flows", "health"):
        blocks.append(("fig", figures[name], t[f"fig_{name}"], folder))

    blocks += [("h", 2, t["scenarios"], "scenarios")]
    for s in meta["scenarios"]:
        blocks += _scenario(c, s, rows, lang)

    blocks += _uncertainty(c, lang)
    blocks += [("h", 2, t["files"], "files"), ("p", t["files_intro"]),
               ("ul", [f"{name}.csv / .parquet: {t['tbl.' + name]}" for name in c.TABLES]
                + [t["tbl.configs"], t["tbl.runs"], "report.md, report.html, figures/"]),
               ("h", 3, t["limits"], "limits"), ("p", t["limits_text"].format(region=meta["region"]))]
    return blocks


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 90 else f"{seconds:.0f} s"


def _risk(c, rows, lang) -> list:
    t, meta = TEXT[lang], c.meta
    blocks = [("h", 2, t["risk"], "risk")]
    present = [s for s in RISK_SCENARIOS if s in meta["scenarios"]]
    if not present:
        return blocks + [("p", t["risk_missing"])]
    items = []
    for s in present:
        unmet = rows[(s, "unmet_need", "", "", "", "income_low")]
        crises = rows[(s, "crises", "", "", "", "income_low")]
        clear_rise = (unmet["low"] > 0) or (crises["low"] > 0)
        items.append(t["risk_line"].format(
            title=f"{_title(meta, s, lang)} ({s})",
            unmet=diff_cell(unmet, lang).text, crises=diff_cell(crises, lang).text,
            verdict=t["risk_up"] if clear_rise else t["risk_none"]))
    return blocks + [("p", t["risk_intro"].format(years=meta["years"])), ("ul", items)]


def _money_table(c, s, lang) -> tuple[list, list]:
    wp = c.who_pays[c.who_pays["scenario"] == s].set_index(["financier", "component"])
    header = [TEXT[lang]["col.financier"]] + [word(f"comp.{k}", lang) for k in MONEY_COMPONENTS]
    table = []
    for fin in FINANCIERS:
        cells = [Cell(word(f"fin.{fin}", lang), "strong")]
        for comp in MONEY_COMPONENTS:
            r = wp.loc[(fin, comp)]
            row = {"metric": "cost", "mean": r["mean"], "low": r["low"], "high": r["high"],
                   "within_noise": r["within_noise"]}
            if r["mean"] == 0 and r["within_noise"]:
                cells.append(Cell("·", "noise"))
            else:
                cells.append(diff_cell(row, lang, with_interval=comp == "net"))
        table.append(cells)
    return header, table


def _who_pays(c, figures, lang) -> list:
    t = TEXT[lang]
    blocks = [("h", 2, t["who"], "who"), ("p", t["who_intro"]), ("fig", figures["who_pays"], t["fig_who_pays"], None)]
    net = c.who_pays[(c.who_pays["component"] == "net") & c.who_pays["financier"].isin(PAYERS)]
    header = [t["col.scenario"]] + [word(f"fin.{f}", lang) for f in PAYERS]
    table = []
    for s in [x for x in c.meta["scenarios"] if x != BASELINE]:
        sub = net[net["scenario"] == s].set_index("financier")
        table.append([Cell(s, "strong")] + [diff_cell({**sub.loc[f], "metric": "cost"}, lang) for f in PAYERS])
    return blocks + [("table", header, table, "money")]


def _ratio(r, prefix: str, lang: str) -> str:
    """'1.12 [0.74; 1.56]' from the columns <prefix>, <prefix>_low and <prefix>_high."""
    return (f"{value(r[prefix], 'ratio', lang)} [{value(r[prefix + '_low'], 'ratio', lang)}; "
            f"{value(r[prefix + '_high'], 'ratio', lang)}]")


def _share(x: float, lang: str, signed: bool = False) -> str:
    return number(100.0 * x, lang, 1, signed) + "%" if math.isfinite(x) else "–"


def _roi(c, lang) -> list:
    """The ROI over the horizon per scenario, the baseline's drift, and the ROI by year of each
    scenario where it applies."""
    t, meta = TEXT[lang], c.meta
    roi = c.roi
    first, last = meta["start_year"], meta["start_year"] + meta["years"] - 1
    blocks = [("h", 2, t["roi"], "roi"),
              ("p", t["roi_intro"].format(years=meta["years"], first=first, last=last,
                                          rate=_share(meta["discount_rate"], lang)))]
    header = [t["col.scenario"], t["col.extra"], t["col.avoided"], t["col.productivity"], t["col.roi"],
              t["col.roi_undiscounted"]]
    table = []
    for _, r in roi.iterrows():
        cells = [Cell(r["scenario"], "strong")]
        for name in ("extra_nulde", "avoided_care", "avoided_productivity"):
            cells.append(Cell(triple(r[f"{name}_mean"], r[f"{name}_low"], r[f"{name}_high"], "cost", lang)))
        if r["applicable"]:
            cells += [Cell(_ratio(r, "roi", lang), "strong"), Cell(value(r["roi_undiscounted"], "ratio", lang))]
        else:
            cells += [Cell(t["roi_na"].format(reason=t[f"roi_reason.{r['reason']}"]), "noise"), Cell("–", "noise")]
        table.append(cells)
    blocks.append(("table", header, table, "roi"))
    blocks += _drift(c, lang)
    blocks.append(("h", 3, t["roi_by_year"], "roi-by-year"))
    applicable = roi.loc[roi["applicable"], "scenario"].tolist()
    if not applicable:
        return blocks + [("p", t["roi_by_year_none"])]
    blocks.append(("p", t["roi_by_year_intro"]))
    header = [t["col.year"], t["col.extra"], t["col.avoided"], t["col.productivity"], t["col.roi_year"],
              t["col.roi_cumulative"], t["col.avoided_share"]]
    base_tweede = c.baseline_drift.set_index(["metric", "line"]).loc[("cost", "tweede")]
    for s in applicable:
        rows = c.roi_by_year[c.roi_by_year["scenario"] == s]
        table = []
        for _, r in rows.iterrows():
            cells = [Cell(str(int(r["calendar_year"])), "strong")]
            for name in ("extra_nulde", "avoided_care", "avoided_productivity"):
                cells.append(Cell(triple(r[f"{name}_mean"], r[f"{name}_low"], r[f"{name}_high"], "cost", lang)))
            for label in ("year", "cumulative"):
                cells.append(Cell(_ratio(r, f"roi_{label}", lang)) if r[f"applicable_{label}"]
                             else Cell(t["roi_na_short"], "noise"))
            cells.append(Cell(_share(r["avoided_care_share"], lang, signed=True)))
            table.append(cells)
        blocks += [("h", 4, f"{s}: {_title(meta, s, lang)}", None), ("table", header, table, "roi"),
                   ("p", t["roi_by_year_reading"].format(
                       first=first, last=last, share_first=_share(rows["avoided_care_share"].iloc[0], lang, True),
                       share_last=_share(rows["avoided_care_share"].iloc[-1], lang, True),
                       tweede=_share(base_tweede["change_share"], lang, True)))]
    return blocks


def _drift(c, lang) -> list:
    """The baseline's own change over the horizon: first and last year, and the change."""
    t, meta = TEXT[lang], c.meta
    d = c.baseline_drift
    header = [t["col.measure"], str(meta["start_year"]), str(meta["start_year"] + meta["years"] - 1),
              t["col.change"], t["col.change_share"]]
    table = []
    for _, r in d.iterrows():
        label = measure_label(r["metric"], lang, line=r["line"], financier=r["financier"])
        table.append([Cell(label), Cell(value(r["first"], "cost", lang)), Cell(value(r["last"], "cost", lang)),
                      Cell(triple(r["change_mean"], r["change_low"], r["change_high"], "cost", lang)),
                      Cell(_share(r["change_share"], lang, signed=True))])
    by = d.set_index(["metric", "line"])
    return [("h", 3, t["drift"], "drift"),
            ("p", t["drift_intro"].format(
                first=meta["start_year"], last=meta["start_year"] + meta["years"] - 1,
                tweede=_share(by.loc[("cost", "tweede"), "change_share"], lang, True),
                nulde=_share(by.loc[("cost", "nulde"), "change_share"], lang, True))),
            ("table", header, table, "roi")]


def _mechanisms(c, lang) -> list:
    """Per scenario that saves, the saving split by mechanism (`analysis.mechanisms`)."""
    t, meta = TEXT[lang], c.meta
    blocks = [("h", 2, t["mech"], "mech")]
    if not meta.get("mechanisms"):
        return blocks + [("p", t["mech_off"])]
    if c.mechanisms.empty:
        return blocks + [("p", t["mech_none"])]
    blocks.append(("p", t["mech_intro"].format(reps=meta["mechanism_replications"])))
    header = [t["col.mechanism"], t["col.part"], t["col.share"]]
    for s, part in c.mechanisms.groupby("scenario", sort=False):
        saving = part["saving"].iloc[0]
        blocks.append(("h", 3, f"{s}: {t['col.saving']} {value(saving, 'cost', lang)}", f"mech-{s}"))
        table = []
        for _, r in part.iterrows():
            name = Cell(r[f"title_{lang}"] + (f" ({r['mechanism']})" if r["mechanism"] != "none" else ""))
            if np.isfinite(r["contribution_low"]):
                amount = triple(r["contribution"], r["contribution_low"], r["contribution_high"], "cost", lang)
                noise = r["contribution_low"] <= 0 <= r["contribution_high"]
            else:
                amount, noise = value(r["contribution"], "cost", lang), False
            share = f"{100 * r['share']:.0f}%" if np.isfinite(r["share"]) else "–"
            table.append([name, Cell(amount, "noise" if noise else ""), Cell(share, "noise" if noise else "")])
        blocks.append(("table", header, table, "mech"))
    return blocks


def _scenario(c, s, rows, lang) -> list:
    t, meta = TEXT[lang], c.meta
    info = meta["scenario_info"][s]
    blocks = [("h", 3, f"{s}: {info[f'title_{lang}']}", f"s-{s}"), ("h", 4, t["assumptions"], None)]
    for name, text in info["descriptions"]:
        blocks.append(("p", f"{name}: {text}" if len(info["descriptions"]) > 1 else text))
    if s == BASELINE:
        return blocks
    blocks += [("h", 4, t["levers"], None), ("ul", info["levers"] or [t["no_levers"]])]
    header = [t["col.measure"], t["col.unit"], t["col.baseline"], t["col.diff"], t["col.per100k"], t["col.nl"],
              t["col.noise"]]
    table = []
    for m in HEADLINE:
        r = rows[(s, m.metric, m.line, m.financier, m.domain, m.group)]
        scaled = [Cell(triple(r[f"mean_{k}"], r[f"low_{k}"], r[f"high_{k}"], m.metric, lang)) if m.extensive
                  else Cell("–") for k in ("per_100k", "nl")]
        table.append([Cell(measure_label(m.metric, lang, m.line, m.financier, m.domain, m.group)),
                      Cell(unit_label(m.metric, lang)), Cell(value(r["baseline"], m.metric, lang)),
                      diff_cell(r, lang), *scaled,
                      Cell(t["yes"], "noise") if r["within_noise"] else Cell(t["no"])])
    blocks += [("h", 4, t["headline"], None), ("table", header, table, "headline")]
    header, table = _money_table(c, s, lang)
    return blocks + [("h", 4, t["money"], None), ("table", header, table, "money")]


def _uncertainty(c, lang) -> list:
    t, meta = TEXT[lang], c.meta
    d = c.differences
    intro = t["unc_intro"].format(reps=meta["replications"], noise=int(d["within_noise"].sum()), total=len(d),
                                  precision=f"{meta['precision']:.0%}")
    header = [t["col.measure"], t["col.baseline"], t["col.target"], t["col.needed"], t["col.hardest"],
              t["col.used"], t["col.enough"], t["col.clear"]]
    table = []
    for _, r in c.replications.iterrows():
        needed = r["replications_needed"]
        table.append([Cell(measure_label(r["metric"], lang, r["line"], r["financier"], r["domain"], r["group"])),
                      Cell(value(r["baseline"], r["metric"], lang)),
                      Cell(value(r["precision_target"], r["metric"], lang)),
                      Cell(value(needed, "count", lang) if math.isfinite(needed) else "–"),
                      Cell(str(r["hardest_scenario"]) or "–"), Cell(str(r["replications_used"])),
                      Cell(t["yes"], "better") if r["enough"] else Cell(t["no"], "worse"),
                      Cell(f"{r['scenarios_clear']} / {r['scenarios']}")])
    return [("h", 2, t["uncertainty"], "uncertainty"), ("p", intro), ("table", header, table, "unc")]


# ---------------------------------------------------------------------------- rendering
def to_markdown(blocks: list) -> str:
    out = []
    for b in blocks:
        kind = b[0]
        if kind == "h":
            out.append("#" * b[1] + " " + b[2])
        elif kind == "p":
            out.append(b[1])
        elif kind == "toc":
            out.append(f"**{b[1]}**: " + " · ".join(f"[{title}](#{_slug(title)})" for _, title in b[2]))
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in b[1]))
        elif kind == "table":
            header, rows = b[1], b[2]
            lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(_md(cell.text) for cell in row) + " |" for row in rows]
            out.append("\n".join(lines))
        elif kind == "fig":
            rel = f"figures/{Path(b[1]).name}"
            out.append(f"![{b[2]}]({rel})\n\n*{b[2]}*")
    return "\n\n".join(out) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", text.lower()).strip().replace(" ", "-")


def to_html(blocks: list, title: str, lang: str) -> str:
    body = []
    for b in blocks:
        kind = b[0]
        if kind == "h":
            anchor = f' id="{html.escape(b[3])}"' if len(b) > 3 and b[3] else ""
            body.append(f"<h{b[1]}{anchor}>{html.escape(b[2])}</h{b[1]}>")
        elif kind == "p":
            body.append(f"<p>{html.escape(b[1])}</p>")
        elif kind == "toc":
            links = "".join(f'<a href="#{key}">{html.escape(title_)}</a>' for key, title_ in b[2])
            body.append(f'<nav><strong>{html.escape(b[1])}</strong>{links}</nav>')
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in b[1]) + "</ul>")
        elif kind == "table":
            head = "".join(f"<th>{html.escape(h)}</th>" for h in b[1])
            rows = "".join("<tr>" + "".join(f'<td class="{cell.cls}">{html.escape(cell.text)}</td>'
                                            for cell in row) + "</tr>" for row in b[2])
            body.append(f'<div class="scroll"><table class="{b[3]}"><thead><tr>{head}</tr></thead>'
                        f"<tbody>{rows}</tbody></table></div>")
        elif kind == "fig":
            data = base64.b64encode(Path(b[1]).read_bytes()).decode("ascii")
            body.append(f'<figure><img alt="{html.escape(b[2])}" src="data:image/png;base64,{data}">'
                        f"<figcaption>{html.escape(b[2])}</figcaption></figure>")
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n<body><main>\n"
            + "\n".join(body) + "\n</main></body></html>\n")


CSS = """
body { margin: 0; background: #f4f5f7; color: #1d2330; font: 14px/1.5 "DejaVu Sans", "Segoe UI", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 26px; margin: 8px 0 4px; color: #14213d; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #e0e4ea; color: #14213d; }
h3 { font-size: 17px; margin: 30px 0 4px; color: #1f3b64; }
h4 { font-size: 14px; margin: 14px 0 4px; color: #3d5a80; }
p { margin: 6px 0; max-width: 980px; }
nav { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 12px 0 4px; padding: 8px 12px; background: #eef2f7;
      border-radius: 6px; }
nav a { color: #1f3b64; text-decoration: none; white-space: nowrap; }
ul { margin: 4px 0 8px 0; padding-left: 22px; }
.scroll { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th { background: #14213d; color: #fff; font-weight: 600; text-align: left; padding: 5px 8px; vertical-align: bottom; }
td { padding: 4px 8px; border-bottom: 1px solid #e6e8ec; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #f8f9fb; }
td.strong { font-weight: 600; }
td.better { color: #1b7a6e; font-weight: 600; }
td.worse { color: #b3263a; font-weight: 600; }
td.neutral { color: #3d5a80; }
td.noise { color: #9a9a9a; }
table.glance th { white-space: normal; max-width: 120px; }
table.headline td:nth-child(2) { white-space: normal; max-width: 130px; color: #666; font-size: 11.5px; }
table.headline td:nth-child(1) { white-space: normal; min-width: 170px; }
table.headline th { white-space: normal; }
figure { margin: 12px 0 22px; }
figure img { max-width: 100%; border: 1px solid #e6e8ec; }
figcaption { font-size: 12.5px; color: #555; margin-top: 4px; max-width: 980px; }
"""
