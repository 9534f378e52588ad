"""Request/response on top of fire-and-forget turns: for adapters whose caller waits
(the REST API, the terminal). Collects the replies addressed to one event until its turn is
over — including a model answer that arrives after the turn was queued."""

from __future__ import annotations

import asyncio
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

    async def collect(self, event_id: str, turn: TurnHandle, timeout: float) -> tuple[str, list[Reply]]:
        """Wait for the turn and, if it was queued for the model, for its answer — or for the
        apology that replaces it (anything but an interim notice such as a place in the queue).

        Returns (outcome, replies). Raises TimeoutError after `timeout` seconds."""
        pending = self._pending.setdefault(event_id, _Pending())
        try:
            async with asyncio.timeout(timeout):
                record = await turn.wait()
                outcome = record.outcome if record is not None else Outcome.ERROR
                if outcome == Outcome.QUEUED:
                    while not any(not r.interim for r in pending.replies):
                        pending.arrived.clear()
                        await pending.arrived.wait()
                    answered = any(not r.notice for r in pending.replies)
                    outcome = Outcome.REPLIED if answered else Outcome.ERROR
                return outcome, list(pending.replies)
        finally:
            self._pending.pop(event_id, None)
