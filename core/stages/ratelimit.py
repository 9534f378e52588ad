"""Per-user and per-conversation rate limits (fixed windows in Redis).

Over the limit the user gets one polite notice per window, then silence until it resets.
"""

from __future__ import annotations

import time

from redis.asyncio import Redis

from core import messages
from core.events import reply_to
from core.metrics import Metrics
from core.pipeline import Next, Outcome, Turn
from core.skills import SkillResult
from core.state import Keys


class RateLimitStage:
    name = "rate_limit"

    def __init__(self, redis: Redis, keys: Keys, metrics: Metrics) -> None:
        self._redis = redis
        self._keys = keys
        self._metrics = metrics

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        limits = turn.bot.limits
        event = turn.event
        window_len = limits.window_seconds
        now = time.time()
        window = int(now // window_len)
        checks = (
            ("user", event.qualified_sender, limits.user_per_minute, messages.RATE_LIMITED),
            (
                "conversation",
                event.conversation.key,
                limits.conversation_per_minute,
                messages.CONVERSATION_RATE_LIMITED,
            ),
        )
        pipe = self._redis.pipeline(transaction=False)
        for scope, subject, _limit, _text in checks:
            key = self._keys.rate(scope, subject, window)
            pipe.incr(key)
            pipe.expire(key, window_len * 2)
        counts = (await pipe.execute())[0::2]
        for (scope, subject, limit, text), count in zip(checks, counts, strict=True):
            if int(count) > limit:
                self._metrics.rate_limited.labels(scope).inc()
                turn.stop(Outcome.RATE_LIMITED)
                notice_key = self._keys.rate_notice(scope, subject, window)
                if await self._redis.set(notice_key, "1", nx=True, ex=window_len * 2):
                    wait = max(1, int((window + 1) * window_len - now))
                    return reply_to(event, text.format(seconds=wait), notice=True)
                return None
        return await call_next(turn)
