"""The edge middleware and guard on a real aiohttp server: what a client and an operator see."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis

from bots.redis_runner import PrivateRedis
from core.http import SERVED, BadInput, ConnectionGuard, EdgeLimits, started
from core.metrics import Metrics
from core.server import build_app, redis_check

WAIT = 5  # failure guard only


async def boom(_request: web.Request) -> web.Response:
    raise RuntimeError("the text of a secret 4242")


async def refuse(_request: web.Request) -> web.Response:
    raise BadInput("field 'x' must be a string")


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


async def socket_then_boom(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    started(request, ws)
    await ws.receive()
    raise RecursionError("deep")


ROUTES = [
    web.get("/boom", boom),
    web.get("/refuse", refuse),
    web.post("/echo", echo),
    web.get("/ws", socket_then_boom),
]


@dataclass
class Served:
    port: int

    def make_url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@asynccontextmanager
async def serving(limits: EdgeLimits | None = None, checks=None) -> AsyncIterator[tuple[Served, Metrics]]:  # type: ignore[no-untyped-def]
    """Served as `switchboard run` serves: an AppRunner with the edge's server options."""
    metrics = Metrics()
    limits = limits or EdgeLimits()
    app = build_app(metrics=metrics, ready_checks=checks or {}, routes=ROUTES, limits=limits)
    runner = web.AppRunner(app, access_log=None, **limits.server_options())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield Served(runner.addresses[0][1]), metrics
    finally:
        await runner.cleanup()


async def test_an_escaping_exception_is_a_500_without_its_text_logged_once_and_counted(caplog):
    caplog.set_level(logging.INFO)
    async with serving() as (server, metrics), aiohttp.ClientSession() as session:
        async with session.get(server.make_url("/boom")) as response:
            body = await response.json()
            rid = response.headers["X-Request-Id"]
        assert response.status == 500
        assert body == {"error": "internal error", "request_id": rid}
        count = metrics.http_unhandled.labels("/boom")._value.get()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].request_id == rid and errors[0].exc_info
    assert count == 1


async def test_bad_input_is_a_400_with_one_warning_and_no_traceback(caplog):
    async with serving() as (server, _), aiohttp.ClientSession() as session:
        async with session.get(server.make_url("/refuse"), headers={"X-Request-Id": "req-77"}) as response:
            assert response.status == 400
            assert await response.json() == {"error": "field 'x' must be a string", "request_id": "req-77"}
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].request_id == "req-77"
    assert "field 'x' must be a string" in warnings[0].getMessage() and not warnings[0].exc_info


async def test_an_error_after_the_upgrade_closes_the_socket_instead_of_writing_a_500():
    async with serving() as (server, metrics), aiohttp.ClientSession() as session:
        async with session.ws_connect(server.make_url("/ws")) as ws:
            await ws.send_str("[]")
            closed = await ws.receive(timeout=WAIT)
        assert closed.type == aiohttp.WSMsgType.CLOSE and ws.close_code == 1011
        assert metrics.http_unhandled.labels("/ws")._value.get() == 1


async def _raw(server: Served, data: bytes) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(data)
    await writer.drain()
    return reader, writer


async def test_a_lying_content_length_is_answered_413_at_once_and_the_connection_closed():
    async with serving(EdgeLimits(max_body_bytes=4096)) as (server, _):
        reader, writer = await _raw(
            server, b'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\n{"a'
        )
        answer = await asyncio.wait_for(reader.read(), WAIT)  # EOF: the hub closed, not lingering
        writer.close()
    assert answer.startswith(b"HTTP/1.1 413 ") and b'"limit_bytes": 4096' in answer


async def test_a_body_that_stops_arriving_is_cut_with_408(caplog):
    async with serving(EdgeLimits(body_timeout_s=0.2)) as (server, _):
        reader, writer = await _raw(server, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        answer = await asyncio.wait_for(reader.read(), WAIT)
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert not [r for r in caplog.records if r.exc_info]


async def test_a_client_gone_mid_body_is_one_quiet_line(caplog):
    caplog.set_level(logging.INFO)
    async with serving() as (server, _):
        _reader, writer = await _raw(
            server, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{"
        )
        writer.close()
        await writer.wait_closed()
        for _ in range(500):  # until the server noticed
            if any("client went away" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.01)
    lines = [r for r in caplog.records if "client went away" in r.getMessage()]
    assert len(lines) == 1 and lines[0].levelno == logging.INFO
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_unfinished_headers_are_cut_by_the_guard_and_finished_requests_are_not():
    limits = EdgeLimits(header_timeout_s=0.5)
    metrics = Metrics()
    app = build_app(metrics=metrics, ready_checks={}, routes=ROUTES, limits=limits)
    served = app[SERVED] = set()
    runner = web.AppRunner(app, **limits.server_options())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    assert runner.server is not None
    guard = ConnectionGuard(runner.server, served, limits.header_timeout_s)
    try:
        slow_reader, slow = await asyncio.open_connection("127.0.0.1", port)
        slow.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        kept_reader, kept = await asyncio.open_connection("127.0.0.1", port)
        kept.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await kept_reader.readline()).startswith(b"HTTP/1.1 200")
        await kept_reader.readuntil(b'{"status": "ok"}')
        await slow.drain()
        while len(runner.server.connections) < 2:
            await asyncio.sleep(0.01)
        now = asyncio.get_running_loop().time()
        assert guard.sweep(now) == 0  # first sight
        assert guard.sweep(now + 1) == 1  # past the header timeout: the unfinished one only
        assert await asyncio.wait_for(slow_reader.read(), WAIT) == b""
        kept.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await asyncio.wait_for(kept_reader.readline(), WAIT)).startswith(b"HTTP/1.1 200")
        slow.close()
        kept.close()
    finally:
        await runner.cleanup()


async def test_an_unparsable_request_is_a_400_and_one_warning_line(caplog):
    async with serving() as (server, _):
        reader, writer = await _raw(
            server, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 9000 + b"\r\n\r\n"
        )
        answer = await asyncio.wait_for(reader.read(), WAIT)
        writer.close()
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request")
    lines = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert lines and all(r.levelno == logging.WARNING and not r.exc_info for r in lines)
    assert "refused an unparsable request" in lines[0].getMessage()


async def test_readyz_answers_503_within_its_own_timeout_when_a_check_hangs():
    async def hangs() -> tuple[bool, str]:
        await asyncio.Event().wait()
        return True, "never"

    async def fine() -> tuple[bool, str]:
        return True, "ok"

    limits = EdgeLimits(readyz_timeout_s=0.2)
    async with serving(limits, {"stuck": hangs, "other": fine}) as (server, _), aiohttp.ClientSession() as s:
        async with s.get(server.make_url("/readyz"), timeout=aiohttp.ClientTimeout(total=WAIT)) as response:
            assert response.status == 503
            body = await response.json()
    assert body["checks"] == {"stuck": "no answer within 0.2 s", "other": "ok"}


@pytest.mark.slow
async def test_readyz_is_503_at_once_while_redis_is_frozen():
    server = PrivateRedis().start()
    client = Redis.from_url(server.url, decode_responses=True)
    assert server.pid is not None
    try:
        await client.ping()
        limits = EdgeLimits(readyz_timeout_s=0.3)
        async with serving(limits, {"redis": redis_check(client)}) as (http, _), aiohttp.ClientSession() as s:
            os.kill(server.pid, signal.SIGSTOP)
            try:
                async with s.get(http.make_url("/readyz"), timeout=aiohttp.ClientTimeout(total=WAIT)) as r:
                    assert r.status == 503
                    assert (await r.json())["checks"]["redis"] == "no answer within 0.3 s"
            finally:
                os.kill(server.pid, signal.SIGCONT)
            async with s.get(http.make_url("/readyz")) as r:
                assert r.status == 200  # back by itself
    finally:
        await client.aclose()
        server.stop()
