"""An admin switches the model at run time, end to end: REST API → hub → per-model queues →
two real `switchboard worker` processes, each serving a different tiny model.

The two models are built so that greedy decoding repeats one letter whatever the prompt
("aaaa…" and "bbbb…"): the letter in an answer tells which worker wrote it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest

from core import messages
from tests.model.conftest import TOKEN, bot_toml
from tests.model.tiny_models import write_gguf_llama

pytestmark = pytest.mark.slow

ADMIN = "ops"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
ANSWER_TOKENS = 6


def two_models(folder: Path) -> dict[str, Any]:
    return {
        "backend": "ctransformers",
        "temperature": 0,
        "max_tokens": ANSWER_TOKENS,
        "stream": False,
        "models": [
            {
                "name": "alpha",
                "path": str(write_gguf_llama(folder / "alpha.gguf", answer=b"a")),
                "weight": 100,
            },
            {"name": "beta", "path": str(write_gguf_llama(folder / "beta.gguf", answer=b"b")), "weight": 0},
        ],
    }


async def say(http: aiohttp.ClientSession, base: str, text: str, user: str = "someone") -> dict[str, Any]:
    body = {"conversation_id": "switch-1", "user_id": user, "text": text}
    async with http.post(f"{base}/api/v1/messages", json=body, headers=HEADERS) as response:
        assert response.status == 200, await response.text()
        answer: dict[str, Any] = await response.json()
    return answer


async def answer_text(http: aiohttp.ClientSession, base: str, question: str) -> str:
    answer = await say(http, base, question)
    assert answer["outcome"] == "replied", answer
    (reply,) = answer["replies"]
    assert not reply["notice"], reply
    text = str(reply["text"])
    assert text.endswith(messages.CUT_OFF), text  # these models write until max_tokens
    return text.split("…")[0]


async def admin(http: aiohttp.ClientSession, base: str, command: str) -> str:
    answer = await say(http, base, command, user=ADMIN)
    assert answer["outcome"] == "admin", answer
    return str(answer["replies"][0]["text"])


async def test_admin_switches_the_answering_model_through_the_rest_api(
    http_hub, workers, redis, redis_url, tmp_path
):
    model = two_models(tmp_path)
    bot = bot_toml(tmp_path / "bot.toml", dict(model, models=list(model["models"])))
    base = await http_hub(model, admins=[f"api:{ADMIN}"])
    alpha, beta = workers(bot, redis_url, "alpha"), workers(bot, redis_url, "beta")
    await alpha.ready(redis)
    await beta.ready(redis)

    async with aiohttp.ClientSession() as http:
        shown = await admin(http, base, "/model")
        assert "Model in use: automatic" in shown
        assert "- alpha (ctransformers, weight 100, 1 worker(s)" in shown
        assert "- beta (ctransformers, weight 0, 1 worker(s)" in shown
        assert await answer_text(http, base, "Who answers now?") == "a" * ANSWER_TOKENS

        assert "'beta' answers" in await admin(http, base, "/model use beta")
        assert "Model in use: beta" in await admin(http, base, "/model")
        assert await answer_text(http, base, "And who answers now?") == "b" * ANSWER_TOKENS
        assert await answer_text(http, base, "Still the same one?") == "b" * ANSWER_TOKENS

        assert "automatic again" in await admin(http, base, "/model auto")
        assert await answer_text(http, base, "Back to the first?") == "a" * ANSWER_TOKENS

        refused = await say(http, base, "/model use beta")  # not an admin
        assert refused["outcome"] == "refused"
        assert await answer_text(http, base, "Unchanged?") == "a" * ANSWER_TOKENS
    assert "serving model alpha" in alpha.output() and "serving model beta" in beta.output()
