"""Nobody waits for nothing: a REST caller gets the model's apology the moment the turn has it,
and a question for a model that no live worker serves is answered at once with a notice (the
hub logs once how to start a worker, and again when the last worker disappears)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import redis as sync_redis
from aiohttp import web
from redis.asyncio import Redis

from adapters.rest import RestAdapter
from bots.compose import assemble
from bots.worker import Heartbeat
from core import messages
from core.botdef import parse_bot
from core.secrets import Secret
from tests.model.conftest import KEYS, TOKEN
from tests.model.test_queue import MODEL, BrokenEngine, EchoEngine, work_off

REST_TIMEOUT_S = 120  # what a caller would wait at most; the answers below must come long before
GUARD_S = 20


@pytest.fixture
async def rest_hub(redis: Redis) -> AsyncIterator[Any]:
    """A hub with the REST API on a real port; `start(require_worker=...)` returns its URL."""
    stack: list[tuple[Any, web.AppRunner]] = []

    async def start(*, require_worker: bool) -> str:
        bot = parse_bot(
            {"name": "testbot", "skills": ["skills.help", "skills.fallback"], "model": MODEL}, source="t"
        )
        rest = RestAdapter(Secret(TOKEN), timeout_s=REST_TIMEOUT_S)
        assembly = assemble(bot, redis, adapters=[rest], require_worker=require_worker, source="t.toml")
        await assembly.hub.start()
        await assembly.model_service.start()
        runner = web.AppRunner(assembly.http_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        stack.append((assembly, runner))
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    yield start
    for assembly, runner in stack:
        await assembly.model_service.stop()
        await assembly.hub.stop(grace=2)
        await runner.cleanup()


async def ask(base: str, text: str) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    body = {"conversation_id": "c1", "user_id": "u1", "text": text}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/api/v1/messages", json=body, headers=headers) as response:
            return response.status, await response.json(), time.monotonic() - started


async def test_rest_returns_the_apology_as_soon_as_the_model_fails(rest_hub, redis, redis_url):
    base = await rest_hub(require_worker=False)
    call = asyncio.create_task(ask(base, "summarise the meeting please"))
    async with asyncio.timeout(GUARD_S):
        while not await redis.llen("rq:queue:" + KEYS.queue("small")):
            await asyncio.sleep(0.02)
    work_off(redis_url, BrokenEngine())  # the model backend is down (runs here, in burst mode)
    async with asyncio.timeout(GUARD_S):  # not the REST timeout (120 s): the apology ends the wait
        status, body, _elapsed = await call
    assert status == 200
    assert [r["text"] for r in body["replies"]] == [messages.MODEL_UNAVAILABLE]
    assert body["replies"][0]["notice"] is True and body["outcome"] == "error"


async def test_no_live_worker_means_an_immediate_notice_and_one_log_line(rest_hub, redis, caplog):
    caplog.set_level(logging.INFO, logger="core.model")
    base = await rest_hub(require_worker=True)
    for question in ("what is the capital of France?", "and of Spain?"):
        async with asyncio.timeout(GUARD_S):
            status, body, elapsed = await ask(base, question)
        assert status == 200
        assert [r["text"] for r in body["replies"]] == [messages.MODEL_NOT_RUNNING]
        assert body["replies"][0]["notice"] is True
    assert await redis.llen("rq:queue:" + KEYS.queue("small")) == 0  # nothing left waiting
    hints = [r.getMessage() for r in caplog.records if "no worker serves model small" in r.getMessage()]
    assert len(hints) == 1, hints  # said once at start, not per question
    assert "switchboard worker --bot t.toml" in hints[0] and "--workers 1" in hints[0]


async def test_a_worker_coming_and_going_is_noticed(rest_hub, redis, redis_url, caplog):
    caplog.set_level(logging.INFO, logger="core.model")
    base = await rest_hub(require_worker=True)
    connection = sync_redis.Redis.from_url(redis_url)
    heartbeat = Heartbeat(connection, KEYS, "box.1.abc", {"model": "small"}).start()
    try:
        async with asyncio.timeout(GUARD_S):
            while not any("has a worker again" in r.getMessage() for r in caplog.records):
                await asyncio.sleep(0.05)
        call = asyncio.create_task(ask(base, "a question for the worker"))
        async with asyncio.timeout(GUARD_S):  # queued for the worker this time, not refused
            while not await redis.llen("rq:queue:" + KEYS.queue("small")):
                await asyncio.sleep(0.02)
        assert not call.done()
    finally:
        heartbeat.stop()
        connection.close()
    async with asyncio.timeout(GUARD_S):
        while sum("no worker serves model small" in r.getMessage() for r in caplog.records) < 2:
            await asyncio.sleep(0.05)
    work_off(redis_url, EchoEngine())  # the question queued while a worker was there is answered
    async with asyncio.timeout(GUARD_S):
        status, body, _elapsed = await call
    assert status == 200 and [r["text"] for r in body["replies"]] == ["You said: a question for the worker"]
