"""The working reaction: shown while a model answer waits in the queue, and taken away by the
final reply for that message — answer, apology or timeout notice — from whichever hub replica
delivers it (two hubs share Redis and the fake Slack here)."""

from __future__ import annotations

import pytest

from core import messages
from core.events import Event, Reply
from tests.slack.conftest import MODEL_BOT, ScriptedModel, SlackHub
from tests.slack.payloads import load

CHANNEL, ASKED = "C0LAN2Q65", "1515449522.000016"
REACTION = "hourglass_flowing_sand"


def ask() -> dict:
    envelope = load("app_mention")
    envelope["event"]["text"] = "<@UBOT> please summarise the quarterly numbers"
    return envelope


async def deliver(hub: SlackHub, event: Event, text: str, *, notice: bool) -> None:
    """What the model delivery does on whichever replica finishes a queued turn."""
    reply = Reply(text, event.conversation, in_reply_to=event.id, quote_id=event.message_id, notice=notice)
    await hub.assembly.hub.send(reply)
    await hub.adapter.working(event.conversation, event.message_id, False)


async def queued_on_first(slackkit, model: ScriptedModel, **options) -> tuple[SlackHub, SlackHub]:
    first = await slackkit.build(slackkit.config(working_delay_s=0, **options), gateway=model, **MODEL_BOT)
    second = await slackkit.build(slackkit.config(working_delay_s=0), **MODEL_BOT)
    await first.event(ask())
    await first.settle()
    return first, second


async def test_working_reaction_while_the_answer_is_queued(slackkit):
    model = ScriptedModel(queue=True)
    hub = await slackkit.build(slackkit.config(working_delay_s=0), gateway=model, **MODEL_BOT)
    await hub.event(ask())
    fake = slackkit.fake
    await fake.wait_for(lambda: fake.of("reactions.add"))
    (added,) = fake.of("reactions.add")
    assert added.args["timestamp"] == ASKED and added.args["channel"] == CHANNEL
    await hub.settle()
    assert fake.reactions_on(CHANNEL, ASKED) == {REACTION}
    (turn,) = model.turns
    await deliver(hub, turn.event, "Here it is.", notice=False)
    (removed,) = fake.of("reactions.remove")
    assert removed.args["name"] == added.args["name"] == REACTION
    assert fake.shown() == ["Here it is."] and fake.reactions_on(CHANNEL, ASKED) == set()


@pytest.mark.parametrize(
    ("text", "notice"),
    [("Here is the summary.", False), (messages.MODEL_TIMEOUT, True), (messages.MODEL_UNAVAILABLE, True)],
    ids=["answer", "timeout-notice", "failure-notice"],
)
async def test_final_reply_from_another_replica_removes_the_reaction(slackkit, text, notice):
    model = ScriptedModel(queue=True)
    fake = slackkit.fake
    _first, second = await queued_on_first(slackkit, model)
    await fake.wait_for(lambda: fake.reactions_on(CHANNEL, ASKED))
    (turn,) = model.turns
    await deliver(second, turn.event, text, notice=notice)
    assert fake.shown() == [text]
    assert fake.reactions_on(CHANNEL, ASKED) == set() and len(fake.of("reactions.remove")) == 1


async def test_apology_from_another_replica_without_typing_still_removes_it(slackkit):
    model = ScriptedModel(queue=True)
    fake = slackkit.fake
    _first, second = await queued_on_first(slackkit, model)
    await fake.wait_for(lambda: fake.reactions_on(CHANNEL, ASKED))
    (turn,) = model.turns
    await second.assembly.hub.send(
        Reply(messages.APOLOGY, turn.event.conversation, turn.event.id, turn.event.message_id, notice=True)
    )
    assert fake.reactions_on(CHANNEL, ASKED) == set()


async def test_queue_position_notice_keeps_the_reaction(slackkit):
    model = ScriptedModel(queue=True, busy=True)
    fake = slackkit.fake
    first, _second = await queued_on_first(slackkit, model)
    await fake.wait_for(lambda: fake.reactions_on(CHANNEL, ASKED))
    await first.settle()
    assert fake.shown() == [messages.QUEUE_BUSY.format(position=2)]
    assert fake.reactions_on(CHANNEL, ASKED) == {REACTION} and fake.of("reactions.remove") == []


async def test_answer_before_the_delayed_reaction_leaves_none(slackkit):
    model = ScriptedModel(queue=True)
    fake = slackkit.fake
    first = await slackkit.build(slackkit.config(working_delay_s=0.3), gateway=model, **MODEL_BOT)
    second = await slackkit.build(slackkit.config(working_delay_s=0.3), **MODEL_BOT)
    await first.event(ask())
    await first.settle()
    (turn,) = model.turns
    await deliver(second, turn.event, "Quick answer.", notice=False)
    await first.adapter.working_sign.drain()  # the first replica's delayed add runs out
    assert fake.shown() == ["Quick answer."] and fake.reactions_on(CHANNEL, ASKED) == set()
