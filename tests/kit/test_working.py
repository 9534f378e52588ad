"""The working sign, on any platform: shown on the asking message while an answer takes long,
renewed where it fades, and taken away exactly once by whichever replica sends the final reply."""

from __future__ import annotations

import asyncio

from adapters.kit.memory import MentionMemory, ThreadMemory
from adapters.kit.working import WorkingSign
from core.events import ConversationRef, Event
from core.turns import Outcome, TurnHandle, TurnRecord

CHAT = ConversationRef("telegram", "-100200", workspace_id="bot1")
ASKED = "m42"


class Platform:
    """Records what the platform was asked to show, like a fake API server would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.shown = asyncio.Event()

    async def show(self, conversation: ConversationRef, message_id: str) -> bool:
        self.calls.append(("show", message_id))
        self.shown.set()
        return True

    async def hide(self, conversation: ConversationRef, message_id: str) -> None:
        self.calls.append(("hide", message_id))


def sign(redis, platform: Platform, **kwargs) -> WorkingSign:  # type: ignore[no-untyped-def]
    return WorkingSign(redis, "sb:test", show=platform.show, hide=platform.hide, **kwargs)


def running_turn() -> tuple[TurnHandle, asyncio.Future[TurnRecord]]:
    future: asyncio.Future[TurnRecord] = asyncio.get_running_loop().create_future()
    return TurnHandle("t1", "telegram:1", future), future


def asked() -> Event:
    return Event(id="telegram:1", conversation=CHAT, sender_id="u1", text="hi", message_id=ASKED)


async def test_the_final_reply_from_another_replica_takes_the_sign_away_once(redis):
    platform = Platform()
    first, second = sign(redis, platform, delay=0), sign(redis, platform, delay=0)
    turn, _future = running_turn()
    first.asked(asked(), turn)
    first.on(CHAT, ASKED)
    await asyncio.wait_for(platform.shown.wait(), 5)
    await first.drain()
    await second.off(CHAT, ASKED)
    await first.off(CHAT, ASKED)  # a second final signal changes nothing
    assert platform.calls == [("show", ASKED), ("hide", ASKED)]


async def test_an_answer_within_the_delay_shows_nothing(redis):
    platform = Platform()
    first, second = sign(redis, platform, delay=0.2), sign(redis, platform, delay=0.2)
    turn, _future = running_turn()
    first.asked(asked(), turn)
    first.on(CHAT, ASKED)
    await second.off(CHAT, ASKED)  # another replica answered before the delay ran out
    await first.drain()
    assert platform.calls == []


async def test_a_fading_sign_is_renewed_until_the_answer(redis):
    platform = Platform()
    working = sign(redis, platform, delay=0, keepalive=0.02)
    turn, future = running_turn()
    working.asked(asked(), turn)
    working.on(CHAT, ASKED)
    while sum(1 for call in platform.calls if call[0] == "show") < 3:
        await asyncio.sleep(0.01)
    await working.off(CHAT, ASKED)
    future.set_result(TurnRecord("t1", "telegram:1", Outcome.REPLIED))
    await working.drain()
    assert platform.calls[-1] == ("hide", ASKED) and not working.running(ASKED)


async def test_thread_and_mention_memory_are_shared_by_replicas(redis):
    assert not await ThreadMemory(redis, "sb:test").spoke_in("T1", "C1", "1.2")
    await ThreadMemory(redis, "sb:test").mark("T1", "C1", "1.2")
    assert await ThreadMemory(redis, "sb:test").spoke_in("T1", "C1", "1.2")
    await MentionMemory(redis, "sb:test").remember(CHAT, ["U1", "U2"])
    assert await MentionMemory(redis, "sb:test").allowed(CHAT) == {"U1", "U2"}
    assert await MentionMemory(redis, "sb:test").allowed(ConversationRef("telegram", "other")) == set()
