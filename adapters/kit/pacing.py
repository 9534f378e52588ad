"""Pacing: at most one send per `interval` seconds per key (a channel, a chat).

Local (`Pacer()`): per process, for limits a platform applies per connection. Shared
(`Pacer(redis=...)`): the next free slot per key lives in Redis and is reserved atomically by
the Redis clock, so every hub replica together keeps a platform-wide limit (Telegram's 20
messages a minute in a group is `Pacer(3.0, redis=r)` keyed by chat; 30 a second per bot is
`Pacer(1 / 30, redis=r)` with one key). The adapter owns the one pacing decision of a stream,
its `edit_interval` (`core.adapter.SupportsEdit`): the worker publishes partial text at that pace
(the gateway puts it in the job), the delivery adds no throttle, the edit stream coalesces to it,
and the pacer spaces the posts."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from adapters.kit.rates import Rate, SharedRates
from core.lru import LruDict


class Pacer:
    def __init__(
        self, interval: float, *, redis: Redis | None = None, prefix: str = "sb:pace", keys: int = 10_000
    ) -> None:
        self.interval = interval
        self._shared = SharedRates(redis, prefix) if redis is not None else None
        self._rate = Rate(1, interval) if interval > 0 else None
        self._next: LruDict[str, float] = LruDict(keys)
        self._locks: LruDict[str, asyncio.Lock] = LruDict(keys)

    async def wait(self, key: str) -> None:
        """Return when a send for `key` may go out (at once when the key has been quiet)."""
        if self.interval <= 0:
            return
        if self._shared is not None and self._rate is not None:  # one reservation script: kit.rates
            await self._shared.take((key, self._rate))
            return
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            now = time.monotonic()
            delay = self._next.get(key, 0.0) - now
            if delay > 0:
                await asyncio.sleep(delay)
            self._next[key] = max(now, now + delay) + self.interval
