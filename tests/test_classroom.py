"""The classroom page in headless Chromium (Playwright with Debian's /usr/bin/chromium).

One page server for the module, started as `make app` starts it, on a free port. Every test
opens its own browser context (a new session) with the network blocked except localhost.
Screenshots go to outputs/test-artifacts/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from classroom.text import WORDS

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "outputs" / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
LOCAL = re.compile(r"^(https?|wss?)://(localhost|127\.0\.0\.1)(:\d+)?/")

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "PYTHONPATH": str(ROOT)}
    solara = Path(sys.executable).with_name("solara")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / "server.log", "w")
    proc = subprocess.Popen([str(solara), "run", "classroom.app", "--production", "--no-check-version",
                             "--host", "localhost", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}/"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError(f"the page server did not start: see {ARTIFACTS / 'server.log'}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(3)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Session:
    """One browser context on the page, with every non-local request refused and counted."""

    def __init__(self, browser, url):
        self.context = browser.new_context(viewport={"width": 1600, "height": 1100})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)
        self.wait_month(0)

    def _route(self, route):
        if LOCAL.match(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def month_text(self) -> str:
        return self.page.locator(".carelines-month").inner_text()

    def wait_month(self, month: int, timeout=45_000):
        self.page.wait_for_function(
            "m => { const e = document.querySelector('.carelines-month');"
            " return e && new RegExp('^(Maand|Month) ' + m + ' ').test(e.innerText); }", arg=month, timeout=timeout)

    def button(self, key: str, lang: str = "nl"):
        """A button of the page by its word in `classroom.text` (Stap/Step, Afspelen/Play, ...)."""
        return self.page.get_by_role("button", name=WORDS[lang][key], exact=True)

    def step(self):
        self.button("step").click()

    def charts(self) -> bytes:
        return self.page.locator(".carelines-charts").screenshot()

    def wait_charts(self, timeout=30_000):
        """Until the six charts are on the page and drawn."""
        self.page.wait_for_function(
            "() => { const i = document.querySelectorAll('.carelines-charts img');"
            " return i.length >= 6 && [...i].every(e => e.complete && e.naturalWidth > 0); }", timeout=timeout)

    def no_error_shown(self):
        body = self.page.locator("body").inner_text()
        assert "Traceback" not in body, body[:500]
        assert self.page.locator(".v-alert.error").count() == 0
        assert self.errors == []

    def shot(self, name):
        """The page from its top (the language switch), whatever was scrolled into view before."""
        self.page.locator(".carelines-language").scroll_into_view_if_needed()
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.fixture
def session(browser, server):
    opened = []

    def open_one():
        s = Session(browser, server)
        opened.append(s)
        return s

    yield open_one
    for s in opened:
        s.close()


def test_page_renders_offline(session):
    s = session()
    s.wait_charts()
    s.shot("page-offline")
    assert s.blocked == [], f"the page asked for outside resources: {s.blocked}"
    assert s.page.locator(".carelines-charts img").count() >= 6
    assert s.button("step").is_visible()
    s.no_error_shown()


def test_step_changes_the_charts(session):
    s = session()
    s.wait_charts()
    before = s.charts()
    s.step()
    s.wait_month(1)
    for _ in range(40):  # the charts follow the month line within the same update
        s.wait_charts()
        if s.charts() != before:
            break
        s.page.wait_for_timeout(250)
    assert s.charts() != before
    s.shot("after-step")
    s.no_error_shown()


def test_a_lesson_sets_its_levers(session):
    s = session()
    s.page.locator(".carelines-lesson").click()
    s.page.get_by_role("option", name="Het afvoerputje").click()
    s.page.wait_for_function("() => document.querySelector('.carelines-in-use').innerText.includes('Substitutie')")
    in_use = s.page.locator(".carelines-in-use").inner_text()
    assert "Substitutie zonder middelen = 0.3" in in_use and "Bezuiniging sociale basis = 0.3" in in_use
    assert "Lichte hulp door wijkteam = 0.1" in in_use
    assert s.page.get_by_text("Vraag aan de klas").is_visible()
    s.wait_month(0)
    s.shot("lesson-afvoerputje")
    s.no_error_shown()


def test_the_language_switch_changes_the_labels(session):
    s = session()
    assert s.month_text().startswith("Maand 0") and s.page.get_by_text("Inwoners (wijkmodel)", exact=True).is_visible()
    s.page.get_by_role("button", name="en", exact=True).click()
    s.page.wait_for_function("() => document.querySelector('.carelines-month').innerText.startsWith('Month 0')")
    s.page.get_by_text("Residents (neighbourhood model)", exact=True).wait_for(timeout=15_000)
    s.page.locator(".carelines-lesson").click()
    s.page.get_by_role("option", name="What does a wijkteam do?").wait_for(timeout=15_000)
    s.page.keyboard.press("Escape")
    s.shot("english")
    s.no_error_shown()


def test_two_sessions_do_not_share_state(session):
    a, b = session(), session()
    a.step()
    a.wait_month(1)
    a.step()
    a.wait_month(2)
    b.page.wait_for_timeout(300)
    assert b.month_text().startswith("Maand 0")
    b.page.get_by_role("button", name="en", exact=True).click()
    b.page.wait_for_function("() => document.querySelector('.carelines-month').innerText.startsWith('Month 0')")
    assert a.month_text().startswith("Maand 2")
    a.no_error_shown(), b.no_error_shown()


def test_extreme_slider_values_and_rapid_clicks_give_no_error(session):
    s = session()
    sliders = s.page.locator(".carelines-levers").get_by_role("slider")
    # every policy lever to its largest value and the population to its smallest, then Opnieuw
    for i in range(sliders.count()):
        sliders.nth(i).focus()
        s.page.keyboard.press("Home" if i == 0 else "End")
    s.button("reset").click()
    s.page.wait_for_function("() => document.querySelector('.carelines-in-use').innerText.includes('= 1000,')")
    s.wait_month(0)
    assert "Substitutie zonder middelen = 0.6" in s.page.locator(".carelines-in-use").inner_text()
    for _ in range(12):
        s.button("step").click(no_wait_after=True, timeout=5000, force=True)
    s.page.wait_for_timeout(1000)
    for _ in range(3):
        s.button("reset").click(force=True)
    s.wait_month(0)
    for _ in range(5):  # Afspelen and Pauze in quick succession
        s.page.locator(".carelines-controls").get_by_role("button").nth(1).click(force=True)
    s.page.wait_for_timeout(1500)
    s.shot("extremes")
    s.no_error_shown()


# what Mesa's SolaraViz drew in English, and the page's own words for its controls in Dutch
ENGLISH_CHROME = ("Controls", "Model Parameters", "Play Interval", "Render Interval", "Use Threads", "Information",
                  "Step", "Reset", "Play", "Pause", "This website runs on Solara")
DUTCH_CHROME = ("Bediening", "Knoppen", "Snelheid", "Stap", "Afspelen", "Pauze", "Opnieuw")


def _shown_words(page, words) -> list[str]:
    text = page.locator("body").inner_text()  # what is visible, as shown (buttons in capitals)
    return [w for w in words if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]


def test_the_controls_speak_the_pages_language(session):
    s = session()
    s.wait_charts()
    assert _shown_words(s.page, ENGLISH_CHROME) == []
    assert _shown_words(s.page, DUTCH_CHROME) == [w for w in DUTCH_CHROME if w != "Pauze"]  # not playing
    s.shot("controls-nl")
    s.page.get_by_role("button", name="en", exact=True).click()
    s.page.wait_for_function("() => document.querySelector('.carelines-month').innerText.startsWith('Month 0')")
    s.button("step", "en").wait_for(timeout=15_000)
    assert _shown_words(s.page, DUTCH_CHROME) == []
    assert _shown_words(s.page, ("Controls", "Levers", "Speed", "Step", "Play", "Reset")) == \
        ["Controls", "Levers", "Speed", "Step", "Play", "Reset"]
    s.no_error_shown()


def test_play_runs_the_months_until_paused_or_the_run_ends(session):
    s = session()
    s.button("play").click()
    s.button("pause").wait_for(timeout=15_000)
    assert s.button("step").is_disabled()
    s.page.wait_for_function("() => parseInt(document.querySelector('.carelines-month').innerText.split(' ')[1]) >= 2")
    s.button("pause").click()
    s.button("play").wait_for(timeout=15_000)
    paused_at = s.month_text()
    s.page.wait_for_timeout(1500)
    assert s.month_text() == paused_at and not s.button("step").is_disabled()
    # the smallest neighbourhood at the highest speed, played to the end of its ten years
    levers = s.page.locator(".carelines-levers").get_by_role("slider")
    levers.nth(0).focus()
    s.page.keyboard.press("Home")
    s.page.locator(".carelines-controls").get_by_role("slider").focus()
    s.page.keyboard.press("End")
    s.button("reset").click()
    s.page.wait_for_function("() => document.querySelector('.carelines-in-use').innerText.includes('= 1000,')")
    s.button("play").click()
    s.wait_month(120, timeout=120_000)
    s.button("play").wait_for(timeout=15_000)
    assert s.button("play").is_disabled() and s.button("step").is_disabled()
    s.shot("played-to-the-end")
    s.no_error_shown()
