"""Drop redelivered events: `SET NX EX` on the event id, shared by every hub replica."""

from __future__ import annotations

import logging
from typing import Any

from redis.asyncio import Redis

from core.metrics import Metrics
from core.pipeline import Next, Outcome, Turn
from core.skills import SkillResult
from core.state import Keys

log = logging.getLogger(__name__)


class DedupStage:
    name = "dedup"

    def __init__(self, redis: Redis, keys: Keys, metrics: Metrics) -> None:
        self._redis = redis
        self._keys = keys
        self._metrics = metrics

    def prefetch(self, turn: Turn, batch: Any) -> int:
        batch.set(self._keys.dedup(turn.event.id), turn.id, nx=True, ex=turn.bot.limits.dedup_seconds)
        return 1

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        (first,) = turn.prefetched[self.name]
        if not first:
            self._metrics.dedup_hits.labels(turn.event.platform).inc()
            log.info("duplicate event dropped", extra={"event_id": turn.event.id})
            turn.stop(Outcome.DUPLICATE)
            return None
        return await call_next(turn)
