"""The PII stage: mask on the way in (restoring is the one way out's: `core.outbound`). Fails closed.

The masker is a seam (`Masker`): the presidio implementation plugs in here; tests use a
deterministic one. With no masker configured the stage passes text through unchanged.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from core import messages
from core.errors import is_outage
from core.events import Reply, reply_to
from core.pipeline import Next, Outcome, Turn
from core.skills import SkillResult

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Masked:
    text: str = field(repr=False)
    state: Any = None  # whatever the masker needs to restore later (vault reference...)
    entities: tuple[str, ...] = ()  # entity types found, for metrics


class Masker(Protocol):
    """Masks a turn's text and restores placeholders in replies.

    `Masked.state` must be JSON-serialisable: the model gateway stores it with a queued job so
    that any hub replica can restore the answer later."""

    async def mask(self, turn: Turn) -> Masked: ...

    async def restore(self, state: Any, reply: Reply) -> Reply:
        """Expand the placeholders this destination may see; others stay placeholders."""

    async def restore_partial(self, state: Any, reply: Reply) -> Reply:
        """Same, for streamed text: an unfinished trailing placeholder is held back."""


class PiiStage:
    name = "pii"

    def __init__(self, masker: Masker | None, metrics: Any = None) -> None:
        self._masker = masker
        self._metrics = metrics

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        if self._masker is None:
            return await call_next(turn)
        try:
            masked = await self._masker.mask(turn)
        except Exception as exc:  # noqa: BLE001 — fail closed on anything
            log.error(
                "PII masking failed; turn stopped",
                extra={"event_id": turn.event.id, "error_type": type(exc).__name__},
            )
            turn.stop(Outcome.PRIVACY_STOP)
            text = messages.TEMPORARILY_UNAVAILABLE if is_outage(exc) else messages.PRIVACY_APOLOGY
            return reply_to(turn.event, text, notice=True)
        turn.event = turn.event.with_text(masked.text)
        turn.pii = masked.state
        turn.masked = True
        turn.restorer = functools.partial(self._masker.restore, masked.state)
        if self._metrics is not None:
            for entity in masked.entities:
                self._metrics.pii_entities.labels(turn.event.platform, entity).inc()
        return await call_next(turn)  # replies stay masked here: the one way out restores them
