"""Deferred answers: answer inline when the turn finishes within `within` seconds, else
acknowledge now and deliver the answer later through a follow-up (Slack slash commands and their
`response_url`, Discord interactions and their webhook). Replies that arrive before the
acknowledgement go inline; those after it go to the slot's `follow_up`. Slots are forgotten
after `ttl_s` (the platform's follow-up window) or past `limit` open ones."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.events import Reply
from core.lru import LruDict
from core.turns import Outcome, TurnHandle

FollowUp = Callable[[Reply], Awaitable[None]]


@dataclass(slots=True)
class _Slot:
    follow_up: FollowUp = field(repr=False)
    created: float = field(default_factory=time.monotonic)
    acked: bool = False
    replies: list[Reply] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Inline:
    """What to put in the acknowledgement: the replies ready in time, and whether the turn is over."""

    replies: tuple[Reply, ...]
    finished: bool


class DeferredAnswers:
    def __init__(self, *, within: float, ttl_s: float, limit: int = 10_000) -> None:
        self._within = within
        self._ttl = ttl_s
        self._slots: LruDict[str, _Slot] = LruDict(limit)

    def open(self, event_id: str, follow_up: FollowUp) -> None:
        """Before handing the event to the hub: its replies are collected from now on."""
        self._slots[event_id] = _Slot(follow_up)

    async def acknowledge(self, event_id: str, turn: TurnHandle | None) -> Inline:
        """Wait up to `within` for the turn; from then on its replies are follow-ups."""
        finished = False
        if turn is not None:
            await turn.wait(self._within)
            finished = turn.done()
        slot = self._slots.get(event_id)
        if slot is None:
            return Inline((), finished)
        slot.acked = True
        if finished and turn is not None and turn.outcome != Outcome.QUEUED:
            self._slots.pop(event_id)  # nothing more will come
        return Inline(tuple(slot.replies), finished)

    async def take(self, reply: Reply) -> bool:
        """Deliver `reply` if it answers a deferred event; False when it does not."""
        slot = self._slots.get(reply.in_reply_to or "")
        if slot is None:
            return False
        if time.monotonic() - slot.created > self._ttl:
            self._slots.pop(reply.in_reply_to or "")
            return False  # the platform's follow-up window is over: send it as a message
        if not slot.acked:
            slot.replies.append(reply)
            return True
        await slot.follow_up(reply)
        return True
