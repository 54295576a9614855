"""Dutch and English labels and number formats for the comparison report and its figures.

One small dictionary per language, so the report and the figures say the same thing. Dutch
proper names (nulde lijn, wijkteam, preventiefonds...) stay Dutch in both languages.
"""

from __future__ import annotations

import math

LANGS = ("nl", "en")

WORDS = {
    "nl": {
        "line.nulde": "nulde lijn", "line.eerste": "eerste lijn", "line.tweede": "tweede lijn",
        "fin.municipality": "gemeente", "fin.insurer": "zorgverzekeraar", "fin.residents": "inwoners (eigen risico)",
        "fin.employers": "werkgevers", "fin.preventiefonds": "preventiefonds", "fin.regional_budget": "regionaal budget",
        "dom.physical": "lichamelijk", "dom.mental": "psychisch", "dom.social": "sociaal",
        "grp.income_low": "lage inkomens",
        "comp.care_nulde": "zorg nulde lijn", "comp.care_eerste": "zorg eerste lijn",
        "comp.care_tweede": "zorg tweede lijn", "comp.contributions": "inleg in fonds of budget",
        "comp.shared_savings_received": "gedeelde besparing ontvangen", "comp.net": "netto",
        "m.cost": "Zorgkosten, totaal", "m.cost.fin": "Netto-uitgaven {fin}", "m.cost.line": "Zorgkosten {line}",
        "m.clients": "Cliënten in zorg, {line}", "m.waiting": "Wachtenden, {line}",
        "m.waiting_months": "Wachttijd, {line}", "m.crises": "Crises", "m.unmet_need": "Onvervulde zorgvraag",
        "m.health": "Gezondheid, {dom}", "m.health_gap": "Gezondheidskloof hoog - laag inkomen",
        "m.productivity_loss": "Productiviteitsverlies (werkgevers)", "m.low": "{m}, {grp}",
        "u.euro": "€ per jaar", "u.clients": "cliënten (maandgemiddelde)", "u.waiting": "wachtenden (maandgemiddelde)",
        "u.months": "maanden", "u.crises": "per jaar", "u.unmet": "inwoner-domeinen (maandgemiddelde)",
        "u.index": "index 0-1 (laatste jaar)", "u.gap": "verschil in index (laatste jaar)",
        "mln": "mln", "bn": "mld", "k": "k", "year": "jaar", "scenario": "scenario",
    },
    "en": {
        "line.nulde": "nulde lijn", "line.eerste": "eerste lijn", "line.tweede": "tweede lijn",
        "fin.municipality": "municipality", "fin.insurer": "insurer", "fin.residents": "residents (eigen risico)",
        "fin.employers": "employers", "fin.preventiefonds": "preventiefonds (fund)",
        "fin.regional_budget": "regional budget",
        "dom.physical": "physical", "dom.mental": "mental", "dom.social": "social",
        "grp.income_low": "low income",
        "comp.care_nulde": "care, nulde lijn", "comp.care_eerste": "care, eerste lijn",
        "comp.care_tweede": "care, tweede lijn", "comp.contributions": "paid into fund or budget",
        "comp.shared_savings_received": "shared savings received", "comp.net": "net",
        "m.cost": "Care cost, total", "m.cost.fin": "Net spending, {fin}", "m.cost.line": "Care cost, {line}",
        "m.clients": "Clients in care, {line}", "m.waiting": "Residents waiting, {line}",
        "m.waiting_months": "Waiting time, {line}", "m.crises": "Crises", "m.unmet_need": "Unmet need",
        "m.health": "Health, {dom}", "m.health_gap": "Health gap high - low income",
        "m.productivity_loss": "Productivity loss (employers)", "m.low": "{m}, {grp}",
        "u.euro": "€ per year", "u.clients": "clients (monthly mean)", "u.waiting": "residents (monthly mean)",
        "u.months": "months", "u.crises": "per year", "u.unmet": "resident-domains (monthly mean)",
        "u.index": "index 0-1 (last year)", "u.gap": "index difference (last year)",
        "mln": "mln", "bn": "bn", "k": "k", "year": "year", "scenario": "scenario",
    },
}

UNIT = {"cost": "u.euro", "productivity_loss": "u.euro", "clients": "u.clients", "waiting": "u.waiting",
        "waiting_months": "u.months", "crises": "u.crises", "unmet_need": "u.unmet", "health": "u.index",
        "health_gap": "u.gap"}
MONEY = ("cost", "productivity_loss")


def word(key: str, lang: str) -> str:
    return WORDS[lang].get(key, key)


def measure_label(metric: str, lang: str, line: str = "", financier: str = "", domain: str = "",
                  group: str = "") -> str:
    """'Net spending, municipality', 'Crises, low income', ... in the report's language."""
    w = WORDS[lang]
    if metric == "cost" and financier:
        text = w["m.cost.fin"].format(fin=w[f"fin.{financier}"])
    elif metric == "cost" and line:
        text = w["m.cost.line"].format(line=w[f"line.{line}"])
    else:
        text = w[f"m.{metric}"].format(line=w.get(f"line.{line}", ""), dom=w.get(f"dom.{domain}", ""))
    if group:
        text = w["m.low"].format(m=text, grp=w[f"grp.{group}"])
    return text


def unit_label(metric: str, lang: str) -> str:
    return word(UNIT[metric], lang)


# ---------------------------------------------------------------------------- numbers
def _digits(value: float, significant: int = 3) -> int:
    if value == 0 or not math.isfinite(value):
        return 0
    return max(0, min(4, significant - 1 - math.floor(math.log10(abs(value)))))


def number(x: float, lang: str, decimals: int, signed: bool = False) -> str:
    """A number with thousands separators; Dutch swaps '.' and ','."""
    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    text = f"{x:+,.{decimals}f}" if signed else f"{x:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text.replace("-", "−")


def scale_of(values, metric: str) -> tuple[float, str]:
    """Divisor and suffix key for money (k, mln, bn) chosen from the largest magnitude."""
    if metric not in MONEY:
        return 1.0, ""
    big = max((abs(v) for v in values if v is not None and math.isfinite(v)), default=0.0)
    for div, key in ((1e9, "bn"), (1e6, "mln"), (1e3, "k")):
        if big >= div:
            return div, key
    return 1.0, ""


def decimals_for(values, metric: str, div: float) -> int:
    if metric in ("health", "health_gap"):
        return 4
    big = max((abs(v) / div for v in values if v is not None and math.isfinite(v)), default=0.0)
    return _digits(big)


def value(x: float, metric: str, lang: str, signed: bool = False) -> str:
    """One value with a money scale where it applies: '€ 1.23 mln', '1,234', '0.6712'."""
    div, key = scale_of([x], metric)
    text = number(x / div, lang, decimals_for([x], metric, div), signed)
    if metric in MONEY:
        return f"€ {text} {word(key, lang)}".rstrip()
    return text


def triple(mean: float, low: float, high: float, metric: str, lang: str) -> str:
    """'+1.23 mln [+0.45; +2.01]': a difference and its 95% interval on one scale."""
    div, key = scale_of([mean, low, high], metric)
    d = decimals_for([mean, low, high], metric, div)
    suffix = f" {word(key, lang)}" if key else ""
    head = number(mean / div, lang, d, signed=True) + suffix
    if low is None or not math.isfinite(low):
        return head
    return f"{head} [{number(low / div, lang, d, True)}; {number(high / div, lang, d, True)}]"
