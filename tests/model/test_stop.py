"""`/stop`: the person ends their running answer. Real Redis, a real RQ SimpleWorker running
the real job (`core.model.jobs.generate`) with a slow scripted engine, full hubs.

What the person sees: the streamed answer ends with what was written so far and "(stopped)",
`/stop` itself says "Stopped." (or "Nothing to stop."), and no apology ever follows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from core import messages
from core.model.contract import JobRequest
from core.pipeline import Outcome
from tests.fakes import EditingAdapter
from tests.model.beside import SLOW_MODEL as MODEL
from tests.model.beside import WORDS, SlowEngine, queued, work_beside
from tests.model.conftest import KEYS
from tests.model.test_queue import until, work_off


def apologies(chat: EditingAdapter) -> list[str]:
    catalogue = {messages.APOLOGY, messages.MODEL_UNAVAILABLE, messages.MODEL_TIMEOUT}
    return [r.text for r in chat.sent if r.text in catalogue]


async def test_stop_ends_a_streaming_answer_with_what_was_written_and_no_apology(modelkit, redis_url):
    _assembly, chat = await modelkit(EditingAdapter(), model=MODEL)
    record = await chat.say("tell me a very long story")
    assert record.outcome == Outcome.QUEUED
    engine = SlowEngine()
    worker = work_beside(redis_url, engine)
    await until(lambda: len(chat.edited) >= 2)  # the answer is streaming
    first = chat.sent[0]
    assert first.interim and first.stop_token  # a Stop control can sit on the streamed answer

    stop = await chat.say("/stop")
    assert stop.outcome == Outcome.STOPPED
    assert [r.text for r in stop.replies] == [messages.STOPPED]
    await until(lambda: bool(chat.edited) and chat.edited[-1].endswith(messages.STOPPED_MARK))
    await asyncio.wait_for(worker, 10)  # the job ended; the worker had nothing left to do

    final = chat.edits[-1][1]
    assert final.stop_token is None  # the control goes away with the final text
    assert final.text.startswith("w0 w1 ") and engine.made < WORDS and engine.closed.is_set()
    assert apologies(chat) == []
    assert await chat.say("/stop") and chat.last() == messages.NOTHING_TO_STOP


async def test_a_queued_answer_stopped_before_it_starts_never_runs(modelkit, redis_url):
    _assembly, chat = await modelkit(model={**MODEL, "stream": False})
    await chat.say("what is the capital of France?")
    stop = await chat.say("/stop")
    assert [r.text for r in stop.replies] == [messages.STOPPED]
    await until(lambda: messages.STOPPED_MARK in chat.texts())  # the question's turn is over

    engine = SlowEngine()
    work_off(redis_url, engine)
    assert engine.made == 0  # the job was taken out of the queue
    assert apologies(chat) == []


async def test_stop_of_nothing_and_of_someone_elses_answer_says_nothing_to_stop(modelkit, redis_url):
    _assembly, chat = await modelkit(model={**MODEL, "stream": False})
    nothing = await chat.say("/stop")
    assert nothing.outcome == Outcome.STOPPED and chat.last() == messages.NOTHING_TO_STOP

    await chat.say("alice's question", user="alice")
    await chat.say("/stop", user="bob")
    assert chat.last() == messages.NOTHING_TO_STOP
    work_off(redis_url, ShortEngine())
    await until(lambda: "a0 a1 a2" in chat.texts())  # alice got her whole answer


class ShortEngine:
    model = "small"

    def stream(self, request: JobRequest) -> Iterator[str]:
        yield from ("a0", " a1", " a2")


async def test_a_stop_button_names_one_answer_and_stops_only_that_one(modelkit, redis_url):
    _assembly, chat = await modelkit(EditingAdapter(), model=MODEL)
    await chat.say("first question")
    worker = work_beside(redis_url, SlowEngine())
    await until(lambda: bool(chat.sent) and chat.sent[0].stop_token is not None)
    token = chat.sent[0].stop_token

    wrong = await chat.say("/stop 0123456789abcdef")  # a button of an answer that is not running
    assert [r.text for r in wrong.replies] == [messages.NOTHING_TO_STOP]
    stranger = await chat.say(f"/stop {token}", user="mallory")  # somebody else's button
    assert [r.text for r in stranger.replies] == [messages.NOTHING_TO_STOP]
    pressed = await chat.say(f"/stop {token}")
    assert [r.text for r in pressed.replies] == [messages.STOPPED]
    await asyncio.wait_for(worker, 10)
    await until(lambda: chat.edited[-1].endswith(messages.STOPPED_MARK))


async def test_the_web_chat_stop_button_and_a_rest_stop(http_hub, redis, redis_url):
    import aiohttp

    from tests.model.conftest import TOKEN

    base = await http_hub(MODEL)
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{base}/ws", origin=base) as ws:
        await ws.receive_json()  # hello
        await ws.send_json({"type": "message", "id": "q1", "text": "tell me a very long story"})
        await queued(redis)
        worker = work_beside(redis_url, SlowEngine())
        frames: list[dict] = []
        while not any(f.get("stop") for f in frames if f["type"] == "edit"):
            frames.append(await asyncio.wait_for(ws.receive_json(), 10))
        token = next(f["stop"] for f in frames if f.get("stop"))
        await ws.send_json({"type": "stop", "answer": token})  # what the Stop button sends
        seen: list[dict] = []
        while not any(f["type"] == "edit" and f["text"].endswith(messages.STOPPED_MARK) for f in seen):
            seen.append(await asyncio.wait_for(ws.receive_json(), 10))
        await asyncio.wait_for(worker, 10)
        assert any(f["type"] == "reply" and f["text"] == messages.STOPPED for f in seen)
        assert "stop" not in seen[-1]  # the final text takes the button away
        assert not any(f["type"] == "reply" and f.get("notice") for f in seen)  # no apology

        # REST: the waiting call gets what was written, marked; the /stop call gets "Stopped."
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"conversation_id": "c1", "user_id": "u1"}
        asked = asyncio.ensure_future(
            http.post(f"{base}/api/v1/messages", json={**body, "text": "a long story"}, headers=headers)
        )
        await queued(redis)
        worker = work_beside(redis_url, SlowEngine())
        async with asyncio.timeout(10):  # it is being written (a stop before the start: other test)
            while not await redis.keys(KEYS.lease("*")):
                await asyncio.sleep(0.02)
        stop = await http.post(f"{base}/api/v1/messages", json={**body, "text": "/stop"}, headers=headers)
        assert [r["text"] for r in (await stop.json())["replies"]] == [messages.STOPPED]
        answer = await (await asyncio.wait_for(asked, 10)).json()
        await asyncio.wait_for(worker, 10)
        assert answer["outcome"] == "replied"
        assert answer["replies"][-1]["text"].endswith(messages.STOPPED_MARK)


@pytest.mark.browser
async def test_the_stop_button_in_a_real_browser(http_hub, redis, redis_url):
    from playwright.async_api import expect

    from tests.test_webchat_browser import browser_page, send

    base = await http_hub(MODEL)
    async with browser_page() as page:
        await page.goto(base)
        await expect(page.locator("#stop")).to_be_hidden()  # nothing is being written
        await send(page, "tell me a very long story")
        await queued(redis)
        worker = work_beside(redis_url, SlowEngine())
        await expect(page.locator(".msg.bot .text").last).to_contain_text("w0 w1")  # streaming
        await expect(page.locator("#stop")).to_be_visible()
        await page.click("#stop")
        answer = page.locator(".msg.bot:not(.notice) .text").first
        await expect(answer).to_contain_text(messages.STOPPED_MARK)
        await asyncio.wait_for(worker, 15)
        await expect(page.locator("#stop")).to_be_hidden()
        await expect(page.locator(".msg.bot .text").last).to_have_text(messages.STOPPED)
