"""The page's words in Dutch and English, and its colours.

Names of lines, financiers and health domains come from `analysis.labels`, so the page says
what the comparison report says; the rest is the page's own.
"""

from __future__ import annotations

from analysis.labels import WORDS as REPORT_WORDS

LANGS = ("nl", "en")
DEFAULT_LANG = "nl"

# Okabe-Ito: distinguishable with every common colour-vision deficiency
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
             "grey": "#BBBBBB"}
LINE_COLOURS = (OKABE_ITO["green"], OKABE_ITO["blue"], OKABE_ITO["vermillion"])  # nulde, eerste, tweede
PLACE_COLOURS = ("#F2F2F2", OKABE_ITO["green"], OKABE_ITO["blue"], OKABE_ITO["vermillion"],
                 OKABE_ITO["yellow"], "#FFFFFF")  # none, nulde, eerste, tweede, waiting, gone
DOMAIN_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["purple"], OKABE_ITO["sky"])
PAYER_COLOURS = {"municipality": OKABE_ITO["orange"], "insurer": OKABE_ITO["blue"],
                 "residents": OKABE_ITO["purple"], "employers": OKABE_ITO["black"]}

WORDS = {
    "nl": {
        "title": "carelines in de klas: zorg in de wijk",
        "language": "Taal", "lesson": "Les", "free": "Vrij spelen (geen les)",
        "month": "Maand {month} van {total} ({year})",
        "not_started": "Druk op Stap of Afspelen om de maanden te laten lopen.",
        "controls": "Bediening", "step": "Stap", "play": "Afspelen", "pause": "Pauze", "reset": "Opnieuw",
        "speed": "Snelheid (maanden per seconde bij Afspelen)",
        "in_use": "Deze run", "levers": "Knoppen",
        "levers_note": "Verschuif de knoppen en druk op Opnieuw: de run begint dan met deze instellingen.",
        "population": "Inwoners (wijkmodel)", "seed": "Toevalsgetal (seed)",
        "preventiefonds": "Preventiefonds aan", "fund_size": "Bijdrage preventiefonds (€ per inwoner per jaar)",
        "rule": "Financiering {line}", "rule.today": "zoals nu", "rule.per_verrichting": "per verrichting",
        "rule.budget": "budget", "rule.capitation": "per ingeschrevene (capitatie)",
        "today_value": "nu: {value}",
        "place.none": "geen zorg", "place.nulde": "nulde lijn", "place.eerste": "eerste lijn",
        "place.tweede": "tweede lijn", "place.waiting": "wacht", "place.gone": "overleden",
        "c.neighbourhood": "De wijk: {n} inwoners, waar zijn ze nu?",
        "c.flows": "Deze maand: stromen tussen de lijnen",
        "c.flows.x": "aantal mensen deze maand",
        "flow.new": "→ {to} (nieuw)", "flow.ref": "{frm} → {to}", "flow.out": "{frm} → klaar",
        "c.clients": "Cliënten per lijn", "c.clients.y": "cliënten in zorg",
        "c.money": "Wie betaalt, wie bespaart? (scenario min huidig stelsel, tot nu)",
        "c.money.x": "€ duizend (+ betaalt meer, − bespaart)",
        "c.health": "Gezondheid per domein", "c.health.y": "gezondheid (index 0-1)",
        "gap": "kloof hoog − laag inkomen",
        "c.waiting": "Wachtlijsten en crises", "c.waiting.y": "wachtenden", "crises": "crises per maand",
        "x.month": "maand", "scenario": "scenario", "baseline": "huidig stelsel (stippel)",
        "lesson.watch": "Waar let je op?", "lesson.question": "Vraag aan de klas",
        "error": "Instelling niet geldig: {error}",
        "payer.municipality": "gemeente", "payer.insurer": "zorgverzekeraar",
        "payer.residents": "inwoners (eigen risico)", "payer.employers": "werkgevers",
    },
    "en": {
        "title": "carelines in class: care in the neighbourhood",
        "language": "Language", "lesson": "Lesson", "free": "Free play (no lesson)",
        "month": "Month {month} of {total} ({year})",
        "not_started": "Press Step or Play to let the months run.",
        "controls": "Controls", "step": "Step", "play": "Play", "pause": "Pause", "reset": "Reset",
        "speed": "Speed (months per second when playing)",
        "in_use": "This run", "levers": "Levers",
        "levers_note": "Move the levers and press Reset: the run starts again with these settings.",
        "population": "Residents (neighbourhood model)", "seed": "Random seed",
        "preventiefonds": "Preventiefonds on", "fund_size": "Preventiefonds contribution (€ per resident per year)",
        "rule": "Financing {line}", "rule.today": "as today", "rule.per_verrichting": "per verrichting (fee)",
        "rule.budget": "budget", "rule.capitation": "capitation",
        "today_value": "today: {value}",
        "place.none": "no care", "place.nulde": "nulde lijn", "place.eerste": "eerste lijn",
        "place.tweede": "tweede lijn", "place.waiting": "waiting", "place.gone": "died",
        "c.neighbourhood": "The neighbourhood: {n} residents, where are they now?",
        "c.flows": "This month: flows between the lines",
        "c.flows.x": "people this month",
        "flow.new": "→ {to} (new)", "flow.ref": "{frm} → {to}", "flow.out": "{frm} → done",
        "c.clients": "Clients per line", "c.clients.y": "clients in care",
        "c.money": "Who pays, who saves? (scenario minus today's system, so far)",
        "c.money.x": "€ thousand (+ pays more, − saves)",
        "c.health": "Health per domain", "c.health.y": "health (index 0-1)",
        "gap": "gap high − low income",
        "c.waiting": "Waiting lists and crises", "c.waiting.y": "residents waiting", "crises": "crises per month",
        "x.month": "month", "scenario": "scenario", "baseline": "today's system (dotted)",
        "lesson.watch": "What to watch", "lesson.question": "Question for the class",
        "error": "Setting not valid: {error}",
        "payer.municipality": "municipality", "payer.insurer": "insurer",
        "payer.residents": "residents (eigen risico)", "payer.employers": "employers",
    },
}


def t(key: str, lang: str, **fields) -> str:
    """A page text in the language, with fields filled in; line and domain names from the report."""
    words = WORDS.get(lang, WORDS[DEFAULT_LANG])
    text = words.get(key) or REPORT_WORDS[lang if lang in REPORT_WORDS else DEFAULT_LANG].get(key, key)
    return text.format(**fields) if fields else text


def line_name(line: str, lang: str) -> str:
    return REPORT_WORDS[lang][f"line.{line}"]


def domain_name(domain: str, lang: str) -> str:
    return REPORT_WORDS[lang][f"dom.{domain}"]
