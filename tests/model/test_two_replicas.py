"""Two hub processes (`switchboard run`) on one Redis with one real worker (tiny model): web chat
and REST answers reach their caller whichever replica reads the model's result — exactly once —
and an answer whose replica died is delivered on reconnect, or to the retry of the same message."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from bots.redis_runner import free_port
from tests.model.conftest import KEYS, bot_toml
from tests.model.faulty_worker import SLOW
from tests.soak.__main__ import Proc, wait_ready
from tests.soak.traffic import Tally, rest_load, webchat_load

pytestmark = pytest.mark.slow

TOKEN = "two-" + uuid.uuid4().hex


def model(tiny_models: dict[str, Path]) -> dict[str, Any]:
    return {
        "backend": "ctransformers",
        "name": "tiny",
        "path": str(tiny_models["llama"]),
        "max_tokens": 8,
        "temperature": 0,
        "busy_depth": 100_000,
        "max_queue": 100_000,
    }


class Stack:
    def __init__(self, folder: Path, bot: Path, redis_url: str) -> None:
        self.folder, self.bot = folder, bot
        self.env = {
            **os.environ,
            "SWITCHBOARD_REDIS_URL": redis_url,
            "SWITCHBOARD_API_TOKEN": TOKEN,
            "SWITCHBOARD_HTTP_HOST": "127.0.0.1",
            "SWITCHBOARD_API_TIMEOUT": "60",
            "SWITCHBOARD_MODEL_THREADS": "1",
        }
        self.procs: list[Proc] = []
        self.bases: list[str] = []

    def hub(self, name: str, port: int | None = None) -> Proc:
        port = port or free_port()
        args = [sys.executable, "-m", "bots.cli", "run", "--bot", str(self.bot)]
        env = {**self.env, "SWITCHBOARD_HTTP_PORT": str(port)}
        proc = Proc(name, args, env, self.folder / f"{name}.log").start()
        self.procs.append(proc)
        self.bases.append(f"http://127.0.0.1:{port}")
        return proc

    def worker(self, module: str = "bots.cli") -> Proc:
        args = [sys.executable, "-m", module, "worker", "--bot", str(self.bot)]
        proc = Proc("worker", args, self.env, self.folder / "worker.log").start()
        self.procs.append(proc)
        return proc

    async def ready(self, bases: list[str]) -> None:
        async with aiohttp.ClientSession() as http:
            for base in bases:
                await wait_ready(http, base, timeout=90)

    def logs(self) -> str:
        return "\n".join(p.log.read_text(errors="replace")[-3000:] for p in self.procs if p.log.exists())


@pytest.fixture
async def stack(
    tmp_path: Path, tiny_models: dict[str, Path], redis: Redis, redis_url: str
) -> AsyncIterator[Stack]:
    bot = bot_toml(tmp_path / "two.toml", model(tiny_models))
    with bot.open("a", encoding="utf-8") as handle:
        handle.write("[limits]\nuser_per_minute = 100000\nconversation_per_minute = 100000\n")
        handle.write("[pii]\nenabled = false\n")
    built = Stack(tmp_path, bot, redis_url)
    yield built
    for proc in built.procs:
        proc.stop()


async def test_100_web_chat_messages_and_rest_calls_over_two_replicas_are_each_answered_once(stack):
    stack.hub("hub0")
    stack.hub("hub1")
    stack.worker()
    await stack.ready(stack.bases)
    chat, rest = Tally(), Tally()
    await asyncio.wait_for(
        asyncio.gather(
            webchat_load(stack.bases, 20, 5, chat),  # sessions alternate between the replicas
            rest_load(stack.bases, 40, 20, TOKEN, rest),
        ),
        240,
    )
    assert (chat.sent, chat.answered, chat.duplicated, chat.lost) == (100, 100, 0, 0), stack.logs()
    assert (rest.sent, rest.answered, rest.duplicated, rest.lost, rest.server_errors) == (40, 40, 0, 0, 0)


async def in_hand(redis: Redis) -> None:
    """Until the worker runs one question and the other waits behind it."""
    async with asyncio.timeout(60):
        while not (await redis.keys(KEYS.lease("*")) and await redis.llen("rq:queue:" + KEYS.queue("tiny"))):
            await asyncio.sleep(0.05)


async def test_answers_of_a_replica_that_died_reach_the_reconnect_and_the_retry(stack, redis):
    doomed = stack.hub("hub0")
    stack.hub("hub1")
    # SLOW in a question: it thinks for 15 s first, long enough on a loaded machine for the REST
    # question to queue behind it before the replica is killed
    stack.env["SWITCHBOARD_FAULTY_SLOW_S"] = "15"
    stack.worker("tests.model.faulty_worker")
    doomed_base, other = stack.bases
    await stack.ready(stack.bases)
    session = uuid.uuid4().hex
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"conversation_id": "c1", "user_id": "u1", "message_id": "m-1", "text": "hello there"}
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(f"{doomed_base}/ws?session={session}", origin=doomed_base) as ws:
            await ws.receive_json()  # hello
            await ws.send_json({"type": "message", "id": "q1", "text": f"what is an API? {SLOW}"})
            call = asyncio.ensure_future(
                http.post(f"{doomed_base}/api/v1/messages", json=body, headers=headers)
            )
            await in_hand(redis)
            doomed.kill()  # the replica holding the socket and the request dies mid-answer
        with pytest.raises(aiohttp.ClientError):
            await call
        async with http.ws_connect(f"{other}/ws?session={session}", origin=other) as ws:
            await ws.receive_json()  # hello: the browser reconnected to the other replica
            frame = await asyncio.wait_for(_reply(ws), 60)
        assert frame["in_reply_to"] == "q1" and not frame["notice"], stack.logs()
        retry = await http.post(f"{other}/api/v1/messages", json=body, headers=headers)
        data = await retry.json()
    assert retry.status == 200 and [r["notice"] for r in data["replies"]] == [False], (data, stack.logs())


async def _reply(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        frame = await ws.receive_json()
        if frame["type"] == "reply":
            return frame
