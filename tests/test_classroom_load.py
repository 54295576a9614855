"""The classroom page under a small load, and what it accepts from a browser.

One page server for the module, started as `make app` starts it (benchmarks.classroom_load.Server,
which also has it report its live model count). Sessions speak the page's websocket protocol
(benchmarks.classroom_load.LightSession): every click goes through the server's own handler.
"""

from __future__ import annotations

import asyncio
import ipaddress
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from benchmarks import classroom_load as load

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server():
    srv = load.Server(stats_every=1.0)
    yield srv
    srv.stop()


def _live_models(server) -> int:
    return asyncio.run(server.wait_stats(time.time()))["live_models"]


def test_four_sessions_stepping_stay_apart_and_leave_no_models_behind(server):
    before = _live_models(server)
    opts = {**load.OPTIONS, "sessions": 4, "duration": 15.0, "browsers": 0, "think": 0.3, "churn": 4.0,
            "run_months": 8, "sample": 2.0, "timeout": 60.0}
    result = asyncio.run(load.run(opts, server, log=lambda *_: None))
    assert result["errors"] == []
    assert result["violations"] == [] and result["isolation_violations"] == 0
    assert result["steps"] >= 20 and result["resets"] >= 1
    assert result["opened"] >= 1 and result["closed"] == result["opened"]
    # one model per open session, whatever was opened, reset and closed in between
    assert result["live_models_steady"] == before + 4
    assert result["live_models_after_churn"] == before + 4
    assert result["live_models_after_close"] == before


def test_a_session_closed_while_playing_stops_its_play_loop(server):
    async def scenario():
        before = await server.wait_stats(time.time())
        s = load.LightSession(server.url, "playing", timeout=60)
        await s.open()
        s.expected = 120  # playing: every month of the run is this session's own
        await s.click("play")
        while s.month < 2:
            s.month_changed.clear()
            await asyncio.wait_for(s.month_changed.wait(), 60)
        playing = await server.wait_stats(time.time())
        await s.close()
        closed = await server.wait_stats(time.time() + 0.5)
        assert s.errors == [] and s.violations == []
        return before, playing, closed
    before, playing, closed = asyncio.run(scenario())
    assert playing["play_loops"] == before["play_loops"] + 1
    assert closed["play_loops"] == before["play_loops"] and closed["live_models"] == before["live_models"]


def _in_use(session) -> str:
    for state in session.widgets.values():
        text = state.get("unsafe_innerHTML") or ""
        if text.startswith(("Deze run", "This run")):
            return text
    raise AssertionError("no 'in use' line on the page")


async def _choose_lesson(session, value):
    """Send what the browser sends when the lesson list changes, with any value."""
    select = next(cid for cid, st in session.widgets.items() if st.get("class_") == "carelines-lesson")
    msg_id = "choose-" + str(value)[:20]
    session.idle = {msg_id: asyncio.Event()}
    await session.ws.send(load._message("comm_msg", {"comm_id": select, "data": {
        "method": "update", "state": {"v_model": value}, "buffer_paths": []}}, session.client, msg_id))
    await asyncio.wait_for(session.idle[msg_id].wait(), 60)


def test_a_path_or_a_config_as_lesson_is_refused_by_the_page(server):
    async def scenario():
        s = load.LightSession(server.url, "paths", timeout=60)
        await s.open()
        try:
            free = _in_use(s)
            for bad in ("../../etc/passwd", "/etc/passwd", str(ROOT / "classroom" / "lessons" / "04_afvoerputje.yaml"),
                        {"levers": {"population": 10000}}, ["01_wijkteam"]):
                await _choose_lesson(s, bad)
                assert _in_use(s) == free and s.month == 0, bad
            await _choose_lesson(s, "04_afvoerputje")  # a lesson by its name works
            assert "Substitutie zonder middelen = 0.3" in _in_use(s)
            assert s.errors == []
        finally:
            await s.close()
    asyncio.run(scenario())


def _listening(pid: int) -> list[str]:
    return [c.laddr.ip for c in psutil.Process(pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]


def test_the_page_server_listens_on_localhost_only(server):
    addresses = _listening(server.proc.pid)
    assert addresses and all(ipaddress.ip_address(a).is_loopback for a in addresses), addresses


@pytest.mark.parametrize("args, host", [([], "localhost"), (["HOST=0.0.0.0"], "0.0.0.0")])
def test_make_app_binds_to_localhost_unless_host_is_given(args, host):
    dry = subprocess.run(["make", "-n", "app", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert f"--host {host} " in dry.replace("\\\n", " ")
