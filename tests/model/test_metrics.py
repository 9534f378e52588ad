"""/metrics of a real hub (REST adapter, real Redis, a `switchboard worker` process on a tiny
model): every metric of the catalogue is exposed, nothing else, and one answered question shows
up where an operator would look for it."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from core.metrics import CATALOGUE
from tests.model.conftest import TOKEN, bot_toml
from tests.scrape import families, samples, value

pytestmark = pytest.mark.slow


async def test_real_hub_exposes_the_catalogue_and_counts_a_model_answer(
    http_hub, workers, tiny_models, redis, redis_url, tmp_path: Path
):
    model = {"backend": "ctransformers", "name": "tiny", "path": str(tiny_models["llama"]), "max_tokens": 8}
    base = await http_hub(dict(model))
    await workers(bot_toml(tmp_path / "bot.toml", dict(model)), redis_url).ready(redis)
    async with aiohttp.ClientSession() as http:
        body = {"conversation_id": "c1", "user_id": "u1", "text": "hello there, metrics"}
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with http.post(f"{base}/api/v1/messages", json=body, headers=headers) as response:
            assert response.status == 200
            assert (await response.json())["outcome"] == "replied"
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200
            text = await response.text()

    assert families(text) == {spec.name: spec.kind for spec in CATALOGUE}
    found = samples(text)
    assert value(found, "switchboard_events_received_total", platform="api") == 1
    assert value(found, "switchboard_turns_total", platform="api", outcome="queued") == 1
    assert value(found, "switchboard_model_jobs_queued_total", model="tiny") == 1
    assert value(found, "switchboard_model_queue_wait_seconds_count", model="tiny") == 1
    assert value(found, "switchboard_model_first_token_seconds_count", model="tiny") == 1
    assert value(found, "switchboard_model_tokens_per_second_count", model="tiny") == 1
    assert value(found, "switchboard_model_tokens_total", model="tiny") >= 1
    assert value(found, "switchboard_model_workers_live", model="tiny") == 1
    assert value(found, "switchboard_model_queue_depth", model="tiny") == 0
    assert value(found, "switchboard_replies_sent_total", platform="api", result="ok") >= 1
    assert "hello there" not in text and "c1" not in text and "u1" not in text


async def test_a_question_nobody_takes_shows_in_the_queue_gauges(modelkit):
    model = {"backend": "ctransformers", "name": "idle", "path": "/nowhere.gguf", "stream": False}
    assembly, chat = await modelkit(model=model)
    record = await chat.say("is anybody there?")
    assert record.outcome == "queued"
    await assembly.metrics.refresh()  # what GET /metrics does first
    found = samples(assembly.metrics.render().decode())
    assert value(found, "switchboard_model_queue_depth", model="idle") == 1
    assert value(found, "switchboard_model_queue_oldest_seconds", model="idle") > 0
    assert value(found, "switchboard_model_workers_live", model="idle") == 0
