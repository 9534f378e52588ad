"""Request/response on top of fire-and-forget turns: for adapters whose caller waits
(the REST API, the terminal). Collects the replies addressed to one event until its turn is
over — including a model answer that arrives after the turn was queued."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from core.events import Reply
from core.turns import Outcome, TurnHandle


@dataclass(slots=True)
class _Pending:
    replies: list[Reply] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class ReplyCollector:
    def __init__(self) -> None:
        self._pending: dict[str, _Pending] = {}

    def expect(self, event_id: str) -> None:
        self._pending.setdefault(event_id, _Pending())

    def offer(self, reply: Reply) -> bool:
        """Keep `reply` if someone waits for it; False when nobody does."""
        pending = self._pending.get(reply.in_reply_to or "")
        if pending is None:
            return False
        pending.replies.append(reply)
        pending.arrived.set()
        return True

    async def collect(
        self, event_id: str, turn: TurnHandle, timeout: float, *, wait_on_duplicate: bool = False
    ) -> tuple[str, list[Reply]]:
        """Wait for the turn and, if it was queued for the model, for its answer — or for the
        apology that replaces it (anything but an interim notice such as a place in the queue).

        Returns (outcome, replies). Raises TimeoutError after `timeout` seconds."""
        pending = self._pending.setdefault(event_id, _Pending())
        try:
            async with asyncio.timeout(timeout):
                record = await turn.wait()
                outcome = record.outcome if record is not None else Outcome.ERROR
                # a retry of a message whose first call is gone (the hub restarted): its answer
                # is still on the way, so wait for it as for a queued turn
                if outcome == Outcome.QUEUED or (wait_on_duplicate and outcome == Outcome.DUPLICATE):
                    while not any(not r.interim for r in pending.replies):
                        pending.arrived.clear()
                        await pending.arrived.wait()
                    answered = any(not r.notice for r in pending.replies)
                    outcome = Outcome.REPLIED if answered else Outcome.ERROR
                return outcome, list(pending.replies)
        finally:
            self._pending.pop(event_id, None)


class LateReplies:
    """The replies to recent requests, kept in memory a while (bounded) so that a retry with
    the same message id gets the first call's answer — also when that call's connection
    dropped with a hub restart and the answer arrived after it."""

    def __init__(self, ttl_s: float = 600.0, limit: int = 1000) -> None:
        self._ttl = ttl_s
        self._limit = limit
        self._kept: OrderedDict[str, tuple[float, list[Reply]]] = OrderedDict()

    def keep(self, reply: Reply) -> None:
        key = reply.in_reply_to or ""
        _at, replies = self._kept.pop(key, (0.0, []))
        self._kept[key] = (time.monotonic(), [*replies, reply])
        while len(self._kept) > self._limit:
            self._kept.popitem(last=False)

    def take(self, event_id: str) -> list[Reply]:
        """The kept replies to `event_id` (empty if none or expired); they stay for a later retry."""
        now = time.monotonic()
        while self._kept and now - next(iter(self._kept.values()))[0] > self._ttl:
            self._kept.popitem(last=False)
        found = self._kept.get(event_id)
        return list(found[1]) if found else []
