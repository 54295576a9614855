"""Load test of the classroom page: many sessions on one page server, each pressing Step.

    .venv/bin/python -m benchmarks.classroom_load                  # 30 sessions for 10 minutes
    .venv/bin/python -m benchmarks.classroom_load duration=1800    # the 30-minute run in the README
    .venv/bin/python -m benchmarks.classroom_load sessions=4 duration=20 browsers=0

Options (name=value): sessions (30, stepping all the time), duration (600 seconds of stepping),
think (3.0: mean seconds a student waits between seeing a month and pressing Step again;
0 presses again at once), run_months (60: after that many months a session presses Reset and
starts again), churn (20.0: mean seconds between extra sessions that open, step a few times and
close, beside the steady ones), browsers (2: how many of the steady sessions are real headless
Chromium pages; the rest speak the page's websocket protocol), sample (10: seconds between
memory samples), url (use a running server instead of starting one; then no memory figures),
out (outputs/classroom_load.json).

A light session does what the browser does, over the same websocket: it opens the page's
kernel connection, asks the server to run the app (the `solara.control` comm), keeps the widget
state the server sends, and presses Step by sending the widget message a click sends (an
ipyvue `click` event on the Stap/Step button, found in either language), so every step goes
through the server's own click handler, model step and page update. A step's latency is the
time from sending the click until the month line of the page state shows the next month
("all"); "all_complete" runs until the server has sent every chart of that month and is idle
again (for browser sessions both are the time until the page shows the month). Closing sends
the browser's close beacon and drops the websocket.

Checked during the run: every month a session is shown is one it stepped to itself (a session
never sees another's month), no session shows an error, and, with the server started here,
that the server's count of live models returns to the steady sessions' after the extra
sessions closed, and its memory (RSS) over time.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
MONTH = re.compile(r"^(?:Maand|Month) (\d+) (?:van|of) \d+")
WAIT_MONTH = ("m => { const e = document.querySelector('.carelines-month');"
              " return e && new RegExp('^(Maand|Month) ' + m + ' ').test(e.innerText); }")
ERROR_WORDS = ("Traceback", "Instelling niet geldig", "Setting not valid")
# the page's buttons in Dutch and English (classroom/text.py; the benchmarks do not import the page)
BUTTONS = {"step": ("Stap", "Step"), "play": ("Afspelen", "Play"), "reset": ("Opnieuw", "Reset")}
OPTIONS = {"sessions": 30, "duration": 600.0, "think": 3.0, "run_months": 60, "churn": 20.0, "browsers": 2,
           "sample": 10.0, "url": "", "out": str(ROOT / "outputs" / "classroom_load.json"), "stats_every": 5.0,
           "timeout": 300.0}


# ---------------------------------------------------------------------------------- the server
class Server:
    """The page server as `make app` starts it, on a free port of localhost, reporting its live
    model count to a file (CARELINES_PAGE_STATS)."""

    def __init__(self, stats_every: float = 5.0, log=None):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.stats_file = Path(tempfile.mkdtemp(prefix="carelines-load-")) / "stats.json"
        env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "PYTHONPATH": str(ROOT),
               "CARELINES_PAGE_STATS": str(self.stats_file), "CARELINES_PAGE_STATS_EVERY": str(stats_every)}
        self.proc = subprocess.Popen([str(Path(sys.executable).with_name("solara")), "run", "classroom.app",
                                      "--production", "--no-check-version", "--host", "localhost",
                                      "--port", str(self.port)], cwd=ROOT, env=env,
                                     stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.url = f"http://localhost:{self.port}/"
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=5).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.proc.kill()
                    raise RuntimeError("the page server did not start")
                time.sleep(0.5)

    def rss_mb(self) -> float:
        import psutil
        return psutil.Process(self.proc.pid).memory_info().rss / 2**20

    def stats(self) -> dict:
        try:
            return json.loads(self.stats_file.read_text())
        except (OSError, ValueError):
            return {}

    async def wait_stats(self, after: float, timeout: float = 60) -> dict:
        """The first stats written after time `after`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            stats = self.stats()
            if stats.get("time", 0) > after:
                return stats
            await asyncio.sleep(0.2)
        return self.stats()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------------------------- a light session
def _message(msg_type: str, content: dict, session: str, msg_id: str | None = None) -> str:
    header = {"msg_id": msg_id or uuid.uuid4().hex, "username": "load", "session": session, "msg_type": msg_type,
              "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                       "channel": "shell", "buffers": []})


def _decode(frame) -> dict:
    if isinstance(frame, str):
        return json.loads(frame)
    import struct
    count = struct.unpack("!i", frame[:4])[0]
    offsets = struct.unpack("!" + "I" * count, frame[4:4 * (count + 1)])
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0]:end].decode("utf8"))  # the binary parts (pictures) are not needed


def _texts(state: dict):
    for value in state.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (v for v in value if isinstance(v, str))


class LightSession:
    """One page session over the websocket, without a browser."""

    def __init__(self, url: str, name: str, timeout: float = 300.0):
        self.url, self.name, self.timeout = url, name, timeout
        self.kernel_id, self.page_id, self.client = str(uuid.uuid4()), str(uuid.uuid4()), uuid.uuid4().hex
        self.widgets: dict[str, dict] = {}
        self.month: int | None = None
        self.month_changed = asyncio.Event()
        self.finished = asyncio.Event()
        self.control = uuid.uuid4().hex
        self.expected = 0          # the month this session stepped to
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.ws = None
        self.reader = None
        self.idle: dict[str, asyncio.Event] = {}  # per click: set when the server has handled it

    async def open(self):
        import websockets
        cookie = await asyncio.to_thread(self._get_page)
        ws_url = self.url.replace("http", "ws", 1).rstrip("/") + \
            f"/jupyter/api/kernels/{self.kernel_id}/channels?session_id={self.page_id}"
        self.ws = await websockets.connect(ws_url, additional_headers={"Cookie": cookie}, max_size=None,
                                           open_timeout=self.timeout, ping_interval=None)
        self.reader = asyncio.create_task(self._read())
        # as the browser: open the control comm, then ask it to run the app
        await self.ws.send(_message("comm_open", {"comm_id": self.control, "target_name": "solara.control",
                                                  "data": {}}, self.client))
        await self.ws.send(_message("comm_msg", {"comm_id": self.control, "data": {
            "method": "run", "args": {"path": "", "appName": None}}}, self.client))
        await asyncio.wait_for(self.finished.wait(), self.timeout)
        await self._wait_month(0)

    def _get_page(self) -> str:
        with urllib.request.urlopen(self.url, timeout=self.timeout) as response:
            response.read()
            cookies = response.headers.get_all("Set-Cookie") or []
        return "; ".join(c.split(";", 1)[0] for c in cookies)

    async def _read(self):
        import websockets
        try:
            async for frame in self.ws:
                self._receive(_decode(frame))
        except websockets.ConnectionClosed:
            pass

    def _receive(self, msg: dict):
        kind, content = msg["header"]["msg_type"], msg.get("content", {})
        if kind == "status" and content.get("execution_state") == "idle":
            done = self.idle.get(msg.get("parent_header", {}).get("msg_id"))
            if done is not None:
                done.set()
        elif kind == "comm_open":
            state = content.get("data", {}).get("state", {})
            self.widgets[content["comm_id"]] = dict(state)
            self._seen(state)
        elif kind == "comm_msg":
            data = content.get("data", {})
            if content.get("comm_id") == self.control and data.get("method") == "finished":
                self.finished.set()
            elif data.get("method") in ("update", "echo_update"):
                self.widgets.setdefault(content["comm_id"], {}).update(data.get("state", {}))
                self._seen(data.get("state", {}))
        elif kind == "comm_close":
            self.widgets.pop(content.get("comm_id"), None)

    def _seen(self, state: dict):
        for text in _texts(state):
            match = MONTH.match(text)
            if match:
                month = int(match.group(1))
                if month > self.expected or (self.month is not None and month < self.month and month != 0):
                    self.violations.append(f"{self.name}: shown month {month} after stepping to {self.expected}")
                self.month = month
                self.month_changed.set()
            elif any(word in text for word in ERROR_WORDS):
                self.errors.append(f"{self.name}: {text[:200]}")

    async def _wait_month(self, month: int):
        deadline = time.perf_counter() + self.timeout
        while self.month != month:
            self.month_changed.clear()
            left = deadline - time.perf_counter()
            if left <= 0 or self.reader.done():
                raise TimeoutError(f"{self.name}: month {month} not shown (shown: {self.month})")
            try:
                await asyncio.wait_for(self.month_changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    def _button(self, button: str) -> str:
        """The widget of a button (a key of BUTTONS), in whichever language the page shows."""
        for comm_id, state in self.widgets.items():
            if state.get("_model_name") == "BtnModel" and set(BUTTONS[button]) & set(state.get("children") or []):
                return comm_id
        raise RuntimeError(f"{self.name}: no {' or '.join(BUTTONS[button])} button on the page")

    async def click(self, button: str) -> asyncio.Event:
        """Press a button (a key of BUTTONS); set once the server has handled the click."""
        msg_id = uuid.uuid4().hex
        self.idle = {msg_id: asyncio.Event()}
        await self.ws.send(_message("comm_msg", {"comm_id": self._button(button), "data": {
            "method": "custom", "content": {"event": "click", "data": {}}}}, self.client, msg_id))
        return self.idle[msg_id]

    async def step(self) -> tuple[float, float]:
        """Press Step; the seconds until the page state shows the next month, and until the
        server has sent the whole update (every chart) and is idle again."""
        self.expected += 1
        t0 = time.perf_counter()
        done = await self.click("step")
        await self._wait_month(self.expected)
        shown = time.perf_counter() - t0
        await asyncio.wait_for(done.wait(), self.timeout)
        return shown, time.perf_counter() - t0

    async def reset(self):
        self.expected = 0
        await self.click("reset")
        await self._wait_month(0)

    async def close(self):
        """As a closing browser tab: the close beacon, then the websocket goes."""
        close_url = self.url.rstrip("/") + f"/_solara/api/close/{self.kernel_id}?session_id={self.page_id}"
        request = urllib.request.Request(close_url, data=b"", method="POST")
        try:
            await asyncio.to_thread(lambda: urllib.request.urlopen(request, timeout=30).read())
        finally:
            if self.ws is not None:
                await self.ws.close()
            if self.reader is not None:
                await self.reader


# ---------------------------------------------------------------------------------- a browser session
class BrowserSession:
    """A real page in headless Chromium (Debian's), stepping by clicking the Step button."""

    def __init__(self, browser, url: str, name: str, timeout: float = 300.0):
        self.browser, self.url, self.name, self.timeout = browser, url, name, timeout
        self.expected, self.violations, self.errors = 0, [], []

    async def open(self):
        self.context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.name}: {exc}"))
        await self.page.goto(self.url, timeout=self.timeout * 1000)
        await self.page.wait_for_function(WAIT_MONTH, arg=0, timeout=self.timeout * 1000)

    async def _shown(self) -> int:
        text = await self.page.locator(".carelines-month").inner_text()
        match = MONTH.match(text)
        return int(match.group(1)) if match else -1

    def _button(self, button: str):
        return self.page.get_by_role("button", name=re.compile(f"^({'|'.join(BUTTONS[button])})$", re.I))

    async def step(self) -> tuple[float, float]:
        self.expected += 1
        t0 = time.perf_counter()
        await self._button("step").click(timeout=self.timeout * 1000)
        await self.page.wait_for_function(WAIT_MONTH, arg=self.expected, timeout=self.timeout * 1000)
        latency = time.perf_counter() - t0
        if await self._shown() != self.expected:
            self.violations.append(f"{self.name}: shown month differs from stepped month {self.expected}")
        return latency, latency

    async def reset(self):
        self.expected = 0
        await self._button("reset").click(timeout=self.timeout * 1000)
        await self.page.wait_for_function(WAIT_MONTH, arg=0, timeout=self.timeout * 1000)

    async def close(self):
        """As a closing tab: the page's unload handlers run (they send the close beacon)."""
        await self.page.close(run_before_unload=True)
        await self.context.close()


# ---------------------------------------------------------------------------------- the run
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def run(opts: dict, server: Server | None = None, log=print) -> dict:
    url = server.url if server else opts["url"]
    rng = random.Random(1)
    result = {"options": {k: v for k, v in opts.items() if k != "out"}, "light_latency": [], "browser_latency": [],
              "violations": [], "errors": [], "opened": 0, "closed": 0, "resets": 0, "memory": []}
    started = time.time()
    stop = asyncio.Event()

    async def think():
        if opts["think"] > 0:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * opts["think"])

    async def steady(session, latencies):
        while not stop.is_set():
            try:
                if session.expected >= opts["run_months"]:
                    await session.reset()
                    result["resets"] += 1
                latencies.append(await session.step())
            except Exception as exc:  # noqa: BLE001 - a failed step is reported, not fatal
                result["errors"].append(f"{session.name}: {type(exc).__name__}: {exc}")
                return
            await think()

    async def passing(i):
        session = LightSession(url, f"extra-{i}", opts["timeout"])
        try:
            await session.open()
            result["opened"] += 1
            for _ in range(rng.randint(1, 5)):
                result["light_latency"].append(await session.step())
                await think()
        except Exception as exc:  # noqa: BLE001
            result["errors"].append(f"{session.name}: {type(exc).__name__}: {exc}")
        finally:
            await session.close()
            result["closed"] += 1
            result["violations"] += session.violations
            result["errors"] += session.errors

    async def churn():
        tasks, i = [], 0
        while not stop.is_set() and opts["churn"] > 0:
            try:
                await asyncio.wait_for(stop.wait(), rng.expovariate(1 / opts["churn"]))
            except asyncio.TimeoutError:
                i += 1
                tasks.append(asyncio.create_task(passing(i)))
        await asyncio.gather(*tasks)

    async def sample():
        while server is not None:
            stats = server.stats()
            result["memory"].append({"t": round(time.time() - started, 1), "rss_mb": round(server.rss_mb(), 1),
                                     "load": round(os.getloadavg()[0], 1),
                                     **{k: v for k, v in stats.items() if k != "time"}})
            try:
                await asyncio.wait_for(stop.wait(), opts["sample"])
                return
            except asyncio.TimeoutError:
                pass

    playwright = browser = None
    sessions = []
    sampler = asyncio.create_task(sample())
    try:
        if opts["browsers"] > 0:
            from playwright.async_api import async_playwright
            playwright = await async_playwright().start()
            browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        n_browsers = min(opts["browsers"], opts["sessions"])
        for i in range(opts["sessions"]):
            if i < n_browsers:
                sessions.append((BrowserSession(browser, url, f"browser-{i}", opts["timeout"]),
                                 result["browser_latency"]))
            else:
                sessions.append((LightSession(url, f"steady-{i}", opts["timeout"]), result["light_latency"]))
        t0 = time.perf_counter()
        opening = asyncio.Semaphore(4)  # a class arrives a few at a time

        async def open_one(session):
            async with opening:
                await session.open()
        await asyncio.gather(*(open_one(s) for s, _ in sessions))
        result["open_seconds"] = round(time.perf_counter() - t0, 1)
        log(f"{len(sessions)} sessions open after {result['open_seconds']} s; stepping for {opts['duration']:g} s")
        if server is not None:
            result["live_models_steady"] = (await server.wait_stats(time.time()))["live_models"]
        workers = [asyncio.create_task(steady(s, lat)) for s, lat in sessions]
        churner = asyncio.create_task(churn())
        t_step = time.perf_counter()
        while time.perf_counter() - t_step < opts["duration"]:
            await asyncio.sleep(min(30.0, opts["duration"]))
            lat = [a for a, _ in result["light_latency"] + result["browser_latency"]]
            if lat and opts["duration"] > 60:
                mem = result["memory"][-1] if result["memory"] else {}
                log(f"  {time.perf_counter() - t_step:5.0f} s: {len(lat)} steps, median {statistics.median(lat):.2f} s,"
                    f" p95 {percentile(lat, 0.95):.2f} s, RSS {mem.get('rss_mb')} MB, models {mem.get('live_models')}")
        stop.set()
        await asyncio.gather(*workers, churner)
        result["stepping_seconds"] = round(time.perf_counter() - t_step, 1)
        if server is not None:  # the extra sessions are gone: the live models should be the steady ones again
            result["live_models_after_churn"] = (await server.wait_stats(time.time() + 0.5))["live_models"]
    finally:
        stop.set()
        for session, _ in sessions:
            try:
                await session.close()
            except Exception:  # noqa: BLE001
                pass
            result["violations"] += session.violations
            result["errors"] += session.errors
        await sampler
        if browser is not None:
            await browser.close()
            await playwright.stop()
    if server is not None:
        result["live_models_after_close"] = (await server.wait_stats(time.time() + 0.5))["live_models"]
        result["memory"].append({"t": round(time.time() - started, 1), "rss_mb": round(server.rss_mb(), 1),
                                 "live_models": result["live_models_after_close"]})
    return summarise(result)


def summarise(result: dict) -> dict:
    lat = result["light_latency"] + result["browser_latency"]
    result["steps"] = len(lat)
    for key, pairs in (("all", lat), ("light", result["light_latency"]), ("browser", result["browser_latency"])):
        for name, values in ((key, [a for a, _ in pairs]), (f"{key}_complete", [b for _, b in pairs])):
            if values:
                result[f"{name}_median_s"] = round(statistics.median(values), 3)
                result[f"{name}_p95_s"] = round(percentile(values, 0.95), 3)
                result[f"{name}_max_s"] = round(max(values), 3)
    mem = [m["rss_mb"] for m in result["memory"]]
    if len(mem) >= 2:
        result["rss_start_mb"], result["rss_end_mb"], result["rss_max_mb"] = mem[0], mem[-1], max(mem)
        # the trend over the second half of the run (after the first sessions have warmed up): a
        # least-squares line, since the memory swings by tens of MB with waves of Resets
        half = [m for m in result["memory"][:-1] if m["t"] >= result["memory"][-2]["t"] / 2]
        if len(half) >= 2 and half[-1]["t"] > half[0]["t"]:
            line = statistics.linear_regression([m["t"] for m in half], [m["rss_mb"] for m in half])
            result["rss_trend_mb_per_10min"] = round(line.slope * 600, 1)
    result["isolation_violations"] = len(result["violations"])
    return result


def report(result: dict) -> str:
    o = result["options"]
    lines = [f"{o['sessions']} sessions ({min(o['browsers'], o['sessions'])} in Chromium), think {o['think']:g} s, "
             f"{result.get('stepping_seconds', 0):g} s of stepping: {result['steps']} steps"]
    for key in ("all", "all_complete", "light", "browser"):
        if f"{key}_median_s" in result:
            lines.append(f"  step latency ({key}): median {result[f'{key}_median_s']:.2f} s, "
                         f"95th percentile {result[f'{key}_p95_s']:.2f} s, max {result[f'{key}_max_s']:.2f} s")
    lines.append(f"  extra sessions opened {result['opened']}, closed {result['closed']}; resets {result['resets']}")
    lines.append(f"  isolation violations {result['isolation_violations']}, errors {len(result['errors'])}")
    if "rss_start_mb" in result:
        lines.append(f"  server RSS {result['rss_start_mb']:.0f} MB at start, max {result['rss_max_mb']:.0f} MB, "
                     f"{result['rss_end_mb']:.0f} MB once every session had closed; second-half trend "
                     f"{result.get('rss_trend_mb_per_10min', float('nan')):+.1f} MB per 10 min (least squares)")
        lines.append(f"  live models: {result.get('live_models_steady')} with the steady sessions, "
                     f"{result.get('live_models_after_churn')} after the extra sessions closed, "
                     f"{result.get('live_models_after_close')} after all closed")
    return "\n".join(lines + [f"  error: {e}" for e in result["errors"][:5]])


def parse(argv: list[str]) -> dict:
    opts = dict(OPTIONS)
    for arg in argv:
        name, _, value = arg.partition("=")
        if name not in OPTIONS or not _:
            raise SystemExit(f"error: unknown option '{arg}'; allowed are {', '.join(f'{k}=' for k in OPTIONS)}")
        opts[name] = type(OPTIONS[name])(value) if not isinstance(OPTIONS[name], str) else value
    return opts


def main(argv: list[str]) -> dict:
    opts = parse(argv)
    server = None if opts["url"] else Server(opts["stats_every"])
    try:
        result = asyncio.run(run(opts, server))
    finally:
        if server is not None:
            server.stop()
    print(report(result))
    out = Path(opts["out"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({k: v for k, v in result.items() if not k.endswith("_latency")} |
                              {"latencies": result["light_latency"] + result["browser_latency"]}, indent=1))
    print(f"  written to {out}")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
