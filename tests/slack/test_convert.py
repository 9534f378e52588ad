"""Slack payloads (modelled on Slack's docs and the SDKs' fixtures) → Events, and what is ignored."""

from __future__ import annotations

import pytest

from adapters.slack.convert import (
    BotIdentity,
    Inbound,
    MalformedPayload,
    Skip,
    from_event_callback,
    from_slash_command,
    parse_form,
    parse_json,
)
from core.events import EventKind
from tests.slack.payloads import load, raw

BOT = BotIdentity(user_id="UBOT", bot_id="BBOT")


def convert(name: str, **kwargs) -> Inbound | Skip:  # type: ignore[no-untyped-def]
    return from_event_callback(load(name), BOT, **kwargs)


def test_app_mention_in_channel_is_answered_in_its_thread():
    result = convert("app_mention")
    assert isinstance(result, Inbound) and not result.needs_thread_check
    event = result.event
    assert event.id == "slack:Ev0LAN670R"
    assert event.text == "what does the deploy checklist say?"
    assert event.mentions_bot and not event.is_direct
    assert event.sender_id == "U061F7AUR" and event.qualified_sender == "slack:U061F7AUR"
    conversation = event.conversation
    assert (conversation.channel_id, conversation.thread_id, conversation.workspace_id) == (
        "C0LAN2Q65",
        "1515449522.000016",
        "T1",
    )
    assert event.message_id == "1515449522.000016"


def test_the_event_id_is_stable_across_redeliveries():
    assert convert("app_mention").event.id == convert("app_mention").event.id  # type: ignore[union-attr]


def test_direct_message_is_answered_in_place():
    result = convert("message_im")
    assert isinstance(result, Inbound)
    assert result.event.is_direct and result.event.conversation.thread_id is None
    assert result.event.text == "Hi! Can you help me reset my password?"


def test_thread_reply_needs_the_bot_to_be_in_the_thread():
    result = convert("thread_reply")
    assert isinstance(result, Inbound) and result.needs_thread_check
    assert result.event.conversation.thread_id == "1515449522.000016"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("own_message", "own_message"),
        ("bot_message", "bot_message"),
        ("message_changed", "edit"),
        ("message_deleted", "deletion"),
        ("channel_join", "join"),
        ("mention_message_twin", "answered_as_app_mention"),
    ],
)
def test_ignored_payloads(name, reason):
    assert convert(name) == Skip(reason)


def test_other_bots_can_be_answered_when_configured():
    result = convert("bot_message", answer_bots=True)
    assert isinstance(result, Inbound) and result.event.sender_id == "BB12033"


def test_own_messages_are_ignored_even_when_bots_are_answered():
    assert convert("own_message", answer_bots=True) == Skip("own_message")


def test_top_level_channel_chatter_is_not_for_the_bot():
    payload = load("thread_reply")
    del payload["event"]["thread_ts"]
    assert from_event_callback(payload, BOT) == Skip("not_for_bot")


def test_files_are_metadata_only():
    result = convert("file_share_im")
    assert isinstance(result, Inbound)
    (attachment,) = result.event.attachments
    assert (attachment.name, attachment.content_type, attachment.size) == ("error.log", "text/plain", 2048)


def test_mentions_of_other_people_are_remembered():
    payload = load("app_mention")
    payload["event"]["text"] = "<@UBOT> ask <@U0BOB|bob> and <@U0CAROL>"
    result = from_event_callback(payload, BOT)
    assert isinstance(result, Inbound) and result.mentioned == ("U0BOB", "U0CAROL")
    assert result.event.text == "ask <@U0BOB|bob> and <@U0CAROL>"


def test_a_command_typed_after_the_mention_is_text_for_the_router():
    payload = load("app_mention")
    payload["event"]["text"] = "<@UBOT> /about"
    result = from_event_callback(payload, BOT)
    assert isinstance(result, Inbound) and result.event.kind is EventKind.MESSAGE
    assert result.event.text == "/about"  # the router reads the prefix (tests/test_routing...)


def test_text_never_in_repr():
    result = convert("message_im")
    assert isinstance(result, Inbound) and "password" not in repr(result)


def test_url_verification_parses():
    assert parse_json(raw("url_verification.json"))["challenge"].startswith("3eZbrw")


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"no_type": 1}', b"\xff\xfe"])
def test_malformed_bodies_are_refused(body):
    with pytest.raises(MalformedPayload):
        parse_json(body)


def test_event_callback_without_event_is_malformed():
    with pytest.raises(MalformedPayload):
        from_event_callback({"type": "event_callback", "event_id": "Ev1"}, BOT)


def test_slash_command_form_becomes_a_command_event():
    form = parse_form(raw("slash_command.txt"))
    event = from_slash_command({**form, "text": "skills list"})
    assert event.kind is EventKind.COMMAND and event.text == "skills list"
    assert event.qualified_sender == "slack:U2CERLKJA"
    assert event.conversation.workspace_id == "T1DC2JH3J"
    assert event.id == "slack:cmd:398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"


def test_empty_slash_command_asks_for_help():
    assert from_slash_command(parse_form(raw("slash_command.txt"))).text == "help"


def test_slash_command_without_user_is_malformed():
    form = parse_form(raw("slash_command.txt"))
    del form["user_id"]
    with pytest.raises(MalformedPayload):
        from_slash_command(form)
