"""What a scheduled turn is to the outside: its outcome, its record, and the handle `Receive`
returns. Adapters hold a `TurnHandle`, never an asyncio task or an untyped value."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
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


@dataclass(frozen=True, slots=True)
class TurnSummary:
    """A finished turn as the admin dashboard lists it: ids and counts, never text."""

    at: float
    platform: str
    conversation: str  # ConversationRef.key
    outcome: Outcome
    skill: str  # "" when no skill ran (admin command, duplicate, muted...)
    latency_ms: float


class RecentTurns:
    """The last `size` turns this hub process finished (in memory, per replica)."""

    def __init__(self, size: int = 200) -> None:
        self._turns: deque[TurnSummary] = deque(maxlen=size)

    def add(self, summary: TurnSummary) -> None:
        self._turns.append(summary)

    def latest(self, count: int = 20) -> list[TurnSummary]:
        """Newest first."""
        return list(reversed(self._turns))[:count]

    def by_outcome(self) -> dict[str, int]:
        return dict(Counter(str(t.outcome) for t in self._turns).most_common())

    def __len__(self) -> int:
        return len(self._turns)


def summary_of(platform: str, conversation: str, outcome: Outcome, skill: str, started: float) -> TurnSummary:
    """`started`: the turn's `time.perf_counter()` start."""
    latency_ms = round((time.perf_counter() - started) * 1000, 1)
    return TurnSummary(time.time(), platform, conversation, outcome, skill, latency_ms)
