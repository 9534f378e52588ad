"""The turn and the onion of stages it runs through (bolt-python's middleware, made explicit).

Each stage is `async def process(turn, call_next) -> SkillResult`. Not calling `call_next`
ends the turn; code after `await call_next(turn)` runs on the way out.

Round trips: a stage (or the terminal) that needs Redis state implements `Prefetch`: it queues
its Redis commands on one batch that runs before the onion, and reads `turn.prefetched[name]`
in `process`. A turn thus opens with one round trip instead of one per stage.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from core.botdef import BotDefinition
from core.events import Event, Reply, SentRef
from core.skills import Intent, SkillResult
from core.turns import Outcome

Next = Callable[["Turn"], Awaitable[SkillResult]]
Send = Callable[[Reply], Awaitable[SentRef | None]]
Restore = Callable[[Reply], Awaitable[Reply]]


async def _unchanged(reply: Reply) -> Reply:
    return reply


async def _nowhere(reply: Reply) -> SentRef | None:
    return None


__all__ = ["Next", "Outcome", "Pipeline", "Prefetch", "Stage", "Turn"]


@dataclass(slots=True)
class Turn:
    """One event's way through the core. `event.text` becomes the masked text at the PII stage."""

    event: Event
    bot: BotDefinition
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)
    outcome: Outcome = Outcome.REPLIED
    intent: Intent | None = None
    history: list[dict[str, str]] = field(default_factory=list)
    pii: Any = None  # the PII stage's per-turn state (vault reference, restore policy)
    masked: bool = False  # True once the PII stage has replaced the text
    prefetched: dict[str, list[Any]] = field(default_factory=dict)  # Prefetch results by name
    remember: list[tuple[str, str]] = field(default_factory=list)  # memory entries, written at its end
    send_path: Send = field(default=_nowhere, repr=False)  # the hub's one send path (set by the hub)
    restorer: Restore = field(default=_unchanged, repr=False)  # set by the PII stage once masked

    async def send(self, reply: Reply) -> SentRef | None:
        """Send `reply` now, to its own conversation (any platform), while the turn runs: restored
        for its own destination, through the hub's one send path; returns the platform's handle
        (None when it was not delivered). For a turn that speaks to more than the conversation it
        came from (a bridge); the turn's answer still leaves as its result."""
        return await self.send_path(await self.restorer(reply))

    def stop(self, outcome: Outcome) -> None:
        self.outcome = outcome


class Stage(Protocol):
    name: str

    async def process(self, turn: Turn, call_next: Next) -> SkillResult: ...


class Prefetch(Protocol):
    """Queues a stage's Redis commands on the turn's opening batch; results land in
    `turn.prefetched[name]`, in the order queued."""

    name: str

    def prefetch(self, turn: Turn, batch: Any) -> int:
        """Queue commands on `batch` (a non-transactional Redis pipeline); return how many."""


# Makes an empty batch: an object with Redis command methods and `async execute() -> list`.
BatchFactory = Callable[[], Any]


class Pipeline:
    """Runs a turn through `stages` in order, then `terminal` (the skill dispatch)."""

    def __init__(self, stages: Sequence[Stage], terminal: Next, *, batch: BatchFactory) -> None:
        self.stages = tuple(stages)
        self._entry = self._compose(terminal)
        self._batch = batch
        parts = (*self.stages, terminal)
        self._prefetchers = [cast(Prefetch, p) for p in parts if callable(getattr(p, "prefetch", None))]

    def _compose(self, terminal: Next) -> Next:
        handler = terminal
        for stage in reversed(self.stages):
            handler = _bind(stage, handler)
        return handler

    async def run(self, turn: Turn) -> SkillResult:
        if self._prefetchers:
            await self._prefetch(turn)
        return await self._entry(turn)

    async def _prefetch(self, turn: Turn) -> None:
        batch = self._batch()
        counts = [(part.name, part.prefetch(turn, batch)) for part in self._prefetchers]
        results = await batch.execute()
        start = 0
        for name, count in counts:
            turn.prefetched[name] = results[start : start + count]
            start += count


def _bind(stage: Stage, call_next: Next) -> Next:
    async def step(turn: Turn) -> SkillResult:
        return await stage.process(turn, call_next)

    return step
