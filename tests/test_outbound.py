"""The one way out: a failed send is not a delivered answer. A reply the platform refuses is
tried again with backoff; after the last try the person gets one apology and the failure is
counted — for a direct reply (retried within its turn) and for a model answer (left pending
for the sweeper)."""

from __future__ import annotations

from core import messages
from core.settings import Settings
from core.turns import Outcome

FAST = Settings(send_attempts=3, send_backoff_s=0.01)


def undelivered(assembly, platform: str = "fake") -> float:  # type: ignore[no-untyped-def]
    return assembly.metrics.replies_undelivered.labels(platform)._value.get()


async def memory_of(assembly, chat) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    conversation = chat.event("x").conversation
    return await assembly.memory.recall(assembly.hub.bot, conversation)


async def test_a_reply_that_fails_twice_is_delivered_once(hubkit):
    assembly, chat = await hubkit.build(settings=FAST)
    chat.fail(2)
    record = await chat.say("/about")
    assert record.outcome == Outcome.REPLIED
    assert chat.attempts == 3 and len(chat.sent) == 1 and not chat.sent[0].notice
    assert record.replies == chat.sent
    assert undelivered(assembly) == 0
    assert [row["role"] for row in await memory_of(assembly, chat)] == ["user", "assistant"]


async def test_a_reply_that_always_fails_ends_in_one_apology_and_a_metric(hubkit):
    assembly, chat = await hubkit.build(settings=FAST)
    chat.fail(3)  # every try of the answer; the apology gets through
    record = await chat.say("/about")
    assert chat.texts() == [messages.UNDELIVERED] and chat.sent[0].notice
    assert record.replies[-1].text == messages.UNDELIVERED
    assert undelivered(assembly) == 1
    assert [row["role"] for row in await memory_of(assembly, chat)] == ["user"]  # nothing unsaid kept


async def test_when_nothing_gets_through_it_is_counted_not_silent(hubkit):
    assembly, chat = await hubkit.build(settings=FAST)
    chat.fail(10)
    await chat.say("/about")
    assert chat.sent == [] and chat.attempts == 4  # three tries, one apology
    assert undelivered(assembly) == 1
