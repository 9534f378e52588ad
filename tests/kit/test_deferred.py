"""Deferred answers: ready in time means inline; later means an acknowledgement now and the
answer as a follow-up — never both, never neither."""

from __future__ import annotations

import asyncio

from adapters.kit.deferred import DeferredAnswers
from core.events import ConversationRef, Reply
from core.turns import Outcome, TurnHandle, TurnRecord

WHERE = ConversationRef("discord", "C1")


def reply(text: str) -> Reply:
    return Reply(text, WHERE, in_reply_to="discord:i1")


async def test_an_answer_ready_in_time_goes_inline():
    deferred = DeferredAnswers(within=1.0, ttl_s=60)
    followed: list[str] = []

    async def follow_up(r: Reply) -> None:
        followed.append(r.text)

    deferred.open("discord:i1", follow_up)

    async def turn() -> TurnRecord:
        assert await deferred.take(reply("pong"))
        return TurnRecord("t", "discord:i1", Outcome.REPLIED)

    handle = TurnHandle("t", "discord:i1", asyncio.ensure_future(turn()))
    inline = await deferred.acknowledge("discord:i1", handle)
    assert [r.text for r in inline.replies] == ["pong"] and inline.finished and followed == []
    assert not await deferred.take(reply("late"))  # the slot is closed: nothing more is taken


async def test_a_slow_answer_is_acknowledged_then_followed_up():
    deferred = DeferredAnswers(within=0.05, ttl_s=60)
    followed: list[str] = []

    async def follow_up(r: Reply) -> None:
        followed.append(r.text)

    deferred.open("discord:i1", follow_up)
    release = asyncio.Event()

    async def turn() -> TurnRecord:
        await release.wait()
        assert await deferred.take(reply("the long answer"))
        return TurnRecord("t", "discord:i1", Outcome.REPLIED)

    task = asyncio.ensure_future(turn())
    inline = await deferred.acknowledge("discord:i1", TurnHandle("t", "discord:i1", task))
    assert inline.replies == () and not inline.finished
    release.set()
    await task
    assert followed == ["the long answer"]


async def test_past_the_follow_up_window_the_reply_is_not_taken():
    deferred = DeferredAnswers(within=0.01, ttl_s=0)

    async def follow_up(r: Reply) -> None:
        raise AssertionError("a dead follow-up window must not be used")

    deferred.open("discord:i1", follow_up)
    await deferred.acknowledge("discord:i1", None)
    assert not await deferred.take(reply("too late"))  # the adapter sends it as a message instead
