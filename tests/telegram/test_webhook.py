"""Webhook mode end to end: updates POSTed to the hub → real hub → real PTB → FakeTelegram."""

from __future__ import annotations

import asyncio
import json

import pytest

from core import messages
from tests.telegram.conftest import SECRET
from tests.telegram.payloads import load


def about(name: str = "private_text", text: str = "/about") -> dict:  # type: ignore[type-arg]
    update = load(name)
    message = update["message"]
    message["text"] = text
    message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return update


async def test_private_message_is_answered_quoting_it(tgkit):
    hub = await tgkit.build()
    assert await hub.update(about()) == (200, None)
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    (shown,) = tgkit.fake.messages
    assert shown.chat_id == "111111111" and shown.thread_id is None
    assert shown.text.startswith("I'm testbot") and shown.parse_mode == "HTML"
    assert shown.reply_to == 11 and shown.link_preview_disabled
    (call,) = tgkit.fake.of("sendMessage")
    assert call.args["reply_parameters"] == {"message_id": 11, "allow_sending_without_reply": True}


async def test_the_bot_introduces_itself_with_getme_once(tgkit):
    await tgkit.build()
    assert len(tgkit.fake.of("getMe")) == 1
    assert tgkit.fake.of("getUpdates") == []  # webhook mode: nobody polls


@pytest.mark.parametrize(
    "secret",
    [None, "", "wrong", SECRET + "x", SECRET[:-1]],
    ids=["missing", "empty", "wrong", "long", "short"],
)
async def test_wrong_or_missing_secret_is_403_and_no_turn(tgkit, secret):
    hub = await tgkit.build()
    status, body = await hub.update(about(), secret=secret)
    assert status == 403 and body == {"error": "invalid secret token signature"}
    await hub.settle()
    assert hub.events_received() == 0 and tgkit.fake.messages == []


async def test_non_ascii_secret_header_is_403_not_500(tgkit):
    hub = await tgkit.build()
    body = json.dumps(about()).encode()
    head = (
        f"POST /telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", hub.server.port)
    writer.write(head + "X-Telegram-Bot-Api-Secret-Token: sécret☃\r\n\r\n".encode() + body)
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert status_line.split()[1] == b"403"
    await hub.settle()
    assert hub.events_received() == 0


async def test_content_type_size_and_json_are_checked(tgkit):
    hub = await tgkit.build()
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await hub.post(b"{}", {**good, "Content-Type": "text/plain"}))[0] == 415
    assert (await hub.post(b"{", {**good, "Content-Type": "application/json"}))[0] == 400
    assert (await hub.post(b'{"update": 1}', {**good, "Content-Type": "application/json"}))[0] == 400
    big = json.dumps({"update_id": 1, "message": {"text": "x" * 1_100_000}}).encode()
    assert (await hub.post(big, {**good, "Content-Type": "application/json"}))[0] == 413
    await hub.settle()
    assert hub.events_received() == 0


async def test_the_same_update_twice_and_concurrently_gets_one_reply(tgkit):
    hub = await tgkit.build()
    other = await tgkit.build()  # a second replica behind the same load balancer
    update = about()
    results = await asyncio.gather(hub.update(update), hub.update(update), other.update(update))
    assert [status for status, _ in results] == [200, 200, 200]
    await hub.update(update)
    await hub.settle()
    await other.settle()
    assert len(tgkit.fake.messages) == 1


async def test_group_message_without_mention_gets_nothing(tgkit):
    hub = await tgkit.build()
    assert (await hub.update(load("group_plain")))[0] == 200
    await hub.settle()
    assert hub.events_received() == 0 and tgkit.fake.of("sendMessage") == []


async def test_mention_in_a_topic_is_answered_in_that_topic_quoting_it(tgkit):
    hub = await tgkit.build()
    update = load("forum_topic_mention")
    update["message"]["text"] = "@switchboard_test_bot /about"
    update["message"]["entities"] = [{"offset": 0, "length": 21, "type": "mention"}]
    await hub.update(update)
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    (shown,) = tgkit.fake.messages
    assert (shown.chat_id, shown.thread_id, shown.reply_to) == ("-1009876543210", "40", 41)
    assert shown.text.startswith("I'm testbot")


async def test_general_topic_answer_omits_the_thread_id(tgkit):
    hub = await tgkit.build()
    update = load("forum_topic_mention")
    update["message"]["message_thread_id"] = 1  # a message in General, as some clients send it
    update["message"]["text"] = "@switchboard_test_bot /about"
    update["message"]["entities"] = [{"offset": 0, "length": 21, "type": "mention"}]
    await hub.update(update)
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    assert "message_thread_id" not in tgkit.fake.of("sendMessage")[0].args


async def test_flood_limit_reply_arrives_after_the_wait_once(tgkit):
    hub = await tgkit.build()
    tgkit.fake.flood("sendMessage", retry_after=1)
    await hub.update(about())
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages, timeout=6)
    await hub.settle()
    calls = tgkit.fake.of("sendMessage")
    assert len(calls) == 2 and len(tgkit.fake.messages) == 1
    assert calls[1].at - calls[0].at >= 0.95


@pytest.mark.parametrize("name", ["private_sticker", "private_voice", "group_sticker_reply_to_bot"])
async def test_media_without_text_gets_the_text_only_notice_once(tgkit, name):
    hub = await tgkit.build()
    other = await tgkit.build()
    await asyncio.gather(hub.update(load(name)), other.update(load(name)))
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    await hub.settle()
    await other.settle()
    (shown,) = tgkit.fake.messages
    assert shown.text == messages.TEXT_ONLY


async def test_blocked_user_is_marked_and_not_retried(tgkit):
    hub = await tgkit.build()
    tgkit.fake.blocked.add("111111111")
    await hub.update(about())
    await hub.settle()
    assert len(tgkit.fake.of("sendMessage")) == 1
    assert await hub.adapter.state.is_blocked("111111111")
    tgkit.fake.blocked.discard("111111111")  # they unblocked the bot and wrote again
    again = about()
    again["update_id"] += 1
    again["message"]["message_id"] += 1
    await hub.update(again)
    await hub.settle()
    assert not await hub.adapter.state.is_blocked("111111111")
    assert len(tgkit.fake.of("sendMessage")) == 2


async def test_a_group_that_became_a_supergroup_is_followed(tgkit):
    hub = await tgkit.build()
    tgkit.fake.migrated["-4000000001"] = -1001111111111
    update = load("group_mention")
    update["message"]["text"] = "@switchboard_test_bot /about"
    update["message"]["entities"] = [{"offset": 0, "length": 21, "type": "mention"}]
    await hub.update(update)
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    (shown,) = tgkit.fake.messages
    assert shown.chat_id == "-1001111111111"
    assert await hub.adapter.state.current_chat("-4000000001") == "-1001111111111"


async def test_migration_update_is_remembered(tgkit):
    hub = await tgkit.build()
    await hub.update(load("migrate_to"))
    assert await hub.adapter.state.current_chat("-4000000001") == "-1001111111111"
    assert hub.events_received() == 0


async def test_html_parse_error_is_resent_as_plain_text(tgkit):
    hub = await tgkit.build()
    from tests.telegram.fake_telegram import Failure

    tgkit.fake.fail("sendMessage", Failure(400, "Bad Request: can't parse entities: Unsupported start tag"))
    await hub.update(about())
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    first, second = tgkit.fake.of("sendMessage")
    assert first.args["parse_mode"] == "HTML" and "parse_mode" not in second.args
    assert tgkit.fake.messages[0].text.startswith("I'm testbot")


async def test_business_message_is_answered_through_the_connection(tgkit):
    hub = await tgkit.build()
    await hub.update(load("business_connection"))
    update = load("business_message")
    update["business_message"]["text"] = "/about"
    update["business_message"]["entities"] = [{"offset": 0, "length": 6, "type": "bot_command"}]
    await hub.update(update)
    await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    (call,) = tgkit.fake.of("sendMessage")
    assert call.args["business_connection_id"] == "BzFAAAAAAAAAAAAAcNJbVU5ofDw"
    await hub.update(load("business_message_by_owner"))  # the owner's own message: theirs to answer
    await hub.settle()
    assert len(tgkit.fake.of("sendMessage")) == 1


@pytest.mark.parametrize("name", ["private_text", "group_mention"])
async def test_webhook_acks_before_the_turn_ends(tgkit, name):
    """Telegram waits for the 200 before it sends this chat's next update: the ack must not wait
    for the skill (here one that holds its turn open until released)."""
    from tests import slow_skills

    with slow_skills.gate() as (started, release):
        hub = await tgkit.build(skills=["skills.help", "tests.slow_skills", "skills.fallback"])
        text = "/slow" if name == "private_text" else "/slow@Switchboard_Test_Bot"
        assert await asyncio.wait_for(hub.update(about(name, text)), 20) == (200, None)
        await asyncio.wait_for(started.wait(), 30)  # the turn runs, the ack has come back
        assert tgkit.fake.messages == []
        release.set()
        await tgkit.fake.wait_for(lambda: tgkit.fake.messages)
    assert tgkit.fake.messages[0].text == slow_skills.ANSWER


def mentioning(update: dict, who: str = "@alice_w") -> dict:  # type: ignore[type-arg]
    """The update's text with a mention of someone (remembered before the turn: a preparation)."""
    message = update["message"]
    message["entities"].append({"offset": len(message["text"]) + 1, "length": len(who), "type": "mention"})
    message["text"] += " " + who
    return update


async def test_one_chats_updates_reach_the_hub_in_order(tgkit, monkeypatch):
    """A private chat's first update waits on Redis (remembering whom it mentions) longer than its
    second: the second still reaches the hub after it."""
    hub = await tgkit.build()
    release = asyncio.Event()
    remember = hub.adapter.mentions.remember
    calls = 0

    async def slow_first(conversation, users) -> None:  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 1:
            await release.wait()
        await remember(conversation, users)

    monkeypatch.setattr(hub.adapter.mentions, "remember", slow_first)
    received: list[str] = []
    receive = hub.adapter._receive
    hub.adapter._receive = lambda event: received.append(event.text) or receive(event)
    first, second = mentioning(about(text="/help")), mentioning(about(text="/about"))
    second["update_id"] += 1
    second["message"]["message_id"] += 1
    assert await hub.update(first) == (200, None)
    assert await hub.update(second) == (200, None)
    await tgkit.fake.wait_for(lambda: calls == 2)  # the second's preparation is done; it still waits
    assert received == []
    release.set()
    await tgkit.fake.wait_for(lambda: len(tgkit.fake.messages) == 2)
    assert [text.split()[0] for text in received] == ["/help", "/about"]
