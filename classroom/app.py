"""The classroom page: a Solara app around `classroom.simulation.ClassroomModel`.

Start it with `make app` (or `make app HOST=0.0.0.0` to serve a class on the local network);
underneath that is

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=False solara run classroom/app.py --production --host localhost --port 8765

The sidebar is the page's own: Stap, Afspelen/Pauze with a speed slider, and Opnieuw (a new
model from the levers as set), then the levers, whose ranges, units and labels come from the
parameter registry (`classroom.levers`). Every word on the page comes from `classroom.text`, so
the language switch reaches all of it (Mesa's SolaraViz draws its controls in English only).

Every browser session builds its own model inside the page component (`solara.use_memo`), and
its language, lesson and play state live in reactive variables, which Solara keeps per session;
nothing a session changes is seen by another.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
import weakref

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

import reacton.ipywidgets as widgets  # noqa: E402
import solara  # noqa: E402
from solara.server import kernel_context  # noqa: E402
from solara.server import settings as server_settings  # noqa: E402

from classroom import charts, lessons, levers  # noqa: E402
from classroom import simulation  # noqa: E402
from classroom.simulation import ClassroomModel  # noqa: E402
from classroom.text import DEFAULT_LANG, LANGS, line_name, t  # noqa: E402

server_settings.theme.show_banner = False  # Solara's "This website runs on Solara" is English only

# per session (Solara scopes reactive variables per session)
language = solara.reactive(DEFAULT_LANG)
lesson_choice = solara.reactive("")   # the lesson's file name, "" for free play
playing = solara.reactive(False)
speed = solara.reactive(3)            # months per second when playing
redraw = solara.reactive(0)           # counts steps: the dashboard draws the model again after each

SPEEDS = (1, 10)
PLAY_THREAD = "carelines-play"

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


def lever_label(lever: levers.Lever, lang: str) -> str:
    unit = UNITS_NL.get(lever.name, lever.unit) if lang == "nl" else lever.unit
    return f"{lever.label(lang)} ({unit}; {t('today_value', lang, value=f'{lever.today:g}')})"


@solara.component
def Levers(values: solara.Reactive[dict], lang: str):
    """One control per keyword of ClassroomModel, showing `values` and keeping every change
    there for the next Opnieuw/Reset. Policy sliders take range, unit and label from the
    parameter registry."""
    settings = values.value

    def keep(name: str):
        return lambda value: values.set({**values.value, name: value})

    solara.SliderInt(t("population", lang), value=settings["population"], on_value=keep("population"),
                     min=levers.POPULATION[0], max=levers.POPULATION[1], step=levers.POPULATION[2])
    solara.SliderInt(t("seed", lang), value=settings["seed"], on_value=keep("seed"),
                     min=levers.SEED[0], max=levers.SEED[1], step=1)
    for lever in levers.LEVERS:
        if lever.name == "fund_size":
            solara.Checkbox(label=t("preventiefonds", lang), value=settings["preventiefonds"],
                            on_value=keep("preventiefonds"))
        solara.SliderFloat(lever_label(lever, lang), value=settings[lever.name], on_value=keep(lever.name),
                           min=lever.low, max=lever.high, step=lever.step)
    for line in levers.LINE_SERVICES:
        name = f"rule_{line}"
        solara.v.Select(label=t("rule", lang, line=line_name(line, lang)), v_model=settings[name],
                        on_v_model=keep(name),
                        items=[{"text": t(f"rule.{rule}", lang), "value": rule} for rule in levers.RULE_CHOICES])


class Player:
    """A session's play loop: a thread stepping one model at the chosen speed until paused,
    until its run has ended or until the page session closes."""

    def __init__(self):
        self._stop = threading.Event()
        self._stop.set()
        kernel_context.get_current_context().on_close(lambda: self._stop.set())

    def play(self, model: ClassroomModel) -> None:
        self._stop.set()
        self._stop = stop = threading.Event()
        playing.set(True)
        # a thread started here belongs to this page session (Solara hands it the session's state)
        threading.Thread(target=self._run, args=(model, stop), name=PLAY_THREAD, daemon=True).start()

    def pause(self) -> None:
        self._stop.set()
        playing.set(False)

    def _run(self, model: ClassroomModel, stop: threading.Event) -> None:
        wait = 0.0
        while not stop.wait(wait):
            began = time.perf_counter()
            model.step()
            if stop.is_set():  # paused, reset or closed during the step: the page has moved on
                return
            redraw.value += 1
            if not model.running:  # the run's last month (or a model released under it)
                stop.set()
                playing.set(False)
                return
            wait = max(0.0, 1 / speed.value - (time.perf_counter() - began))


@solara.component
def Controller(model: ClassroomModel, player: Player, lang: str, on_reset):
    """Stap, Afspelen/Pauze, Opnieuw and the playing speed."""
    redraw.get()  # Stap and Afspelen go grey when the run has ended

    def step():
        if not playing.value:  # a click sent just before Afspelen greyed the button
            model.step()
            redraw.value += 1

    def set_speed(value):
        if isinstance(value, (int, float)) and SPEEDS[0] <= value <= SPEEDS[1]:  # else not from the slider
            speed.set(value)

    def play_or_pause():
        if playing.value:
            player.pause()
        elif model.running:
            player.play(model)

    with solara.Row(justify="space-between", style="flex-wrap: wrap; gap: 8px"):
        solara.Button(t("step", lang), color="primary", on_click=step, disabled=playing.value or not model.running)
        solara.Button(t("pause", lang) if playing.value else t("play", lang), color="primary",
                      on_click=play_or_pause, disabled=not (playing.value or model.running))
        solara.Button(t("reset", lang), color="primary", on_click=on_reset)
    solara.SliderInt(t("speed", lang), value=speed.value, on_value=set_speed, min=SPEEDS[0], max=SPEEDS[1], step=1)


@solara.component
def Chart(model, make, lang: str, month: int):
    """One chart as an SVG picture, drawn again only when the model, its month or the language
    changed (the browser draws it; the server only writes a few kilobytes of text)."""
    picture = solara.use_memo(lambda: make(model, lang).encode(), [model, month, lang])
    widgets.Image(value=picture, format="svg+xml")


def _session_models() -> weakref.WeakSet:
    """The models this page session has shown; a model's simulations are released when another
    model replaces it (Reset, a lesson) and when the session closes (the page's components and
    a finishing play loop may keep references to models no longer shown)."""
    shown: weakref.WeakSet = weakref.WeakSet()

    def release():
        for model in list(shown):
            model.release()
    kernel_context.get_current_context().on_close(release)
    return shown


@solara.component
def Dashboard(model: ClassroomModel, lang: str):
    """What the model shows, re-drawn after every step."""
    redraw.get()
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

    first = solara.use_memo(lambda: settings_of(lesson_choice.value), [])
    values = solara.use_reactive(first)   # the levers as set in the sidebar
    model = solara.use_reactive(solara.use_memo(lambda: ClassroomModel(**first), []))  # this session's model
    player = solara.use_memo(Player, [])

    def start(settings: dict):
        player.pause()
        model.set(ClassroomModel(**settings))

    def choose(name):
        # only "" (free play) or the name of a lesson read at start is taken; anything else a
        # browser might send (a path, a configuration) is ignored
        lesson = lessons.find(name, lesson_list)
        if lesson is None and name not in ("", None):
            return
        name = lesson.name if lesson is not None else ""
        settings = settings_of(name)
        lesson_choice.set(name)
        values.set(settings)
        start(settings)

    solara.Title("carelines")
    solara.Style(CSS)
    with solara.AppBarTitle():
        solara.Text(t("title", lang))
    with solara.Sidebar(), solara.Column():
        with solara.Card(t("controls", lang), classes=["carelines-controls"]):
            Controller(model.value, player, lang, on_reset=lambda: start(values.value))
        with solara.Card(t("levers", lang), classes=["carelines-levers"]):
            solara.HTML(tag="p", unsafe_innerHTML=_escape(t("levers_note", lang)), style="margin-bottom: 16px")
            Levers(values, lang)
    LessonPanel(lesson_list, errors, lang, choose)
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
    play loops, widgets, Python memory blocks and threads this server holds, and what its C heap
    holds, to `path` (JSON), for the load test (benchmarks/classroom_load.py)."""
    while True:
        t0 = time.perf_counter()
        gc.collect()
        stats = {"time": time.time(), "gc_seconds": round(time.perf_counter() - t0, 3),
                 "live_models": len(simulation.LIVE), "sessions": len(kernel_context.contexts),
                 "widgets": sum(len(c.widgets) for c in list(kernel_context.contexts.values())),
                 # memory blocks Python has handed out, not len(gc.get_objects()): listing every object
                 # from this thread could take hold of a tuple another thread is still building, which
                 # then fails there (SystemError in tuple(), seen on a session thread under load)
                 "python_blocks": sys.getallocatedblocks(), "threads": threading.active_count(),
                 "play_loops": sum(th.name == PLAY_THREAD for th in threading.enumerate()), **_malloc_mb()}
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
