"""The turn and the onion of stages it runs through (bolt-python's middleware, made explicit).

Each stage is `async def process(turn, call_next) -> SkillResult`. Not calling `call_next`
ends the turn; code after `await call_next(turn)` runs on the way out.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.botdef import BotDefinition
from core.events import Event
from core.skills import Intent, SkillResult

Next = Callable[["Turn"], Awaitable[SkillResult]]


class Outcome:
    REPLIED = "replied"
    QUEUED = "queued"  # waiting for the model worker
    IGNORED = "ignored"
    DUPLICATE = "duplicate"
    RATE_LIMITED = "rate_limited"
    MUTED = "muted"
    ADMIN = "admin"
    REFUSED = "refused"
    PRIVACY_STOP = "privacy_stop"
    ERROR = "error"
    REJECTED = "rejected"  # shutting down


@dataclass(slots=True)
class Turn:
    """One event's way through the core. `event.text` becomes the masked text at the PII stage."""

    event: Event
    bot: BotDefinition
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started: float = field(default_factory=time.perf_counter)
    outcome: str = Outcome.REPLIED
    intent: Intent | None = None
    history: list[dict[str, str]] = field(default_factory=list)
    pii: Any = None  # the PII stage's per-turn state (vault reference, restore policy)
    masked: bool = False  # True once the PII stage has replaced the text

    def stop(self, outcome: str) -> None:
        self.outcome = outcome


class Stage(Protocol):
    name: str

    async def process(self, turn: Turn, call_next: Next) -> SkillResult: ...


class Pipeline:
    """Runs a turn through `stages` in order, then `terminal` (the skill dispatch)."""

    def __init__(self, stages: Sequence[Stage], terminal: Next) -> None:
        self.stages = tuple(stages)
        self._entry = self._compose(terminal)

    def _compose(self, terminal: Next) -> Next:
        handler = terminal
        for stage in reversed(self.stages):
            handler = _bind(stage, handler)
        return handler

    async def run(self, turn: Turn) -> SkillResult:
        return await self._entry(turn)


def _bind(stage: Stage, call_next: Next) -> Next:
    async def step(turn: Turn) -> SkillResult:
        return await stage.process(turn, call_next)

    return step
