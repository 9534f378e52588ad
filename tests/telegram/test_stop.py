"""Telegram's stop buttons end the answer being written, through the core's `/stop`: real
python-telegram-bot against the fake Bot API, real Redis, the real model path with a worker
beside the test writing slowly.

In groups the streamed message carries an inline Stop button; pressing it stops the answer
(a toast says "Stopped."), the message ends "(stopped)" and the button is gone. In private chats
the draft carries Telegram's own stop button (`can_stop`); its `stopped_message_generation`
update stops the answer, which arrives as one message ending "(stopped)". The inline button's
callback data is signed: a press whose data was edited stops nothing ("That button is not valid.")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.kit.buttons import INVALID_BUTTON
from core import messages
from core.metrics import PLATFORM as PLATFORM_METRICS
from tests.model.beside import SLOW_MODEL, SlowEngine, queued, work_beside
from tests.telegram.test_answers import question

BOT = {"model": SLOW_MODEL}


@pytest.fixture
async def modelled(tgkit: Any) -> AsyncIterator[Any]:
    started: list[Any] = []

    async def build() -> Any:
        hub = await tgkit.build(**BOT)
        await hub.assembly.model_service.start()
        started.append(hub)
        return hub

    yield build
    for hub in started:
        await hub.assembly.model_service.stop()


def press(message: Any, data: str, *, user: int = 111111111, update_id: int = 900000100) -> dict:  # type: ignore[type-arg]
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq-{update_id}",
            "from": {"id": user, "is_bot": False, "first_name": "Someone"},
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": message.message_id,
                "chat": {"id": int(message.chat_id), "type": "group", "title": "Team chat"},
                "date": 1764547200,
                "text": message.text,
            },
        },
    }


def stop_data(message: Any) -> str | None:
    rows = (message.markup or {}).get("inline_keyboard") or []
    return rows[0][0]["callback_data"] if rows else None


async def test_the_inline_stop_button_in_a_group_stops_the_answer(tgkit, modelled, redis, redis_url):
    hub = await modelled()
    fake = tgkit.fake
    await hub.update(question("group_mention"))
    await queued(redis)
    worker = work_beside(redis_url, SlowEngine())
    await fake.wait_for(lambda: fake.messages and stop_data(fake.messages[0]), timeout=15)
    (streaming,) = fake.messages
    assert stop_data(streaming).startswith("stop:")

    await hub.update(press(streaming, stop_data(streaming), user=222222222, update_id=900000100))
    await fake.wait_for(lambda: fake.toasts, timeout=10)
    assert fake.toasts == [messages.NOTHING_TO_STOP]  # not the asker's own answer: nothing happens

    await hub.update(press(streaming, stop_data(streaming), update_id=900000101))
    await fake.wait_for(lambda: streaming.text.endswith(messages.STOPPED_MARK), timeout=15)
    await asyncio.wait_for(worker, 15)
    await hub.settle()
    assert fake.toasts == [messages.NOTHING_TO_STOP, messages.STOPPED]
    assert streaming.text.startswith("w0 w1") and streaming.markup is None  # the button went away
    assert len(fake.messages) == 1  # "Stopped." is a toast, not a message; no apology


async def test_a_tampered_inline_button_is_refused_and_stops_nothing(tgkit, modelled, redis, redis_url):
    """The asker's own press, but its callback data names the answer with a forged mac (or is
    the unsigned layout): a toast "That button is not valid.", counted; the answer goes on and
    the real button still stops it."""
    hub = await modelled()
    fake = tgkit.fake
    await hub.update(question("group_mention"))
    await queued(redis)
    worker = work_beside(redis_url, SlowEngine())
    await fake.wait_for(lambda: fake.messages and stop_data(fake.messages[0]), timeout=15)
    (streaming,) = fake.messages
    data = stop_data(streaming)
    assert len(data.encode()) <= 64  # Telegram's limit on callback data
    token = data.removeprefix("stop:").partition(".")[0]
    refused = PLATFORM_METRICS.signature_failures.labels("telegram")._value.get()

    await hub.update(
        press(streaming, data[:-2] + ("AA" if not data.endswith("AA") else "BB"), update_id=900000110)
    )
    await hub.update(press(streaming, f"stop:{token}", update_id=900000111))  # unsigned
    await fake.wait_for(lambda: len(fake.toasts) == 2, timeout=10)
    assert fake.toasts == [INVALID_BUTTON, INVALID_BUTTON]
    assert PLATFORM_METRICS.signature_failures.labels("telegram")._value.get() == refused + 2
    assert not streaming.text.endswith(messages.STOPPED_MARK)

    await hub.update(press(streaming, data, update_id=900000112))
    await fake.wait_for(lambda: streaming.text.endswith(messages.STOPPED_MARK), timeout=15)
    await asyncio.wait_for(worker, 15)
    await hub.settle()
    assert fake.toasts == [INVALID_BUTTON, INVALID_BUTTON, messages.STOPPED]


async def test_a_drafts_own_stop_button_in_a_private_chat_stops_the_answer(tgkit, modelled, redis, redis_url):
    hub = await modelled()
    fake = tgkit.fake
    update = question()
    chat = update["message"]["chat"]
    await hub.update(update)
    await queued(redis)
    worker = work_beside(redis_url, SlowEngine())
    await fake.wait_for(lambda: len(fake.drafts) >= 2, timeout=15)
    assert all(d.get("can_stop") for d in fake.drafts)  # Telegram shows its stop button
    draft_id = fake.drafts[0]["draft_id"]

    stopped = {"chat": chat, "draft_id": int(draft_id)}
    await hub.update({"update_id": 900000200, "stopped_message_generation": stopped})
    await fake.wait_for(lambda: fake.messages, timeout=15)
    await asyncio.wait_for(worker, 15)
    await hub.settle()
    (answer,) = fake.messages  # no "Stopped." message: the answer itself says so
    assert answer.text.startswith("w0 w1") and answer.text.endswith(messages.STOPPED_MARK)
    assert fake.toasts == []
