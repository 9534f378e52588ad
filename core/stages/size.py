"""One message-text size cap for every adapter (Slack, REST, web chat and any new one): a longer
message gets a polite "too long" reply and goes no further — the masker, memory and the model
never see it. The cap is `SWITCHBOARD_MAX_MESSAGE_CHARS`."""

from __future__ import annotations

import logging

from core import messages
from core.events import reply_to
from core.metrics import Metrics
from core.pipeline import Next, Outcome, Turn
from core.skills import SkillResult

log = logging.getLogger(__name__)


class TextLimitStage:
    name = "text_limit"

    def __init__(self, max_chars: int, metrics: Metrics) -> None:
        self._max = max_chars
        self._metrics = metrics

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        length = len(turn.event.text)
        if length <= self._max:
            return await call_next(turn)
        self._metrics.too_long.labels(turn.event.platform).inc()
        log.info(
            "message over %d characters (%d) answered as too long",
            self._max,
            length,
            extra={"event_id": turn.event.id},
        )
        turn.stop(Outcome.TOO_LONG)
        return reply_to(turn.event, messages.TOO_LONG.format(limit=self._max), notice=True)
