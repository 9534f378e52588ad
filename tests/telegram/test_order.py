"""One chat's updates reach the hub in update_id order across webhook replicas: two hubs (two
replicas) on one real Redis behind one webhook URL, each given one of two consecutive updates of
one private chat, the first one's preparation slow. The acks stay immediate throughout."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.telegram.payloads import load


def update(text: str, update_id: int) -> dict[str, Any]:
    body = load("private_text")
    body["update_id"] = update_id
    message = body["message"]
    message["message_id"] = update_id % 100_000
    message["text"] = f"{text} @alice_w"  # whom it mentions is remembered first: a preparation
    message["entities"] = [
        {"offset": 0, "length": len(text), "type": "bot_command"},
        {"offset": len(text) + 1, "length": 8, "type": "mention"},
    ]
    return body


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)


class Replicas:
    """Two hubs of one bot; what each hands its core, in one list, in the order it happened."""

    def __init__(self, first: Any, second: Any) -> None:
        self.hubs = (first, second)
        self.received: list[tuple[str, str]] = []
        self.release = asyncio.Event()
        for name, hub in zip(("first", "second"), self.hubs, strict=True):
            receive = hub.adapter._receive
            hub.adapter._receive = lambda event, name=name, receive=receive: (
                self.received.append((name, event.text.split()[0])) or receive(event)
            )
        remember = first.adapter.mentions.remember

        async def slow_remember(conversation: Any, users: Any) -> None:  # the first one's is slow
            await self.release.wait()
            await remember(conversation, users)

        first.adapter.mentions.remember = slow_remember


async def two_replicas(tgkit: Any, **options: Any) -> Replicas:
    first = await tgkit.build(tgkit.config(tag="first", **options))
    second = await tgkit.build(tgkit.config(tag="second", **options))
    return Replicas(first, second)


async def arrived(hub: Any, update_id: int) -> None:
    """The update is recorded as arrived (the hand-off task's first step, right after the ack;
    Telegram sends a chat's next update only after that ack)."""
    chat = str(load("private_text")["message"]["chat"]["id"])
    pending = hub.adapter.state.key("order", chat, "pending")
    redis = hub.adapter.redis

    async def poll() -> None:
        while await redis.zscore(pending, str(update_id)) is None:
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), 10)


async def test_consecutive_updates_on_two_replicas_reach_the_hub_in_update_id_order(tgkit):
    replicas = await two_replicas(tgkit)
    first, second = replicas.hubs
    assert await first.update(update("/help", 700000100)) == (200, None)  # acked while preparing
    await arrived(first, 700000100)
    assert await second.update(update("/about", 700000101)) == (200, None)
    await until(lambda: second.adapter.order.waiting == 1)  # ready, and waiting for the first
    assert replicas.received == []

    replicas.release.set()
    await tgkit.fake.wait_for(lambda: len(tgkit.fake.messages) == 2)
    assert replicas.received == [("first", "/help"), ("second", "/about")]
    assert second.adapter.order.counts["waited"] == 1 and second.adapter.order.counts["gave_up"] == 0


async def test_an_update_older_than_one_already_handed_off_is_still_handled(tgkit):
    """The newer update came first (the older one's replica was slower to even say it arrived):
    the newer is handed off at once, the older one after it — late, never dropped."""
    replicas = await two_replicas(tgkit)
    first, second = replicas.hubs
    replicas.release.set()
    assert await second.update(update("/about", 700000201)) == (200, None)
    await until(lambda: len(replicas.received) == 1)
    assert await first.update(update("/help", 700000200)) == (200, None)
    await tgkit.fake.wait_for(lambda: len(tgkit.fake.messages) == 2)
    assert replicas.received == [("second", "/about"), ("first", "/help")]
    assert first.adapter.order.counts["late"] == 1


async def test_the_wait_for_an_earlier_update_is_bounded(tgkit):
    """The first replica never finishes preparing (as if it died after the ack): the second hands
    its update off after `order_wait_s`; the first one's, when it comes, is handled too."""
    replicas = await two_replicas(tgkit, order_wait_s=0.3)
    first, second = replicas.hubs
    assert await first.update(update("/help", 700000300)) == (200, None)
    await arrived(first, 700000300)
    assert await second.update(update("/about", 700000301)) == (200, None)
    await until(lambda: replicas.received == [("second", "/about")])
    assert second.adapter.order.counts["gave_up"] == 1
    replicas.release.set()
    await tgkit.fake.wait_for(lambda: len(tgkit.fake.messages) == 2)
    assert replicas.received == [("second", "/about"), ("first", "/help")]
