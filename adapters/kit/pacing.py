"""Pacing: at most one send per `interval` seconds per key (a channel, a chat).

Local (`Pacer()`): per process, for limits a platform applies per connection. Shared
(`Pacer(redis=...)`): the next free slot per key lives in Redis and is reserved atomically by
the Redis clock, so every hub replica together keeps a platform-wide limit (Telegram's 20
messages a minute in a group is `Pacer(3.0, redis=r)` keyed by chat; 30 a second per bot is
`Pacer(1 / 30, redis=r)` with one key). The adapter owns the one pacing decision of a stream:
the worker publishes as fast as it generates, the edit stream coalesces, the pacer spaces."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from core.lru import LruDict

# Reserve the next slot for KEYS[1] with the server clock; returns the wait in microseconds.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, free)
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], slot + interval, 'PX', math.floor(interval / 1000) + 1000)
return slot - now
"""


class Pacer:
    def __init__(
        self, interval: float, *, redis: Redis | None = None, prefix: str = "sb:pace", keys: int = 10_000
    ) -> None:
        self.interval = interval
        self._redis = redis
        self._prefix = prefix
        self._next: LruDict[str, float] = LruDict(keys)
        self._locks: LruDict[str, asyncio.Lock] = LruDict(keys)
        self._reserve = redis.register_script(_RESERVE) if redis is not None else None

    async def wait(self, key: str) -> None:
        """Return when a send for `key` may go out (at once when the key has been quiet)."""
        if self.interval <= 0:
            return
        if self._reserve is not None:
            micros = int(await self._reserve(keys=[f"{self._prefix}:{key}"], args=[int(self.interval * 1e6)]))
            if micros > 0:
                await asyncio.sleep(micros / 1e6)
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
