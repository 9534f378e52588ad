"""Discord payloads (modelled on Discord's docs) → Events, and what is ignored."""

from __future__ import annotations

import pytest

from adapters.discord.convert import (
    BotIdentity,
    Inbound,
    Interaction,
    MalformedPayload,
    Ping,
    Refused,
    Skip,
    from_dispatch,
    from_interaction,
    parse_json,
    stop_ids,
)
from core.events import EventKind
from tests.discord.fake_discord import TOKEN
from tests.discord.payloads import ASKER_ID, BOT_USER_ID, load

BOT = BotIdentity(user_id=BOT_USER_ID, application_id=BOT_USER_ID)
BUTTONS = stop_ids(TOKEN)
JOB = "0123456789abcdef0123456789abcdef"


def convert(name: str, **kwargs) -> Inbound | Interaction | Ping | Skip:  # type: ignore[no-untyped-def]
    return from_dispatch(load(name), BOT, **kwargs)


def test_guild_mention_is_answered_with_the_mention_stripped():
    result = convert("message_guild_mention")
    assert isinstance(result, Inbound) and not result.needs_thread_check and not result.media_only
    event = result.event
    assert event.id == "discord:334385199974967042" and event.message_id == "334385199974967042"
    assert event.text == "what does the deploy checklist say?"
    assert event.mentions_bot and not event.is_direct and event.kind is EventKind.MESSAGE
    assert event.qualified_sender == f"discord:{ASKER_ID}" and event.sender_name == "Mason"
    conversation = event.conversation
    assert (conversation.channel_id, conversation.thread_id, conversation.workspace_id) == (
        "290926798999357250",
        None,
        "290926798626357250",
    )


def test_nickname_mention_form_is_stripped_too():
    payload = load("message_guild_mention")
    payload["d"]["content"] = f"hey <@!{BOT_USER_ID}>   /about"
    payload["d"]["mentions"] = []
    result = from_dispatch(payload, BOT)
    assert isinstance(result, Inbound)
    assert result.event.text == "hey /about"
    assert result.event.mentions_bot


def test_a_command_after_the_mention_is_a_command():
    payload = load("message_guild_mention")
    payload["d"]["content"] = f"<@{BOT_USER_ID}> /about"
    result = from_dispatch(payload, BOT)
    assert isinstance(result, Inbound) and result.event.kind is EventKind.COMMAND


def test_the_event_id_is_stable_across_redeliveries():
    first, second = convert("message_guild_mention"), convert("message_guild_mention")
    assert isinstance(first, Inbound) and isinstance(second, Inbound)
    assert first.event.id == second.event.id


def test_direct_message_is_answered_without_a_mention():
    result = convert("message_dm")
    assert isinstance(result, Inbound)
    event = result.event
    assert event.is_direct and event.conversation.workspace_id is None
    assert event.text == "Hi! Can you help me reset my password?"


def test_reply_to_the_bot_is_answered():
    result = convert("message_reply_to_bot")
    assert isinstance(result, Inbound) and not result.needs_thread_check
    assert result.event.text == "and what is step three?" and result.event.mentions_bot


def test_reply_to_the_bot_without_the_ping_is_still_answered():
    payload = load("message_reply_to_bot")
    payload["d"]["mentions"] = []  # the person switched the reply ping off
    result = from_dispatch(payload, BOT)
    assert isinstance(result, Inbound) and not result.needs_thread_check


def test_thread_follow_up_needs_the_bot_to_be_in_the_thread():
    result = convert("message_thread", in_thread=True)
    assert isinstance(result, Inbound) and result.needs_thread_check
    conversation = result.event.conversation
    assert conversation.channel_id == conversation.thread_id == "334385199974967065"


def test_mention_inside_a_thread_is_answered_there():
    payload = load("message_thread")
    payload["d"]["content"] = f"<@{BOT_USER_ID}> one more"
    result = from_dispatch(payload, BOT, in_thread=True)
    assert isinstance(result, Inbound) and not result.needs_thread_check
    assert result.event.conversation.thread_id == "334385199974967065"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("message_own", "own_message"),
        ("message_bot_author", "bot_message"),
        ("message_edited", "edit"),
        ("message_member_join", "system"),
        ("message_not_for_bot", "not_for_bot"),
        ("guild_member_add", "unsupported_dispatch"),
    ],
)
def test_ignored(name, reason):
    assert convert(name) == Skip(reason)


def test_other_bots_are_answered_only_when_asked_to():
    result = convert("message_bot_author", answer_bots=True)
    assert isinstance(result, Inbound) and result.event.text == "ping from another bot"


def test_the_bots_own_message_is_ignored_even_with_answer_bots():
    assert convert("message_own", answer_bots=True) == Skip("own_message")


def test_webhook_messages_count_as_bots():
    payload = load("message_guild_mention")
    payload["d"]["webhook_id"] = "223704706495545344"
    assert from_dispatch(payload, BOT) == Skip("bot_message")


def test_a_bare_mention_is_ignored():
    payload = load("message_guild_mention")
    payload["d"]["content"] = f"<@{BOT_USER_ID}>"
    assert from_dispatch(payload, BOT) == Skip("empty")


def test_image_without_text_is_media_only():
    result = convert("message_attachment")
    assert isinstance(result, Inbound) and result.media_only
    (attachment,) = result.event.attachments
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "screenshot.png",
        "image/png",
        48213,
    )


def test_attachment_with_text_is_metadata_on_a_normal_message():
    result = convert("message_attachment_with_text")
    assert isinstance(result, Inbound) and not result.media_only
    assert result.event.text == "see the log"
    assert [a.name for a in result.event.attachments] == ["deploy.log"]
    assert result.event.attachments[0].url.startswith("https://cdn.discordapp.com/")
    assert "cdn.discordapp.com" not in repr(result.event.attachments[0])


def test_voice_message_in_a_dm_is_media_only():
    result = convert("message_voice_dm")
    assert isinstance(result, Inbound) and result.media_only and result.event.raw["voice"]


def test_message_text_is_not_in_the_event_repr():
    result = convert("message_guild_mention")
    assert isinstance(result, Inbound)
    assert "checklist" not in repr(result.event)


def test_ping():
    assert from_interaction(load("interaction_ping")) == Ping()


def test_ask_command_is_a_message_for_the_bot():
    result = from_interaction(load("interaction_ask"))
    assert isinstance(result, Interaction) and not result.admin
    event = result.event
    assert event.id == "discord:interaction:1000000000000000100"
    assert event.kind is EventKind.MESSAGE and event.mentions_bot
    assert event.text == "what does the deploy checklist say?"  # never parsed as a command
    assert event.sender_id == ASKER_ID and event.conversation.workspace_id == "290926798626357250"
    assert result.token.startswith("aW50")


def test_ask_starting_with_a_command_word_stays_a_question():
    payload = load("interaction_ask")
    payload["data"]["options"][0]["value"] = "help me write a haiku"
    result = from_interaction(payload)
    assert isinstance(result, Interaction) and result.event.kind is EventKind.MESSAGE


def test_admin_command_is_a_command_line():
    result = from_interaction(load("interaction_admin"))
    assert isinstance(result, Interaction) and result.admin
    assert result.event.kind is EventKind.COMMAND and result.event.text == "/skills disable help"


def test_admin_subcommand_form_is_read_too():
    payload = load("interaction_admin")
    payload["data"]["options"] = [
        {"name": "skills", "type": 1, "options": [{"name": "args", "type": 3, "value": "list"}]}
    ]
    result = from_interaction(payload)
    assert isinstance(result, Interaction) and result.event.text == "/skills list"


def test_ask_in_a_dm_uses_the_user_field():
    result = from_interaction(load("interaction_ask_dm"))
    assert isinstance(result, Interaction)
    assert result.event.is_direct and result.event.sender_id == ASKER_ID
    assert result.event.conversation.channel_id == "319674150115610528"


def test_ask_inside_a_thread_is_answered_in_the_thread():
    payload = load("interaction_ask")
    payload["channel"]["type"] = 11
    result = from_interaction(payload)
    assert isinstance(result, Interaction)
    assert result.event.conversation.thread_id == "290926798999357250"


def test_the_stop_button_is_a_stop_command_from_whoever_pressed_it():
    payload = load("interaction_stop_button")
    payload["data"]["custom_id"] = BUTTONS.sign(JOB)
    assert len(payload["data"]["custom_id"]) <= 100  # Discord's limit on a custom id
    result = from_interaction(payload, BUTTONS)
    assert isinstance(result, Interaction) and result.admin  # answered to the presser only
    assert result.event.text == f"/stop {JOB}"
    assert result.event.kind is EventKind.COMMAND and result.event.sender_id == ASKER_ID
    assert result.event.conversation.channel_id == "290926798999357250"


@pytest.mark.parametrize(
    "custom_id",
    [
        f"stop:{JOB}",  # unsigned: the layout before signing
        BUTTONS.sign(JOB).replace(JOB, "f" + JOB[1:]),  # another answer's token under this mac
        BUTTONS.sign(JOB)[:-2] + "AA",  # a forged mac
        stop_ids("another-bots-token").sign(JOB),  # another bot's button with the same layout
        "stop:not a token!",
    ],
    ids=["unsigned", "other-token", "forged-mac", "other-bot", "unreadable"],
)
def test_a_stop_button_that_does_not_verify_is_refused_not_a_stop(custom_id):
    payload = load("interaction_stop_button")
    payload["data"]["custom_id"] = custom_id
    result = from_interaction(payload, BUTTONS)
    assert result == Refused(payload["id"], payload["token"], f"discord:interaction:{payload['id']}")
    assert payload["token"] not in repr(result)  # the interaction token is never shown
    gateway = {"op": 0, "t": "INTERACTION_CREATE", "d": payload}
    assert isinstance(from_dispatch(gateway, BOT, buttons=BUTTONS), Refused)
    payload["data"]["custom_id"] = BUTTONS.sign(JOB)
    assert isinstance(from_interaction(payload), Refused)  # no key: nothing verifies (fail closed)


def test_interaction_over_the_gateway_is_the_same():
    payload = {"op": 0, "t": "INTERACTION_CREATE", "s": 3, "d": load("interaction_ask")}
    assert isinstance(from_dispatch(payload, BOT), Interaction)


def test_unknown_command_is_skipped():
    payload = load("interaction_ask")
    payload["data"]["name"] = "weather"
    assert from_interaction(payload) == Skip("unknown_command")


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'{"type": "1"}', '{"type": 1, "x": "\xff"}'.encode("latin-1")]
)
def test_malformed_bodies(body):
    with pytest.raises(MalformedPayload):
        parse_json(body)


def test_command_without_a_user_is_malformed():
    payload = load("interaction_ask")
    del payload["member"]
    with pytest.raises(MalformedPayload):
        from_interaction(payload)
