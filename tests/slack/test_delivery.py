"""No answer lost, none posted twice: a failed final streaming edit is posted anew (once), and a
post that Slack made before answering 5xx is not repeated."""

from __future__ import annotations

import pytest

from core.events import ConversationRef, Reply
from tests.slack.conftest import MODEL_BOT, ScriptedModel
from tests.slack.payloads import load

THREAD = "1515449522.000016"
PIECES = ("The deploy", " checklist", " has five", " steps.", " First, freeze merges.")
FULL = "".join(PIECES)


def mention(text: str = "<@UBOT> what does the deploy checklist say?") -> dict:
    envelope = load("app_mention")
    envelope["event"]["text"] = text
    return envelope


async def test_final_text_is_posted_anew_when_the_streamed_message_is_gone(slackkit):
    fake = slackkit.fake
    fake.refuse("chat.update", "message_not_found")  # e.g. someone deleted the growing message
    hub = await slackkit.build(gateway=ScriptedModel(*PIECES), **MODEL_BOT)
    await hub.event(mention())
    await fake.wait_for(lambda: FULL in fake.shown())
    await hub.settle()
    await hub.adapter.outbox.drain()
    assert fake.shown().count(FULL) == 1
    assert [p.args["thread_ts"] for p in fake.posts()] == [THREAD, THREAD]


async def test_final_text_is_posted_anew_when_updates_keep_failing_with_5xx(slackkit):
    fake = slackkit.fake
    fake.refuse("chat.update", "internal_error", status=500)
    hub = await slackkit.build(gateway=ScriptedModel("The deploy", " checklist has five steps."), **MODEL_BOT)
    await hub.event(mention())
    await fake.wait_for(lambda: len(fake.posts()) == 2)
    await hub.settle()
    assert fake.shown() == ["The deploy", "The deploy checklist has five steps."]
    assert len(fake.of("chat.update!internal_error")) >= 2  # slack_sdk retried before we gave up


async def test_a_final_edit_from_another_replica_also_falls_back(slackkit):
    first, second = await slackkit.build(), await slackkit.build()
    conversation = ConversationRef("slack", "C0LAN2Q65", THREAD, "T1")
    partial = Reply("The deploy", conversation, in_reply_to="slack:Ev1", quote_id=THREAD)
    sent = await first.assembly.hub.send(partial)
    slackkit.fake.delete(sent.message_id)
    await second.adapter.edit(sent, partial.with_text(FULL), final=True)  # as the model delivery does
    await second.adapter.edit(sent, partial.with_text(FULL), final=True)  # a repeat posts nothing more
    assert slackkit.fake.shown() == [FULL]


async def test_successful_streaming_posts_no_extra_message(slackkit):
    hub = await slackkit.build(gateway=ScriptedModel(*PIECES), **MODEL_BOT)
    await hub.event(mention())
    await slackkit.fake.wait_for(lambda: FULL in slackkit.fake.shown())
    await hub.settle()
    assert slackkit.fake.shown() == [FULL] and len(slackkit.fake.posts()) == 1


@pytest.mark.parametrize(
    ("payload", "search"), [("app_mention", "conversations.replies"), ("message_im", "conversations.history")]
)
async def test_a_500_after_slack_posted_is_not_retried(slackkit, payload, search):
    fake = slackkit.fake
    fake.fail_next("chat.postMessage", 500, after_effect=True)
    hub = await slackkit.build()
    envelope = load(payload)
    envelope["event"]["text"] = "<@UBOT> help" if payload == "app_mention" else "help"
    await hub.event(envelope)
    await fake.wait_for(lambda: fake.of(search))
    await hub.settle()
    assert len(fake.shown()) == 1
    assert [c.method for c in fake.calls if c.method.startswith(("chat.", "conversations."))] == [
        "chat.postMessage!500",
        search,
    ]
    (posted,) = fake.messages
    assert posted["metadata"]["event_type"] == "switchboard_reply"


async def test_a_500_before_slack_posted_is_retried_once_checked(slackkit):
    fake = slackkit.fake
    fake.fail_next("chat.postMessage", 503)
    hub = await slackkit.build()
    await hub.event(mention("<@UBOT> help"))
    await fake.wait_for(lambda: fake.posts())
    await hub.settle()
    assert len(fake.shown()) == 1
    methods = [c.method for c in fake.calls if c.method.startswith(("chat.", "conversations."))]
    assert methods == ["chat.postMessage!503", "conversations.replies", "chat.postMessage"]


async def test_only_the_missing_part_of_a_long_streamed_answer_is_posted_anew(slackkit):
    hub = await slackkit.build(slackkit.config(max_chars=200))
    conversation = ConversationRef("slack", "C0LAN2Q65", THREAD, "T1")
    first = "Paragraph 1. " + "Some detail here. " * 8
    second = "Paragraph 2. " + "More detail here. " * 8
    partial = Reply(first, conversation, in_reply_to="slack:Ev1", quote_id=THREAD)
    sent = await hub.assembly.hub.send(partial)
    slackkit.fake.fail_next("chat.postMessage", 400)  # the overflow message is refused once
    await hub.adapter.edit(sent, partial.with_text(f"{first}\n\n{second}"), final=True)
    assert slackkit.fake.shown() == [first.strip(), second.strip()]
