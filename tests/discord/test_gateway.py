"""Real discord.py embedded in the hub, against a FakeDiscord gateway and REST API."""

from __future__ import annotations

import pytest

from core import messages
from core.locks import RedisLock
from tests.discord.fake_discord import CHANNEL_ID, FORUM_POST_ID, MESSAGE_CONTENT_INTENT, THREAD_ID
from tests.discord.payloads import ASKER_ID, load


async def test_mention_gets_one_reply_referencing_it(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    payload = load("message_guild_mention")
    payload["d"]["content"] = "<@1100000000000000001> /about"
    await fake.say(payload)
    await fake.wait_for(lambda: fake.posted())
    await hub.settle()
    (message,) = fake.posted()
    assert message["channel_id"] == CHANNEL_ID
    assert "I'm testbot" in message["content"]
    assert message["message_reference"] == {
        "message_id": "334385199974967042",
        "channel_id": CHANNEL_ID,
        "fail_if_not_exists": False,
    }
    assert message["allowed_mentions"] == {"parse": [], "users": [ASKER_ID], "replied_user": False}


async def test_the_same_message_twice_is_answered_once(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    await fake.say(load("message_dm"))
    await fake.say(load("message_dm"))
    await fake.wait_for(lambda: fake.posted())
    await hub.settle()
    assert len(fake.posted()) == 1


async def test_direct_message_is_answered_without_a_reference_to_nothing(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    payload = load("message_dm")
    payload["d"]["content"] = "/about"
    await fake.say(payload)
    await fake.wait_for(lambda: fake.posted())
    await hub.settle()
    (message,) = fake.posted("319674150115610528")
    assert message["content"].startswith("I'm testbot")
    assert message["message_reference"]["message_id"] == "334385199974967050"


@pytest.mark.parametrize(
    "name",
    ["message_own", "message_bot_author", "message_edited", "message_member_join", "message_not_for_bot"],
)
async def test_ignored_messages_reach_no_turn(discordkit, name):
    hub = await discordkit.build()
    fake = discordkit.fake
    await fake.say(load(name))
    await fake.say(load("message_dm"))  # a message that is answered, to know the first was seen
    await fake.wait_for(lambda: fake.posted())
    await hub.settle()
    assert hub.events_received() == 1
    assert [m["channel_id"] for m in fake.posted()] == ["319674150115610528"]


async def test_reply_to_the_bot_is_answered(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    await fake.say(load("message_reply_to_bot"))
    await fake.wait_for(lambda: fake.posted())
    await hub.settle()
    assert hub.events_received() == 1
    assert fake.posted()[0]["message_reference"]["message_id"] == "334385199974967060"


async def test_thread_follow_up_is_answered_once_the_bot_spoke_there(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    await fake.say(load("message_thread"))  # the bot is not in the thread yet
    await hub.settle()
    assert hub.events_received() == 0
    mention = load("message_thread")
    mention["d"].update(id="334385199974967071", content="<@1100000000000000001> /about")
    await fake.say(mention)
    await fake.wait_for(lambda: fake.posted(THREAD_ID))
    await hub.settle()
    follow_up = load("message_thread")
    follow_up["d"]["id"] = "334385199974967072"
    await fake.say(follow_up)
    await fake.wait_for(lambda: len(fake.posted(THREAD_ID)) == 2)
    await hub.settle()
    assert hub.events_received() == 2


async def test_forum_post_is_answered_in_its_thread(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    payload = load("message_guild_mention")
    payload["d"].update(channel_id=FORUM_POST_ID, content="<@1100000000000000001> /about")
    await fake.say(payload)
    await fake.wait_for(lambda: fake.posted(FORUM_POST_ID))
    await hub.settle()
    assert await hub.adapter.state.in_thread(FORUM_POST_ID)


async def test_image_without_text_gets_a_text_only_answer(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    await fake.say(load("message_attachment"))
    await fake.wait_for(lambda: fake.posted())
    await hub.settle()
    assert fake.shown() == [messages.TEXT_ONLY]
    assert hub.events_received() == 0  # no turn: nothing to route


async def test_dropped_connection_resumes_and_loses_nothing(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    await fake.say(load("message_dm"))
    await fake.wait_for(lambda: len(fake.posted()) == 1)
    await fake.drop(resumable=True)
    missed = load("message_guild_mention")  # said while the connection was down
    missed["d"]["content"] = "<@1100000000000000001> /about"
    await fake.say(missed)
    await fake.wait_for(lambda: len(fake.posted()) == 2)
    await hub.settle()
    assert len(fake.resumes) == 1 and len(fake.identifies) == 1
    assert hub.events_received() == 2
    assert len(fake.posted()) == 2


async def test_a_gap_without_resume_is_caught_up_from_history(discordkit):
    hub = await discordkit.build()
    fake = discordkit.fake
    first = load("message_guild_mention")
    first["d"].update(id=fake.snowflake(), content="<@1100000000000000001> /about")
    await fake.say(first)
    await fake.wait_for(lambda: len(fake.posted()) == 1)
    await hub.settle()
    await fake.drop(resumable=False)
    missed = load("message_guild_mention")
    missed["d"].update(id=fake.snowflake(), content="<@1100000000000000001> /help")
    await fake.say(missed)  # no session hears it: it is only in the channel's history
    await fake.wait_for(lambda: len(fake.posted()) == 2)
    await hub.settle()
    assert len(fake.identifies) == 2
    assert hub.events_received() == 2  # the first message was not handled twice
    assert fake.posted()[1]["message_reference"]["message_id"] == missed["d"]["id"]


async def test_refused_message_content_intent_falls_back_to_mentions(discordkit, caplog):
    discordkit.fake.allow_message_content = False
    hub = await discordkit.build()
    fake = discordkit.fake
    await fake.wait_for(lambda: len(fake.identifies) == 2 and len(fake.live()) == 1)
    intents = [int(i["intents"]) for i in fake.identifies]
    assert intents[0] & MESSAGE_CONTENT_INTENT and not intents[-1] & MESSAGE_CONTENT_INTENT
    assert (await hub.adapter.status())["gateway"]["mention_only"]
    assert "Message Content Intent" in caplog.text
    payload = load("message_guild_mention")
    payload["d"]["content"] = "<@1100000000000000001> /about"
    await fake.say(payload)
    await fake.wait_for(lambda: fake.posted())


async def test_two_hubs_hold_one_gateway_session_and_the_other_takes_over(discordkit, monkeypatch):
    first = await discordkit.build()
    second = await discordkit.build(connect=False)
    fake = discordkit.fake
    await fake.say(load("message_dm"))
    await fake.wait_for(lambda: len(fake.posted()) == 1)
    await first.settle()
    await second.settle()
    assert len(fake.live()) == 1 and len(fake.identifies) == 1
    assert second.events_received() == 0
    # The first hub dies: its session ends and its lease is never released, only expires.
    monkeypatch.setattr(RedisLock, "release", _never)
    await first.adapter.gateway.stop()
    await fake.wait_for(lambda: len(fake.live()) == 1 and len(fake.identifies) == 2)
    payload = load("message_guild_mention")
    payload["d"]["content"] = "<@1100000000000000001> /about"
    await fake.say(payload)
    await fake.wait_for(lambda: len(fake.posted()) == 2)
    await second.settle()
    assert second.events_received() == 1
    assert second.adapter.gateway.status()["held_here"] == [0]


async def _never(self) -> None:  # type: ignore[no-untyped-def]
    return None
