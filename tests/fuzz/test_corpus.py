"""The malformed-input corpus against a real hub process (`switchboard run`) with every route
switched on (tests/fuzz/hubenv.py): Slack (events, commands, install, OAuth), Discord
interactions, the Telegram webhook, the six helpdesk webhooks and a generic hook, REST, the web
chat (/, /ws, /static), the admin dashboard (pages, login, logout, actions, files), health and
metrics. tests/fuzz/test_route_table.py checks that no route of the hub is left out.
A sample runs in `make test`; `make fuzz` (SWITCHBOARD_FUZZ=full) sends all of it.

Asserted: no 5xx; no answer later than 5 s; no traceback, session id or token in the hub's log;
the hub's RSS after the run within 50 MB of before; /healthz 200 throughout; nothing reached the
last-resort 500 handler (switchboard_http_unhandled_total absent)."""

from __future__ import annotations

import asyncio
import os
import re
import time
from pathlib import Path

import aiohttp
import pytest

from tests.fuzz import corpus
from tests.fuzz.client import HANG_S, Figures, healthy, raw_request, rss_mb, send_case
from tests.fuzz.hubenv import ADMIN_TOKEN, platforms
from tests.test_embedded_run import TOKEN, start_hub, stop_hub

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

FULL = os.environ.get("SWITCHBOARD_FUZZ") == "full"
IN_FLIGHT = 8
RSS_BUDGET_MB = 50
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


async def _admin_session(port: int, session: aiohttp.ClientSession) -> tuple[str, str]:
    """Log in to the dashboard as its admin: the session cookie and the page's CSRF token."""
    base = f"http://127.0.0.1:{port}"
    async with session.post(f"{base}/admin/login", data={"token": ADMIN_TOKEN}, allow_redirects=False) as r:
        assert r.status == 303, await r.text()
        cookie = f"sb_admin={r.cookies['sb_admin'].value}"
    async with session.get(f"{base}/admin", headers={"Cookie": cookie}) as r:
        found = _CSRF.search(await r.text())
        assert r.status == 200 and found
    return cookie, found.group(1)


async def _warm_up(port: int, session: aiohttp.ClientSession) -> None:
    """A few ordinary requests on every path, so lazy loading is not counted as growth."""
    for text in ("hello there", "/help", "my email is ann@example.com"):
        body = {"conversation_id": "warm", "user_id": "w", "text": text}
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with session.post(f"http://127.0.0.1:{port}/api/v1/messages", json=body, headers=headers) as r:
            assert r.status == 200, await r.text()
    for case in list(corpus.cases(False))[:40]:
        if case.frames is None:
            await raw_request(port, case.method, case.path, case.headers, case.body)


def _report(figures: Figures, duration: float, before: float, after: float) -> None:
    """The run's figures, printed before the hub stops (so a slow stop still leaves them)."""
    print(
        f"\nfuzz ({'full' if FULL else 'sample'}): {figures.sent} requests in {duration:.0f} s, "
        f"statuses {dict(sorted(figures.statuses.items()))}, 5xx {len(figures.server_errors)}, "
        f"hangs {len(figures.hangs)}, max latency {figures.max_latency_s:.2f} s, "
        f"RSS {before:.0f} MB -> {after:.0f} MB"
    )
    for route, counts in sorted(figures.by_route.items()):
        print(f"  {route}: {dict(sorted(counts.items()))}")


async def _settled(port: int, session: aiohttp.ClientSession, limit_s: float = 120.0) -> str:
    """The metrics once the turns the corpus started are over (the full run leaves thousands of
    answers to deliver; stopping is measured by other tests): the hub is stopped idle."""
    deadline = time.monotonic() + limit_s
    while True:
        async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
            metrics = await response.text()
        busy = [line for line in metrics.splitlines() if line.startswith("switchboard_turns_in_flight ")]
        if not busy or float(busy[0].split()[1]) == 0 or time.monotonic() > deadline:
            return metrics
        await asyncio.sleep(0.5)


async def _slow_clients(port: int, figures: Figures, count: int) -> None:
    """Half-sent headers, half-sent bodies, a lying Content-Length, a disconnect mid-body: the hub
    closes each within its timeouts (1 s here) and answers 413 at once to the liar."""
    opened = []
    for n in range(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if n % 2:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never finished
        else:
            writer.write(
                b"POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: 100\r\n\r\n{"
            )  # body never finished
        opened.append((reader, writer))
    started = time.perf_counter()
    for reader, writer in opened:
        try:
            await asyncio.wait_for(reader.read(), HANG_S)  # EOF (or a 408) once the hub cuts it
        except ConnectionError:
            pass  # cut with a reset: cut all the same
        except TimeoutError:
            figures.hangs.append("slow client not cut")
        writer.close()
    figures.max_latency_s = max(figures.max_latency_s, (time.perf_counter() - started) / max(1, count))
    figures.sent += count

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b'POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n{"te')
    started = time.perf_counter()
    status_line = await asyncio.wait_for(reader.readline(), HANG_S)
    figures.record("lying Content-Length", int(status_line.split()[1]), time.perf_counter() - started)
    assert b" 413 " in status_line
    writer.close()

    for _ in range(3):  # gone mid-body
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b'POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{"text": ')
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        figures.sent += 1


async def test_malformed_corpus_gets_no_5xx_no_hang_no_traceback_and_bounded_memory(tmp_path: Path):
    async with platforms(tmp_path) as fakes:
        hub = await start_hub(tmp_path, **fakes.env)
        await _campaign(hub, fakes, tmp_path)


async def _campaign(hub, fakes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    figures = Figures()
    try:
        async with aiohttp.ClientSession() as session:
            setup = time.perf_counter()
            await _warm_up(hub.port, session)
            print(f"warm-up {time.perf_counter() - setup:.1f} s")
            cookie, csrf = await _admin_session(hub.port, session)
            context = corpus.Context(f"{fakes.slack.base}/response/fuzz", cookie, csrf)
            before = rss_mb(hub.proc.pid)
            gate = asyncio.Semaphore(IN_FLIGHT)

            async def one(case: corpus.Case) -> None:
                async with gate:
                    await send_case(hub.port, case, figures, session)
                    if figures.sent % 50 == 0:
                        await healthy(hub.port, figures)

            started = time.perf_counter()
            await asyncio.gather(*(one(c) for c in corpus.cases(FULL, context)))
            await _slow_clients(hub.port, figures, 2000 if FULL else 100)
            await healthy(hub.port, figures)
            duration = time.perf_counter() - started
            after = rss_mb(hub.proc.pid)
            metrics = await _settled(hub.port, session)
            _report(figures, duration, before, after)
    finally:
        stopping = time.perf_counter()
        code = await stop_hub(hub)
        print(f"stop {time.perf_counter() - stopping:.1f} s")
    log = hub.log()
    kept = Path(os.environ.get("SWITCHBOARD_FUZZ_LOG") or tmp_path / "hub.log")
    kept.write_text(log, encoding="utf-8")  # for a look after a failure
    print(f"hub log: {kept}")
    assert code == 0, log[-3000:]
    assert figures.server_errors == [], figures.server_errors[:20]
    assert figures.hangs == [], figures.hangs[:20]
    assert figures.health_failures == 0
    assert "Traceback" not in log, log[log.find("Traceback") - 500 :][:4000]
    assert "switchboard_http_unhandled_total{" not in metrics
    assert not [s for s in figures.sessions_seen if s in log], "a web chat session id reached the log"
    assert TOKEN not in log and corpus.SIGNING_SECRET not in log and ADMIN_TOKEN not in log
    assert after - before <= RSS_BUDGET_MB, f"RSS grew from {before:.0f} MB to {after:.0f} MB"
