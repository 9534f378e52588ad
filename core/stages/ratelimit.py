"""Per-user and per-conversation rate limits (fixed windows in Redis).

Over the limit the user gets one polite notice per window, then silence until it resets.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis

from core import messages
from core.events import reply_to
from core.metrics import Metrics
from core.pipeline import Next, Outcome, Turn
from core.skills import SkillResult
from core.state import Keys

# Counts an event only if this turn owns its dedup claim, so a redelivered event (dropped by
# the dedup stage) never uses up the sender's allowance. One round trip, atomic.
COUNT_IF_FIRST = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {} end
local counts = {}
for i = 2, #KEYS do
  counts[#counts + 1] = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return counts
"""


class RateLimitStage:
    name = "rate_limit"

    def __init__(
        self,
        redis: Redis,
        keys: Keys,
        metrics: Metrics,
        on_limited: Callable[[Turn], Awaitable[None]] | None = None,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._metrics = metrics
        self._on_limited = on_limited  # e.g. the admin gate's audit of refused attempts

    def prefetch(self, turn: Turn, batch: Any) -> int:
        """Count this event in the opening batch, after the dedup claim queued before it."""
        now = time.time()
        window = int(now // turn.bot.limits.window_seconds)
        keys = [self._keys.dedup(turn.event.id)]
        keys += [self._keys.rate(scope, subject, window) for scope, subject, *_ in self._checks(turn)]
        batch.eval(COUNT_IF_FIRST, len(keys), *keys, turn.id, turn.bot.limits.window_seconds * 2)
        return 1

    @staticmethod
    def _checks(turn: Turn) -> tuple:
        limits = turn.bot.limits
        event = turn.event
        return (
            ("user", event.qualified_sender, limits.user_per_minute, messages.RATE_LIMITED),
            (
                "conversation",
                event.conversation.key,
                limits.conversation_per_minute,
                messages.CONVERSATION_RATE_LIMITED,
            ),
        )

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        event = turn.event
        window_len = turn.bot.limits.window_seconds
        now = time.time()
        window = int(now // window_len)
        checks = self._checks(turn)
        (counts,) = turn.prefetched[self.name]
        if not counts:  # not this turn's claim: a redelivery the dedup stage let through?
            return await call_next(turn)
        for (scope, subject, limit, text), count in zip(checks, counts, strict=True):
            if int(count) > limit:
                self._metrics.rate_limited.labels(event.platform, scope).inc()
                turn.stop(Outcome.RATE_LIMITED)
                if self._on_limited is not None:
                    await self._on_limited(turn)
                notice_key = self._keys.rate_notice(scope, subject, window)
                if await self._redis.set(notice_key, "1", nx=True, ex=window_len * 2):
                    wait = max(1, int((window + 1) * window_len - now))
                    return reply_to(event, text.format(seconds=wait), notice=True)
                return None
        return await call_next(turn)
