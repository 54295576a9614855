"""The classroom page: Mesa's SolaraViz around `classroom.simulation.ClassroomModel`.

Start it with `make app` (or `make app HOST=0.0.0.0` to serve a class on the local network);
underneath that is

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=False solara run classroom/app.py --production --host localhost --port 8765

Every browser session builds its own model inside the page component (`solara.use_memo`), and
its language and lesson live in reactive variables, which Solara keeps per session; nothing a
session changes is seen by another.
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time
import weakref

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import reacton.ipywidgets as widgets  # noqa: E402
import solara  # noqa: E402
from solara.server import kernel_context  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from classroom import charts, lessons, levers  # noqa: E402
from classroom import simulation  # noqa: E402
from classroom.simulation import ClassroomModel  # noqa: E402
from classroom.text import DEFAULT_LANG, LANGS, line_name, t  # noqa: E402

language = solara.reactive(DEFAULT_LANG)   # per session (Solara scopes reactive variables per session)
lesson_choice = solara.reactive("")        # the lesson's file name, "" for free play

UNITS_NL = {
    "wijkteam_coverage": "aandeel inwoners binnen bereik van een wijkteam",
    "light_help": "aandeel aanmeldingen dat het wijkteam zelf helpt",
    "social_basis": "vermenigvuldiger op capaciteit nulde lijn",
    "social_basis_cut": "aandeel capaciteit nulde lijn geschrapt",
    "welzijn_op_recept": "kans dat een herkende sociale oorzaak naar sociaal werk gaat",
    "broad_gatekeeper": "kans dat de poortwachter een sociale oorzaak herkent",
    "schuldhulp": "vermenigvuldiger op capaciteit schuldhulp",
    "substitution": "aandeel verwijzingen tweede lijn naar nulde lijn zonder geld",
    "fund_size": "€ per inwoner per jaar",
}


# larger type for a projector; slider labels above their slider, with the value always shown
CSS = """
.v-application { font-size: 17px; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label { flex: 0 0 100%; max-width: 100%; white-space: normal;
    height: auto !important; line-height: 1.25; margin-bottom: 30px; font-size: 15px; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { transform: translateY(-20%) translateY(-12px) translateX(-50%) rotate(45deg) !important; }
.v-navigation-drawer { width: 400px !important; }
.carelines-charts img { width: 100%; max-width: 720px; height: auto; }
"""


def model_params(settings: dict, lang: str) -> dict:
    """SolaraViz controls, one per keyword of ClassroomModel, starting at `settings`. Policy
    sliders take range, unit and label from the parameter registry."""
    params = {
        "population": {"type": "SliderInt", "value": settings["population"], "label": t("population", lang),
                       "min": levers.POPULATION[0], "max": levers.POPULATION[1], "step": levers.POPULATION[2]},
        "seed": {"type": "SliderInt", "value": settings["seed"], "label": t("seed", lang),
                 "min": levers.SEED[0], "max": levers.SEED[1], "step": 1},
    }
    for lever in levers.LEVERS:
        unit = UNITS_NL.get(lever.name, lever.unit) if lang == "nl" else lever.unit
        label = f"{lever.label(lang)} ({unit}; {t('today_value', lang, value=f'{lever.today:g}')})"
        if lever.name == "fund_size":
            params["preventiefonds"] = {"type": "Checkbox", "value": settings["preventiefonds"],
                                        "label": t("preventiefonds", lang)}
        params[lever.name] = {"type": "SliderFloat", "value": settings[lever.name], "label": label,
                              "min": lever.low, "max": lever.high, "step": lever.step}
    for line in levers.LINE_SERVICES:
        name = f"rule_{line}"
        params[name] = {"type": "Select", "value": settings[name], "values": list(levers.RULE_CHOICES),
                        "label": t("rule", lang, line=line_name(line, lang))}
    return params


@solara.component
def Chart(model, make, lang: str, month: int):
    """One chart as an SVG picture, drawn again only when the model, its month or the language
    changed (the browser draws it; the server only writes a few kilobytes of text)."""
    picture = solara.use_memo(lambda: make(model, lang).encode(), [model, month, lang])
    widgets.Image(value=picture, format="svg+xml")


def _session_models() -> weakref.WeakSet:
    """The models this page session has shown; a model's simulations are released when another
    model replaces it (Reset, a lesson) and when the session closes (Mesa's SolaraViz keeps
    references to models it no longer shows)."""
    shown: weakref.WeakSet = weakref.WeakSet()

    def release():
        for model in list(shown):
            model.release()
    kernel_context.get_current_context().on_close(release)
    return shown


@solara.component
def Dashboard(model: ClassroomModel, lang: str):
    """What the model shows, re-drawn after every step (Mesa's update counter)."""
    update_counter.get()
    shown = solara.use_memo(_session_models, [])
    if model not in shown:  # Reset or a lesson replaced the model: the previous one is done
        for old in list(shown):
            old.release()
        shown.add(model)
    if model.error:
        solara.Error(t("error", lang, error=model.error), classes=["carelines-error"])
        return
    status = t("month", lang, month=model.month, total=model.total_months, year=model.year)
    if model.month == 0:
        status += " " + t("not_started", lang)
    solara.HTML(tag="div", unsafe_innerHTML=status, classes=["carelines-month"],
                style="font-size: 26px; font-weight: 600; margin: 8px 0")
    solara.HTML(tag="div", unsafe_innerHTML=_escape(t("in_use", lang) + ": " + in_use(model.settings, lang)),
                classes=["carelines-in-use"], style="font-size: 18px; margin-bottom: 8px")
    with solara.ColumnsResponsive(12, large=6, classes=["carelines-charts"]):
        for make in charts.CHARTS:
            Chart(model, make, lang, model.month)


@solara.component
def LessonPanel(lesson_list, errors, lang: str, on_lesson):
    with solara.Row(style="align-items: center; gap: 16px; flex-wrap: wrap"):
        solara.ToggleButtonsSingle(value=language.value, values=list(LANGS), on_value=language.set,
                                   classes=["carelines-language"])
        names = [""] + [lesson.name for lesson in lesson_list]
        titles = {lesson.name: lesson.title[lang] for lesson in lesson_list}
        titles[""] = t("free", lang)
        with solara.Column(style="min-width: 420px"):
            solara.v.Select(label=t("lesson", lang), v_model=lesson_choice.value, on_v_model=on_lesson,
                            items=[{"text": titles[n], "value": n} for n in names], class_="carelines-lesson",
                            style_="font-size: 20px")
    for error in errors:
        solara.Error(error)
    lesson = lessons.find(lesson_choice.value, lesson_list)
    if lesson is not None:
        with solara.Card(lesson.title[lang], classes=["carelines-lesson-card"]):
            solara.HTML(tag="p", unsafe_innerHTML=f"<b>{t('lesson.watch', lang)}:</b> {_escape(lesson.watch[lang])}",
                        style="font-size: 19px")
            solara.HTML(tag="p", unsafe_innerHTML=f"<b>{t('lesson.question', lang)}:</b> "
                        f"{_escape(lesson.question[lang])}", style="font-size: 21px")


def in_use(settings: dict, lang: str) -> str:
    """The levers switched on in this run, as 'label = value' (or 'none')."""
    parts = []
    for lever in levers.LEVERS:
        if lever.name == "fund_size":
            if settings["preventiefonds"]:
                parts.append(f"{t('preventiefonds', lang)}, {lever.label(lang)} = {settings['fund_size']:g}")
        elif levers.is_on(lever.name, settings[lever.name]):
            parts.append(f"{lever.label(lang)} = {settings[lever.name]:g}")
    for line in levers.LINE_SERVICES:
        rule = settings[f"rule_{line}"]
        if rule != levers.TODAY:
            parts.append(f"{t('rule', lang, line=line_name(line, lang))} = {t('rule.' + rule, lang)}")
    parts.append(f"{t('population', lang)} = {settings['population']}, {t('seed', lang)} = {settings['seed']}")
    return "; ".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@solara.component
def Page():
    lang = language.value
    lesson_list, errors = solara.use_memo(lessons.load_all, [])

    def settings_of(name: str) -> dict:
        lesson = lessons.find(name, lesson_list)
        return lesson.settings() if lesson is not None else levers.defaults()

    first = solara.use_memo(lambda: ClassroomModel(**settings_of(lesson_choice.value)), [])
    model = solara.use_reactive(first)   # this session's model; SolaraViz replaces it on Reset

    def choose(name):
        # only "" (free play) or the name of a lesson read at start is taken; anything else a
        # browser might send (a path, a configuration) is ignored
        lesson = lessons.find(name, lesson_list)
        if lesson is None and name not in ("", None):
            return
        name = lesson.name if lesson is not None else ""
        lesson_choice.set(name)
        model.set(ClassroomModel(**settings_of(name)))

    solara.Title("carelines")
    solara.Style(CSS)
    LessonPanel(lesson_list, errors, lang, choose)
    # keyed by the lesson: choosing one rebuilds the controls, starting at the lesson's levers
    SolaraViz(model, components=[], model_params=model_params(settings_of(lesson_choice.value), lang),
              name=t("title", lang)).key(f"viz-{lesson_choice.value}")
    Dashboard(model.value, lang)


def _malloc_mb() -> dict:
    """What the C heap (glibc malloc, all arenas) holds: in use, and free for reuse (resident
    until given back, see model.engine.memory.give_back_freed_memory)."""
    try:
        import ctypes

        class Mallinfo2(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                       "fsmblks", "uordblks", "fordblks", "keepcost")]
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = Mallinfo2
        info = libc.mallinfo2()
    except (OSError, AttributeError):  # not glibc
        return {}
    return {"malloc_used_mb": round((info.uordblks + info.hblkhd) / 2**20, 1),
            "malloc_free_mb": round(info.fordblks / 2**20, 1)}


def _write_stats(path: str, every: float) -> None:
    """Every `every` seconds, after a garbage collection, write how many models, page sessions,
    widgets, Python objects and threads this server holds, and what its C heap holds, to `path`
    (JSON), for the load test (benchmarks/classroom_load.py)."""
    while True:
        t0 = time.perf_counter()
        gc.collect()
        stats = {"time": time.time(), "gc_seconds": round(time.perf_counter() - t0, 3),
                 "live_models": len(simulation.LIVE), "sessions": len(kernel_context.contexts),
                 "widgets": sum(len(c.widgets) for c in list(kernel_context.contexts.values())),
                 "objects": len(gc.get_objects()), "threads": threading.active_count(), **_malloc_mb()}
        tmp = f"{path}.tmp"
        with open(tmp, "w") as f:
            json.dump(stats, f)
        os.replace(tmp, path)
        time.sleep(every)


# set by the operator who starts the server (never by a browser); off in ordinary use
if os.environ.get("CARELINES_PAGE_STATS") and not any(th.name == "carelines-stats" for th in threading.enumerate()):
    threading.Thread(target=_write_stats, args=(os.environ["CARELINES_PAGE_STATS"],
                                                float(os.environ.get("CARELINES_PAGE_STATS_EVERY", "5"))),
                     name="carelines-stats", daemon=True).start()
