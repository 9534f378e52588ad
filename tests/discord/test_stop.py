"""The Stop button under a streamed Discord answer ends it, through the core's `/stop`: real
discord.py against the fake Discord (gateway and REST), real Redis, the real model path with a
worker beside the test writing slowly.

The streamed message carries a Stop button (a message component); pressing it stops the answer
(the presser sees "Stopped." only to them), the message ends "(stopped)" and the button is gone.
Someone else's press stops nothing, and a press whose custom id does not verify (it is signed)
is refused to the presser and stops nothing, over the gateway and over the signed endpoint."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.kit.buttons import INVALID_BUTTON
from core import messages
from core.metrics import PLATFORM as PLATFORM_METRICS
from tests.discord.conftest import PUBLIC_KEY
from tests.discord.fake_discord import CHANNEL_ID
from tests.discord.payloads import load
from tests.model.beside import SLOW_MODEL, SlowEngine, queued, work_beside


@pytest.fixture
async def modelled(discordkit: Any) -> AsyncIterator[Any]:
    started: list[Any] = []

    async def build(config: Any = None) -> Any:
        hub = await discordkit.build(config, model=SLOW_MODEL)
        await hub.assembly.model_service.start()
        started.append(hub)
        return hub

    yield build
    for hub in started:
        await hub.assembly.model_service.stop()


def button_of(message: dict[str, Any]) -> str | None:
    rows = message.get("components") or []
    return rows[0]["components"][0]["custom_id"] if rows else None


def press(message: dict[str, Any], user_id: str, number: int) -> dict[str, Any]:
    """INTERACTION_CREATE for a press of the button under `message` (as Discord sends it)."""
    payload = copy.deepcopy(load("interaction_stop_button"))
    payload["id"] = f"100000000000000{number:04d}"
    payload["data"]["custom_id"] = button_of(message)
    payload["member"]["user"]["id"] = user_id
    shown = {k: v for k, v in message.items() if k not in {"edits", "sent_by_bot", "allowed_mentions"}}
    payload["message"] = {k: v for k, v in shown.items() if v is not None}
    return payload


async def test_the_stop_button_stops_the_askers_answer_and_only_theirs(
    discordkit, modelled, redis, redis_url
):
    hub = await modelled()
    fake = discordkit.fake
    asker = load("message_guild_mention")
    asker["d"]["content"] = "<@1100000000000000001> tell me a very long story"
    await fake.say(asker)
    await queued(redis)
    worker = work_beside(redis_url, SlowEngine())
    await fake.wait_for(lambda: fake.posted(CHANNEL_ID) and button_of(fake.posted(CHANNEL_ID)[0]))
    (streaming,) = fake.posted(CHANNEL_ID)
    assert (button_of(streaming) or "").startswith("stop:")

    await fake.dispatch("INTERACTION_CREATE", press(streaming, "999999999999999999", 1))  # not the asker
    await fake.wait_for(lambda: fake.callbacks)
    await fake.dispatch("INTERACTION_CREATE", press(streaming, asker["d"]["author"]["id"], 2))
    await fake.wait_for(lambda: streaming["content"].endswith(messages.STOPPED_MARK))
    await asyncio.wait_for(worker, 15)
    await hub.settle()

    toasts = [(c["type"], c["data"]["flags"], c["data"]["content"]) for c in fake.callbacks]
    assert toasts == [(4, 64, messages.NOTHING_TO_STOP), (4, 64, messages.STOPPED)]  # ephemeral
    assert streaming["content"].startswith("w0 w1") and button_of(streaming) is None  # the button went
    assert len(fake.posted(CHANNEL_ID)) == 1  # no apology, no extra message


async def test_an_ask_answer_carries_the_button_too(discordkit, modelled, redis, redis_url):
    await modelled()
    fake = discordkit.fake
    ask = copy.deepcopy(load("interaction_ask"))
    ask["data"]["options"][0]["value"] = "tell me a very long story"
    asker = ask["member"]["user"]["id"]
    await fake.dispatch("INTERACTION_CREATE", ask)
    await queued(redis)
    worker = work_beside(redis_url, SlowEngine())

    def original() -> dict[str, Any]:
        return fake.originals.get(ask["token"]) or {}

    await fake.wait_for(lambda: button_of(original()) is not None)
    await fake.dispatch("INTERACTION_CREATE", press({"id": "1", **original()}, asker, 3))
    await fake.wait_for(lambda: original().get("content", "").endswith(messages.STOPPED_MARK))
    await asyncio.wait_for(worker, 15)
    await fake.wait_for(lambda: button_of(original()) is None)  # the final edit took it away
    assert original()["content"].startswith("w0 w1")


def refused_presses() -> float:
    return PLATFORM_METRICS.signature_failures.labels("discord")._value.get()


def tampered(message: dict[str, Any]) -> dict[str, Any]:
    """The message with its Stop button's custom id edited (the token kept, the mac forged)."""
    custom_id = button_of(message) or ""
    forged = custom_id[:-2] + ("AA" if not custom_id.endswith("AA") else "BB")
    rows = [
        {**row, "components": [{**row["components"][0], "custom_id": forged}]}
        for row in message["components"]
    ]
    return {**message, "components": rows}


async def test_a_tampered_button_is_refused_to_the_presser_and_stops_nothing(
    discordkit, modelled, redis, redis_url
):
    """Over the gateway: the asker's own press, but the custom id was edited (a modified client,
    another bot's button): "That button is not valid." to them only; the answer goes on, and the
    real button still stops it."""
    hub = await modelled()
    fake = discordkit.fake
    asker = load("message_guild_mention")
    asker["d"]["content"] = "<@1100000000000000001> tell me a very long story"
    await fake.say(asker)
    await queued(redis)
    worker = work_beside(redis_url, SlowEngine())
    await fake.wait_for(lambda: fake.posted(CHANNEL_ID) and button_of(fake.posted(CHANNEL_ID)[0]))
    (streaming,) = fake.posted(CHANNEL_ID)
    before = refused_presses()

    await fake.dispatch("INTERACTION_CREATE", press(tampered(streaming), asker["d"]["author"]["id"], 4))
    await fake.wait_for(lambda: fake.callbacks)
    assert [(c["type"], c["data"]["flags"], c["data"]["content"]) for c in fake.callbacks] == [
        (4, 64, INVALID_BUTTON)
    ]
    assert refused_presses() == before + 1
    assert not streaming["content"].endswith(messages.STOPPED_MARK) and button_of(streaming) is not None

    await fake.dispatch("INTERACTION_CREATE", press(streaming, asker["d"]["author"]["id"], 5))
    await fake.wait_for(lambda: streaming["content"].endswith(messages.STOPPED_MARK))
    await asyncio.wait_for(worker, 15)
    await hub.settle()
    assert [c["data"]["content"] for c in fake.callbacks] == [INVALID_BUTTON, messages.STOPPED]


async def test_over_the_signed_endpoint_a_tampered_button_is_refused_and_the_real_one_stops(
    discordkit, modelled, redis, redis_url
):
    """The interactions endpoint (Ed25519-signed requests): the signature proves Discord sent the
    press, not that the bot made the button; the custom id's own mac decides."""
    hub = await modelled(discordkit.config({"DISCORD_PUBLIC_KEY": PUBLIC_KEY}, gateway=False))
    fake = discordkit.fake
    ask = copy.deepcopy(load("interaction_ask"))
    ask["data"]["options"][0]["value"] = "tell me a very long story"
    asker = ask["member"]["user"]["id"]
    status, deferred = await hub.interaction(ask)
    assert status == 200 and deferred["type"] == 5
    await queued(redis)
    worker = work_beside(redis_url, SlowEngine())

    def original() -> dict[str, Any]:
        return fake.originals.get(ask["token"]) or {}

    await fake.wait_for(lambda: button_of(original()) is not None)
    before = refused_presses()
    status, refused = await hub.interaction(press(tampered({"id": "1", **original()}), asker, 6))
    assert (status, refused) == (200, {"type": 4, "data": {"content": INVALID_BUTTON, "flags": 64}})
    assert refused_presses() == before + 1
    assert not original()["content"].endswith(messages.STOPPED_MARK)

    status, stopped = await hub.interaction(press({"id": "1", **original()}, asker, 7))
    assert status == 200 and stopped["data"]["content"] == messages.STOPPED
    await fake.wait_for(lambda: original().get("content", "").endswith(messages.STOPPED_MARK))
    await asyncio.wait_for(worker, 15)
    await fake.wait_for(lambda: button_of(original()) is None)
