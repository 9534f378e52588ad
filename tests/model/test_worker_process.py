"""The whole path with real parts: Redis, `switchboard worker` processes, SmolLM2, HTTP clients."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.model.conftest import KEYS, TOKEN, bot_toml
from tests.model.test_queue import until

pytestmark = pytest.mark.slow

SMOLLM2 = {
    "backend": "ctransformers",
    "name": "smollm2",
    "path": "builtin:smollm2",
    "temperature": 0,
    "max_tokens": 48,
    "context": 1024,
    "edit_interval_ms": 50,
}


@pytest.fixture
def smollm2_bot(tmp_path: Path) -> Path:
    return bot_toml(tmp_path / "bot.toml", dict(SMOLLM2))


async def test_rest_question_is_answered_by_smollm2(http_hub, workers, smollm2_bot, redis, redis_url):
    base = await http_hub(dict(SMOLLM2))
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/readyz") as response:
            assert response.status == 200  # ready without a worker: messages queue
            assert (await response.json())["checks"]["models"]["models_with_worker"] == []
        await workers(smollm2_bot, redis_url).ready(redis)
        async with http.get(f"{base}/readyz") as response:
            assert (await response.json())["checks"]["models"]["models_with_worker"] == ["smollm2"]
        body = {"conversation_id": "c1", "user_id": "u1", "text": "What is the capital of France?"}
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with http.post(f"{base}/api/v1/messages", json=body, headers=headers) as response:
            assert response.status == 200
            answer = await response.json()
    assert answer["outcome"] == "replied"
    (reply,) = answer["replies"]
    assert "Paris" in reply["text"] and not reply["notice"]


async def test_streamed_answer_reaches_the_web_chat_in_pieces(
    http_hub, workers, smollm2_bot, redis, redis_url
):
    base = await http_hub(dict(SMOLLM2))
    await workers(smollm2_bot, redis_url).ready(redis)
    frames: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{base}/ws?session=stream-test-1") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        await ws.send_json(
            {"type": "message", "id": "q1", "text": "Why is the sky blue? Explain it to a child."}
        )
        async with asyncio.timeout(120):
            while True:
                frame = await ws.receive_json()
                frames.append(frame)
                if frame["type"] == "typing" and frame["active"] is False:
                    break
    texts = [f["text"] for f in frames if f["type"] in {"reply", "edit"}]
    assert frames[0] == {"type": "typing", "active": True}
    assert [f["type"] for f in frames if f["type"] in {"reply", "edit"}][0] == "reply"
    # a first message, then at least one edit as it grows (a loaded machine coalesces the rest)
    assert len(texts) >= 2, texts
    assert all(texts[i + 1].startswith(texts[i].strip()[:20]) for i in range(len(texts) - 1))
    assert len(texts[-1]) > len(texts[0])
    ids = {f["id"] for f in frames if f["type"] in {"reply", "edit"}}
    assert len(ids) == 1  # one message, edited in place


async def _job_running(redis: Any) -> None:
    async with asyncio.timeout(60):
        while not await redis.keys(KEYS.lease("*")):
            await asyncio.sleep(0.02)


async def _nothing_in_flight(redis: Any) -> None:
    """A turn is marked done just after its answer is sent: wait for that, not for a sleep."""
    async with asyncio.timeout(10):
        while await redis.zcard(KEYS.inflight):
            await asyncio.sleep(0.02)


async def test_worker_killed_mid_job_still_gives_exactly_one_answer(
    modelkit, workers, smollm2_bot, redis, redis_url
):
    _assembly, chat = await modelkit(model={**SMOLLM2, "max_tokens": 200})
    first = workers(smollm2_bot, redis_url)
    await first.ready(redis)
    await chat.say("Write a long story about a lighthouse keeper.")
    await _job_running(redis)
    first.kill()
    await workers(smollm2_bot, redis_url).ready(redis)
    await until(lambda: len(chat.sent) >= 1, timeout=120)
    await until(lambda: not chat.typing_events or chat.typing_events[-1] is False)
    await _nothing_in_flight(redis)
    assert len(chat.sent) == 1 and not chat.sent[0].notice and len(chat.sent[0].text) > 20


async def test_hub_restart_mid_job_delivers_the_answer_once(modelkit, workers, smollm2_bot, redis, redis_url):
    first_hub, first_chat = await modelkit(model={**SMOLLM2, "max_tokens": 120})
    await workers(smollm2_bot, redis_url).ready(redis)
    await first_chat.say("Describe a sunrise over the mountains.")
    await _job_running(redis)
    await first_hub.model_service.stop()  # the hub goes away while the worker generates
    await first_hub.hub.stop(grace=1)
    _second_hub, second_chat = await modelkit(model={**SMOLLM2, "max_tokens": 120})
    await until(lambda: len(second_chat.sent) >= 1, timeout=120)
    await _nothing_in_flight(redis)
    assert first_chat.sent == []
    assert len(second_chat.sent) == 1 and not second_chat.sent[0].notice
