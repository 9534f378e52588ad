"""The openai backend against a small fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bots.backends import load_engine
from core.model.config import ModelSpec
from core.model.contract import JobRequest
from core.model.errors import BackendUnavailableError

KEY = "sk-test-0123456789"


class FakeOpenAI:
    """Streams chat completions the way vLLM / llama.cpp server do (server-sent events)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail_with: int | None = None

    async def completions(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {KEY}":
            return web.json_response({"error": {"message": "bad key"}}, status=401)
        if self.fail_with:
            return web.json_response({"error": {"message": "boom"}}, status=self.fail_with)
        body = await request.json()
        self.requests.append(body)
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for piece in ["Paris", " is the", " capital."]:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
        await response.write(b"data: [DONE]\n\n")
        return response


@pytest.fixture
async def fake_openai() -> AsyncIterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", fake.completions)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield fake, f"http://{host}:{port}/v1"
    await runner.cleanup()


def request(**kw: Any) -> JobRequest:
    history = (("user", "hi"), ("assistant", "hello <PERSON_1>"))
    return JobRequest("j", "remote", "capital of France?", "Be brief.", history=history, **kw)


async def test_streams_the_answer_and_sends_the_conversation(fake_openai, monkeypatch):
    fake, base_url = fake_openai
    monkeypatch.setenv("SWITCHBOARD_MODEL_API_KEY", KEY)
    spec = ModelSpec(name="remote", backend="openai", base_url=base_url, remote_model="qwen-7b")
    engine = load_engine(spec)
    pieces = await asyncio.to_thread(lambda: list(engine.stream(request(max_tokens=20, temperature=0.2))))
    assert pieces == ["Paris", " is the", " capital."]
    (sent,) = fake.requests
    assert sent["model"] == "qwen-7b" and sent["stream"] is True and sent["max_tokens"] == 20
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["messages"][-1]["content"] == "capital of France?"


async def test_server_errors_are_clear(fake_openai, monkeypatch):
    fake, base_url = fake_openai
    monkeypatch.setenv("SWITCHBOARD_MODEL_API_KEY", KEY)
    engine = load_engine(ModelSpec(name="remote", backend="openai", base_url=base_url))
    fake.fail_with = 503
    with pytest.raises(BackendUnavailableError, match="answered HTTP 503"):
        await asyncio.to_thread(lambda: list(engine.stream(request())))
    monkeypatch.setenv("SWITCHBOARD_MODEL_API_KEY", "wrong")
    fake.fail_with = None
    with pytest.raises(BackendUnavailableError, match="answered HTTP 401"):
        await asyncio.to_thread(lambda: list(load_engine(engine_spec(base_url)).stream(request())))


def engine_spec(base_url: str) -> ModelSpec:
    return ModelSpec(name="remote", backend="openai", base_url=base_url)


def test_missing_base_url_and_dead_server_are_clear(monkeypatch):
    monkeypatch.delenv("SWITCHBOARD_MODEL_BASE_URL", raising=False)
    with pytest.raises(BackendUnavailableError, match="needs base_url"):
        load_engine(ModelSpec(name="remote", backend="openai"))
    engine = load_engine(engine_spec("http://127.0.0.1:9/v1"))
    with pytest.raises(BackendUnavailableError, match="did not answer"):
        list(engine.stream(request()))
