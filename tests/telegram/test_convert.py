"""Telegram updates (written from the Bot API docs and PTB's fixtures) → Events, and what is ignored."""

from __future__ import annotations

import pytest
from telegram import Update

from adapters.telegram.convert import (
    BusinessLink,
    Inbound,
    MalformedUpdate,
    Migration,
    Skip,
    from_update,
    parse_update,
    utf16_index,
)
from core.events import EventKind
from tests.telegram.payloads import BOT, load, names, raw


def convert(name: str, **kwargs) -> Inbound | Skip | Migration | BusinessLink:  # type: ignore[no-untyped-def]
    return from_update(load(name), BOT, **kwargs)


def inbound(name: str) -> Inbound:
    result = convert(name)
    assert isinstance(result, Inbound), result
    return result


def test_every_payload_file_is_an_update_ptb_reads():
    for name in names():
        assert Update.de_json(load(name), None).update_id == load(name)["update_id"], name


def test_ptb_round_trip_converts_the_same_as_the_wire_json():
    # Polled updates come as PTB objects and go back to dicts: the result must not change.
    for name in names():
        again = Update.de_json(load(name), None).to_dict()
        assert from_update(again, BOT) == from_update(load(name), BOT), name


def test_private_text_is_answered_directly():
    event = inbound("private_text").event
    assert event.id == "telegram:7000000001:900000001"
    assert event.text == "Hi! Can you help me reset my password?"
    assert event.is_direct and not event.mentions_bot
    assert event.sender_id == "111111111" and event.qualified_sender == "telegram:111111111"
    assert event.sender_name == "Alice Doe"
    assert (event.conversation.channel_id, event.conversation.thread_id) == ("111111111", None)
    assert event.message_id == "11" and event.kind is EventKind.MESSAGE


def test_the_event_id_is_stable_across_redeliveries():
    assert inbound("group_mention").event.id == inbound("group_mention").event.id


def test_group_mention_is_stripped_case_insensitively_after_an_emoji():
    # The emoji before the mention is two UTF-16 units: a naive offset would cut the wrong text.
    event = inbound("group_mention").event
    assert event.mentions_bot and not event.is_direct
    assert event.text == "What does the 📦 deploy checklist say? thanks"
    assert event.conversation.channel_id == "-4000000001"


def test_entity_offsets_agree_with_ptb_on_astral_characters():
    update = Update.de_json(load("group_mention"), None)
    assert update.message is not None
    (piece,) = update.message.parse_entities().values()
    text = update.message.text or ""
    start = utf16_index(text, update.message.entities[0].offset)
    assert text[start : start + len(piece)] == piece == "@Switchboard_Test_Bot"


def test_group_message_without_mention_is_not_for_the_bot():
    assert convert("group_plain") == Skip("not_for_bot", 900000003)


def test_reply_to_the_bot_addresses_it():
    event = inbound("supergroup_reply_to_bot").event
    assert event.mentions_bot and event.sender_id == "222222222"
    assert event.text == "and what about staging?"


def test_text_mention_of_the_bot_addresses_it():
    event = inbound("group_text_mention").event
    assert event.mentions_bot and event.text == "Switchboard, summarise this"


def test_mention_in_a_forum_topic_answers_in_that_topic():
    result = inbound("forum_topic_mention")
    event = result.event
    assert event.conversation.thread_id == "40" and event.conversation.channel_id == "-1009876543210"
    assert event.text == "how do I rotate the API key? cc @bob_b"
    assert result.mentioned == ("@bob_b",)
    assert event.message_id == "41"


def test_topic_created_by_the_bot_is_not_a_reply_to_the_bot():
    assert convert("forum_topic_plain") == Skip("not_for_bot", 900000006)


def test_general_topic_message_has_no_thread():
    event = inbound("general_topic_mention").event
    assert event.conversation.thread_id is None and event.text == "hello from General"


def test_private_topic_keeps_its_thread():
    event = inbound("private_topic").event
    assert event.is_direct and event.conversation.thread_id == "77"


def test_caption_counts_as_text_and_its_entities_address_the_bot():
    result = inbound("caption_photo_mention")
    assert result.event.text == "Here is the screenshot" and result.event.mentions_bot
    assert not result.media_only
    (photo,) = result.event.attachments
    assert photo.size == 48211 and photo.content_type == "image/jpeg"  # the largest size


def test_private_caption_on_a_document():
    result = inbound("private_caption")
    assert result.event.text == "what is this error?"
    assert result.event.attachments[0].name == "log.txt"


@pytest.mark.parametrize("name", ["private_sticker", "private_voice", "group_sticker_reply_to_bot"])
def test_media_without_text_is_marked_for_the_text_only_notice(name: str):
    result = inbound(name)
    assert result.media_only and result.event.text == "" and result.event.attachments


def test_commands_are_native_commands():
    event = inbound("command_at_bot").event
    assert event.kind is EventKind.COMMAND and event.text == "/help skills" and event.mentions_bot
    assert inbound("private_command").event.kind is EventKind.COMMAND
    bare = inbound("group_bare_command").event
    assert bare.kind is EventKind.COMMAND and bare.text == "/help" and not bare.mentions_bot


def test_command_for_another_bot_is_ignored():
    assert convert("command_at_other_bot") == Skip("other_bot_command", 900000016)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("own_message", "own_message"),
        ("bot_sender", "bot_message"),
        ("edited_message", "edit"),
        ("channel_post", "channel_post"),
        ("bot_joined", "service"),
        ("my_chat_member", "membership"),
        ("automatic_forward", "automatic_forward"),
    ],
)
def test_ignored_updates(name: str, reason: str):
    result = convert(name)
    assert isinstance(result, Skip) and result.reason == reason


def test_other_bots_may_be_answered_when_asked_but_never_the_bot_itself():
    assert isinstance(convert("bot_sender", answer_bots=True), Inbound)
    assert convert("own_message", answer_bots=True) == Skip("own_message", 900000014)


def test_anonymous_group_admin_is_answered_as_the_group():
    event = inbound("anonymous_admin").event
    assert event.sender_id == "chat-1001234567890" and event.text == "status please"


def test_migration_both_directions():
    assert convert("migrate_to") == Migration("-4000000001", "-1001111111111", 900000018)
    assert convert("migrate_from") == Migration("-4000000001", "-1001111111111", 900000019)


def test_business_connection_and_message():
    link = convert("business_connection")
    assert link == BusinessLink("BzFAAAAAAAAAAAAAcNJbVU5ofDw", "222222222", True, True, 900000023)
    result = inbound("business_message")
    assert result.business_connection_id == "BzFAAAAAAAAAAAAAcNJbVU5ofDw"
    assert result.event.conversation.workspace_id == "BzFAAAAAAAAAAAAAcNJbVU5ofDw"
    assert result.event.is_direct


def test_unknown_update_kinds_are_skipped_not_crashed():
    assert from_update({"update_id": 5, "poll_answer": {}}, BOT) == Skip("unsupported", 5)


@pytest.mark.parametrize("body", [b"", b"[]", b"{", b'{"update_id": "7"}', b"\xff\xfe"])
def test_malformed_bodies_raise_a_clear_error(body: bytes):
    with pytest.raises(MalformedUpdate):
        parse_update(body)


def test_parse_update_reads_a_payload_file():
    assert parse_update(raw("private_text"))["update_id"] == 900000001


def test_text_never_in_repr():
    assert "password" not in repr(inbound("private_text"))
