"""What a scheduled turn is to the outside: its outcome, its record, and the handle `Receive`
returns. Adapters hold a `TurnHandle`, never an asyncio task or an untyped value."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.events import Reply


class Outcome(StrEnum):
    REPLIED = "replied"
    QUEUED = "queued"  # waiting for the model worker; the answer comes later
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"
    MUTED = "muted"
    ADMIN = "admin"
    REFUSED = "refused"
    PRIVACY_STOP = "privacy_stop"
    TOO_LONG = "too_long"  # over the message size cap
    STOPPED = "stopped"  # the person stopped a running answer
    ERROR = "error"
    REJECTED = "rejected"  # shutting down


@dataclass(slots=True)
class TurnRecord:
    """How a turn ended, and what it said while it ran."""

    turn_id: str
    event_id: str
    outcome: Outcome
    replies: list[Reply] = field(default_factory=list)


class TurnHandle:
    """A turn the hub scheduled: known by id at once, awaitable for its `TurnRecord`."""

    __slots__ = ("turn_id", "event_id", "_task")

    def __init__(self, turn_id: str, event_id: str, task: asyncio.Future[TurnRecord]) -> None:
        self.turn_id = turn_id
        self.event_id = event_id
        self._task = task

    def done(self) -> bool:
        return self._task.done()

    @property
    def record(self) -> TurnRecord | None:
        """The record once the turn is over (None while it runs, or if it was cancelled)."""
        if not self._task.done() or self._task.cancelled() or self._task.exception() is not None:
            return None
        return self._task.result()

    @property
    def outcome(self) -> Outcome | None:
        record = self.record
        if record is None:
            return Outcome.ERROR if self._task.done() else None
        return record.outcome

    def add_done_callback(self, callback: Callable[[TurnHandle], Any]) -> None:
        self._task.add_done_callback(lambda _task: callback(self))

    async def wait(self, timeout: float | None = None) -> TurnRecord | None:
        """The record, or None when the turn is still running after `timeout` (it keeps running)."""
        await asyncio.wait({self._task}, timeout=timeout)
        return self.record

    def __await__(self) -> Generator[Any, None, TurnRecord]:
        return self._task.__await__()
