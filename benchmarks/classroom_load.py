"""Load test of the classroom page: many sessions on one server, each pressing Step.

    .venv/bin/python -m benchmarks.classroom_load                       # 30 sessions, 5 steps each
    .venv/bin/python -m benchmarks.classroom_load sessions=10 steps=3 url=http://localhost:8765/

Starts its own page server (as `make app` does) unless given url=. Opens the sessions as
Playwright browser contexts in Debian's headless Chromium, four at a time, then lets every session
press Step `steps` times concurrently; a step's latency is the time from the click until the
page shows the next month. Prints the median and 95th percentile (and the time to first
render). Not part of the test suite.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
WAIT_MONTH = ("m => { const e = document.querySelector('.carelines-month');"
              " return e && new RegExp('^(Maand|Month) ' + m + ' ').test(e.innerText); }")


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("solara")), "run", "classroom.app", "--production",
                             "--no-check-version", "--host", "localhost", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://localhost:{port}/"
    for _ in range(120):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("error: the page server did not start")


async def session(browser, url: str, steps: int, start: asyncio.Event, latencies: list, renders: list,
                  opening: asyncio.Semaphore):
    async with opening:  # sessions open a few at a time, as a class arrives; then all step together
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        t0 = time.perf_counter()
        await page.goto(url, timeout=300_000)
        await page.wait_for_function(WAIT_MONTH, arg=0, timeout=300_000)
        renders.append(time.perf_counter() - t0)
    await start.wait()
    for month in range(1, steps + 1):
        t0 = time.perf_counter()
        await page.get_by_role("button", name="Step").click(timeout=300_000)
        await page.wait_for_function(WAIT_MONTH, arg=month, timeout=300_000)
        latencies.append(time.perf_counter() - t0)
    await context.close()


async def main(sessions: int, steps: int, url: str) -> None:
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        start = asyncio.Event()
        latencies, renders = [], []
        opening = asyncio.Semaphore(4)
        tasks = [asyncio.create_task(session(browser, url, steps, start, latencies, renders, opening))
                 for _ in range(sessions)]
        while len(renders) < sessions and not any(t.done() for t in tasks):
            await asyncio.sleep(0.2)
        start.set()
        t0 = time.perf_counter()
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - t0
        await browser.close()
    lat = sorted(latencies)
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    print(f"{sessions} sessions x {steps} steps: step latency median {statistics.median(lat):.2f} s, "
          f"95th percentile {p95:.2f} s, max {lat[-1]:.2f} s ({len(lat)} steps in {wall:.1f} s); "
          f"first render median {statistics.median(renders):.1f} s, max {max(renders):.1f} s")


if __name__ == "__main__":
    options = dict(arg.split("=", 1) for arg in sys.argv[1:])
    unknown = set(options) - {"sessions", "steps", "url"}
    if unknown:
        raise SystemExit(f"error: unknown option '{sorted(unknown)[0]}'; allowed are sessions=, steps=, url=")
    server = None
    url = options.get("url")
    if not url:
        server, url = start_server()
    try:
        asyncio.run(main(int(options.get("sessions", 30)), int(options.get("steps", 5)), url))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
