"""The working sign, on any platform: shown on the asking message while an answer takes long and
taken away exactly once by whichever replica sends the final reply; a fading sign (typing) is
renewed until any replica stops it."""

from __future__ import annotations

import asyncio

from adapters.kit.keepalive import Keepalive
from adapters.kit.memory import MentionMemory, ThreadMemory
from adapters.kit.working import WorkingSign
from core.events import ConversationRef, Event
from core.turns import TurnHandle, TurnRecord

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


async def test_a_fading_sign_is_renewed_until_any_replica_stops_it(redis):
    shown: list[str] = []
    renewed = asyncio.Event()

    async def show(conversation: ConversationRef) -> None:
        shown.append(conversation.key)
        if len(shown) >= 3:
            renewed.set()

    first, second = (
        Keepalive(redis, "sb:test", show, every_s=0.02),
        Keepalive(redis, "sb:test", show, every_s=0.02),
    )
    await first.start(CHAT)
    await asyncio.wait_for(renewed.wait(), 5)
    await second.stop(CHAT)  # the answer went out from another replica
    await first.drain()
    count = len(shown)
    await first.start(ConversationRef("telegram", "other"))
    await first.close()
    assert count >= 3 and set(shown[:count]) == {CHAT.key}


async def test_thread_and_mention_memory_are_shared_by_replicas(redis):
    assert not await ThreadMemory(redis, "sb:test").spoke_in("T1", "C1", "1.2")
    await ThreadMemory(redis, "sb:test").mark("T1", "C1", "1.2")
    assert await ThreadMemory(redis, "sb:test").spoke_in("T1", "C1", "1.2")
    await MentionMemory(redis, "sb:test").remember(CHAT, ["U1", "U2"])
    assert await MentionMemory(redis, "sb:test").allowed(CHAT) == {"U1", "U2"}
    assert await MentionMemory(redis, "sb:test").allowed(ConversationRef("telegram", "other")) == set()
