"""Faults with real parts: worker processes that really crash or hang, a Redis that really goes
away. Fast versions of `make soak`'s scenarios; each asserts what the person receives."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from bots.redis_runner import PrivateRedis
from core import messages
from core.model.deadletters import DeadLetters
from tests.fakes import FakeAdapter
from tests.model.conftest import KEYS, EmailMasker, WorkerProcess, bot_toml
from tests.model.faulty_worker import CRASH, HANG, SLOW
from tests.model.test_queue import until

pytestmark = pytest.mark.slow


def tiny_model(tiny_models: dict[str, Path], **extra: Any) -> dict[str, Any]:
    return {
        "backend": "ctransformers",
        "name": "tiny",
        "path": str(tiny_models["llama"]),
        "temperature": 0,
        "max_tokens": 8,
        "stream": False,
        **extra,
    }


class Respawner:
    """Keeps one faulty worker running, as the supervisor does; records how each one ended."""

    def __init__(self, bot: Path, redis_url: str) -> None:
        self.bot = bot
        self.redis_url = redis_url
        self.exits: list[int] = []
        self.current: WorkerProcess | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, redis: Redis) -> Respawner:
        self.current = WorkerProcess(self.bot, self.redis_url, module="tests.model.faulty_worker").start()
        await self.current.ready(redis)
        self._task = asyncio.get_running_loop().create_task(self._keep())
        return self

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            assert self.current is not None and self.current.proc is not None
            code = self.current.proc.poll()
            if code is not None:
                self.exits.append(code)
                log = self.current.log
                self.current = WorkerProcess(
                    self.bot, self.redis_url, log=log, module="tests.model.faulty_worker"
                )
                self.current.start()

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self.current is not None:
            self.current.kill()


@pytest.fixture
async def respawner(tmp_path: Path) -> AsyncIterator[Any]:
    started: list[Respawner] = []

    async def start(model: dict[str, Any], redis: Redis, redis_url: str) -> Respawner:
        fleet = await Respawner(bot_toml(tmp_path / "bot.toml", dict(model)), redis_url).start(redis)
        started.append(fleet)
        return fleet

    yield start
    for fleet in started:
        fleet.stop()


async def test_a_job_that_kills_its_worker_twice_is_set_aside_and_others_keep_flowing(
    modelkit, respawner, tiny_models, redis, redis_url
):
    model = tiny_model(tiny_models)
    _assembly, chat = await modelkit(masker=EmailMasker(), model=dict(model))
    fleet = await respawner(model, redis, redis_url)
    await chat.say(f"write to dana@example.com {CRASH}", user="dana", channel="d")
    await chat.say("hello there", user="erin", channel="e")
    await until(lambda: len(chat.sent) == 2, timeout=90)
    replies = {reply.conversation.channel_id: reply for reply in chat.sent}
    assert replies["d"].text == messages.MODEL_POISON and replies["d"].notice
    assert not replies["e"].notice and replies["e"].text  # the other person got an answer
    assert fleet.exits == [-11, -11]  # two real SIGSEGVs, then no more: it is not re-run
    (dead,) = await DeadLetters(redis, KEYS).newest()
    stored = json.dumps(dead, ensure_ascii=False)
    assert dead["deaths"] == 2 and "<EMAIL_1>" in stored and "dana@example.com" not in stored
    await chat.say("and one more", user="dana", channel="d")  # the worker serves on
    await until(lambda: len(chat.sent) == 3, timeout=30)
    assert not chat.sent[-1].notice


async def test_a_model_that_hangs_gets_an_apology_and_the_worker_is_replaced(
    modelkit, respawner, tiny_models, redis, redis_url, monkeypatch
):
    monkeypatch.setenv("SWITCHBOARD_WORKER_WATCHDOG_S", "2")
    model = tiny_model(tiny_models, job_timeout_s=1)
    _assembly, chat = await modelkit(model=dict(model))
    fleet = await respawner(model, redis, redis_url)
    await chat.say(f"are you there {HANG}", user="finn", channel="f")
    await until(lambda: len(chat.sent) == 1, timeout=30)
    assert chat.last() == messages.MODEL_TIMEOUT and chat.sent[0].notice
    await until(lambda: 75 in fleet.exits, timeout=60)  # the watchdog ended the hung worker
    await chat.say("hello again", user="gail", channel="g")
    await until(lambda: len(chat.sent) == 2, timeout=60)
    assert not chat.sent[-1].notice


@pytest.fixture
async def outage() -> AsyncIterator[tuple[PrivateRedis, Redis]]:
    """A Redis of its own (durable: append-only, fsync per write) that a test may kill."""
    server = PrivateRedis(durable=True).start()
    client = Redis.from_url(server.url, decode_responses=True)
    yield server, client
    await client.aclose()
    server.stop()


async def test_redis_outage_the_worker_reconnects_and_nothing_in_flight_is_lost(
    outage, tiny_models, tmp_path
):
    from bots.compose import assemble
    from core.botdef import parse_bot

    server, client = outage
    model = tiny_model(tiny_models)
    data = {"name": "testbot", "skills": ["skills.help", "skills.fallback"], "model": dict(model)}
    chat = FakeAdapter()
    assembly = assemble(parse_bot(data, source="test"), client, adapters=[chat])
    await assembly.hub.start()
    await assembly.model_service.start()
    worker = WorkerProcess(
        bot_toml(tmp_path / "bot.toml", dict(model)), server.url, module="tests.model.faulty_worker"
    ).start()
    try:
        await worker.ready(client)
        await chat.say(f"a question that takes a while {SLOW}", user="hana", channel="h")
        async with asyncio.timeout(30):
            while not await client.keys(KEYS.lease("*")):
                await asyncio.sleep(0.02)
        server.kill()  # mid-answer
        record = await chat.say("anyone?", user="ivan", channel="i")
        assert chat.last() == messages.TEMPORARILY_UNAVAILABLE and record.replies[0].notice
        await asyncio.sleep(1.0)  # the outage lasts: the worker must not give up meanwhile
        server.start()
        await until(lambda: any(r.conversation.channel_id == "h" for r in chat.sent), timeout=60)
        (answer,) = [r for r in chat.sent if r.conversation.channel_id == "h"]
        assert not answer.notice and answer.text  # answered after the outage, once
        assert worker.proc is not None and worker.proc.poll() is None  # same process, still serving
        await chat.say("and now?", user="ivan", channel="i")
        await until(lambda: len([r for r in chat.sent if r.conversation.channel_id == "i"]) == 2, timeout=60)
        assert not chat.sent[-1].notice
        server.kill()  # a second outage, while the worker waits for work
        await asyncio.sleep(3.0)
        assert worker.proc.poll() is None
        server.start()
        await chat.say("back?", user="ivan", channel="i")
        await until(lambda: len([r for r in chat.sent if r.conversation.channel_id == "i"]) == 3, timeout=60)
        assert not chat.sent[-1].notice and worker.proc.poll() is None
    finally:
        worker.kill()
        await assembly.model_service.stop()
        await assembly.hub.stop(grace=2)


SMALL = {"backend": "ctransformers", "name": "small", "path": "/nowhere.gguf", "stream": False}


async def test_rest_retry_after_a_hub_restart_gets_the_first_calls_answer(redis, redis_url):
    from tests.model.test_queue import EchoEngine, work_off
    from tests.webhub import web_hub

    async with web_hub(redis, model=dict(SMALL)) as first:
        await first.assembly.model_service.start()
        call = asyncio.create_task(first.post("what about x?", message_id="retry-1"))
        async with asyncio.timeout(10):
            while not await redis.llen("rq:queue:" + KEYS.queue("small")):
                await asyncio.sleep(0.02)
        await first.assembly.model_service.stop()  # the hub goes away while the model works
    call.cancel()  # the caller's connection dropped
    async with web_hub(redis, model=dict(SMALL), timeout_s=30) as second:
        await second.assembly.model_service.start()
        early = asyncio.create_task(second.post("what about x?", message_id="retry-1"))
        await asyncio.sleep(0.2)  # the retry arrives before the answer: it waits for it
        work_off(redis_url, EchoEngine())  # (blocks the loop briefly) the restarted hub finishes it
        waited = await (await early).json()
        again = await (await second.post("what about x?", message_id="retry-1")).json()
        await second.assembly.model_service.stop()
    assert waited["replies"] == [{"text": "You said: what about x?", "notice": False}]
    assert again["replies"] == waited["replies"] and again["outcome"] == "duplicate"
