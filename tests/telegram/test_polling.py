"""Polling mode: exactly one hub replica long-polls (a Redis lock); the other takes over when it dies."""

from __future__ import annotations

import asyncio

from tests.telegram.payloads import load


def about(update_id: int) -> dict:  # type: ignore[type-arg]
    update = load("private_text")
    update["update_id"] = update_id
    update["message"]["text"] = "/about"
    update["message"]["entities"] = [{"offset": 0, "length": 6, "type": "bot_command"}]
    return update


def pollers(fake) -> set[str]:  # type: ignore[no-untyped-def]
    return {call.tag for call in fake.of("getUpdates")}


async def test_polled_update_is_answered_after_delete_webhook(tgkit):
    fake = tgkit.fake
    fake.webhook = {"url": "https://old.example.com/telegram/webhook"}
    hub = await tgkit.build(tgkit.config({"TELEGRAM_WEBHOOK_SECRET": ""}))
    assert hub.adapter.routes() == []  # no webhook route without a secret
    await fake.push(about(1))
    await fake.wait_for(lambda: fake.messages)
    assert fake.messages[0].text.startswith("I'm testbot")
    methods = [c.method for c in fake.calls if c.method in {"deleteWebhook", "getUpdates"}]
    assert methods[0] == "deleteWebhook" and "getUpdates" in methods
    assert fake.webhook == {}
    (call,) = fake.of("getUpdates")[:1]
    assert "message" in call.args["allowed_updates"]


async def test_confirmed_updates_are_not_fetched_again(tgkit):
    fake = tgkit.fake
    await tgkit.build(tgkit.config({"TELEGRAM_WEBHOOK_SECRET": ""}))
    await fake.push(about(1))
    await fake.wait_for(lambda: len(fake.messages) == 1)
    await fake.push(about(2))
    await fake.wait_for(lambda: len(fake.messages) == 2)
    await fake.wait_for(lambda: any(c.args.get("offset") == "3" for c in fake.of("getUpdates")))
    assert len(fake.messages) == 2 and fake.updates == []


async def test_two_hubs_poll_with_exactly_one_caller_and_the_other_takes_over(tgkit):
    fake = tgkit.fake
    first = await tgkit.build(tgkit.config({"TELEGRAM_WEBHOOK_SECRET": ""}, tag="first"))
    await fake.wait_for(lambda: fake.of("getUpdates"))
    second = await tgkit.build(tgkit.config({"TELEGRAM_WEBHOOK_SECRET": ""}, tag="second"))
    await asyncio.sleep(2.5)  # over two lock lifetimes: the second had every chance to poll
    assert pollers(fake) == {"first"} and fake.conflicts == 0
    assert first.adapter.poller.holding and not second.adapter.poller.holding

    # The first replica dies without letting go: its lock expires, the second takes over.
    first.adapter.poller._task.cancel()  # no release: the lease must expire
    await fake.wait_for(lambda: "second" in pollers(fake), timeout=5)
    await fake.push(about(7))
    await fake.wait_for(lambda: fake.messages, timeout=5)
    assert second.adapter.poller.holding
    assert len(fake.messages) == 1
