"""A model answer whose send fails is not a delivered answer: the pending turn stays for the
sweeper, which tries it again with backoff — through a platform outage, until its deadline; after
the last try the person gets one apology and `switchboard_replies_undelivered_total` counts it."""

from __future__ import annotations

import asyncio

from core import messages
from core.settings import Settings
from core.turns import Outcome
from tests.fakes import MODEL_BOT, ScriptedWorker, until

FAST = Settings(send_attempts=3, send_backoff_s=0.01, send_deadline_s=0)


def undelivered(assembly, platform: str = "fake") -> float:  # type: ignore[no-untyped-def]
    return assembly.metrics.replies_undelivered.labels(platform)._value.get()


async def memory_of(assembly, chat) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    conversation = chat.event("x").conversation
    return await assembly.memory.recall(assembly.hub.bot, conversation)


async def test_a_model_answer_whose_send_fails_twice_is_retried_by_the_sweeper(modelkit, redis):
    assembly, chat = await modelkit(model=MODEL_BOT["model"], settings=FAST)
    worker = ScriptedWorker(redis)
    record = await chat.say("what is the answer?")
    assert record.outcome == Outcome.QUEUED
    job = await worker.job()
    chat.fail(2)
    await worker.answer(job, "Forty-two.")
    await until(lambda: chat.sent)
    assert chat.texts() == ["Forty-two."] and chat.attempts == 3
    assert undelivered(assembly) == 0
    await until(lambda: chat.typing_events[-1:] == [False])
    async with asyncio.timeout(10):  # the pending turn is finished
        while await redis.zcard(worker.keys.inflight):
            await asyncio.sleep(0.02)


async def test_a_model_answer_that_cannot_be_sent_ends_in_one_apology(modelkit, redis):
    assembly, chat = await modelkit(model=MODEL_BOT["model"], settings=FAST)
    worker = ScriptedWorker(redis)
    await chat.say("what is the answer?")
    job = await worker.job()
    chat.fail(3)
    await worker.answer(job, "Forty-two.")
    await until(lambda: chat.sent)
    assert chat.texts() == [messages.UNDELIVERED]
    assert undelivered(assembly) == 1
    rows = await memory_of(assembly, chat)
    assert [row["role"] for row in rows] == ["user"]


async def test_a_model_answer_outlasts_a_platform_outage_within_its_deadline(modelkit, redis):
    """The platform refuses ten sends in a row (the attempts alone would give up after three):
    the answer still arrives, once, and nobody gets an apology."""
    settings = Settings(send_attempts=3, send_backoff_s=0.005, send_deadline_s=120)
    assembly, chat = await modelkit(model=MODEL_BOT["model"], settings=settings)
    worker = ScriptedWorker(redis)
    await chat.say("what is the answer?")
    job = await worker.job()
    chat.fail(10)
    await worker.answer(job, "Forty-two.")
    await until(lambda: chat.sent, timeout=60)  # ten pauses of 5 ms, doubling: about 5 s
    assert chat.texts() == ["Forty-two."] and chat.attempts == 11
    assert undelivered(assembly) == 0
