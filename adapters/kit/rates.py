"""Message pacing shared by every hub replica: a generic cell-rate reservation in Redis per key
(chat, group, bot). `reserve` books the next slot atomically and says how long to wait for it, so
replicas never overrun a platform's limit together; `hold` keeps everybody off a key for a while
(the platform said "retry after"). Redis' own clock is used, so replicas' clocks do not matter."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from redis.asyncio import Redis

# KEYS[1] the key; ARGV: emission interval, burst tolerance (s). Returns the wait (s) as a string.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
local nxt = tat + interval
redis.call('SET', KEYS[1], tostring(nxt), 'PX', math.ceil((nxt - now) * 1000) + 1000)
return tostring(wait)
"""
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < until_ then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil((until_ - now) * 1000) + 1000)
end
return 1
"""


@dataclass(frozen=True, slots=True)
class Rate:
    """`count` messages per `per_s` seconds, at most `burst` back to back."""

    count: int
    per_s: float
    burst: int = 1

    @property
    def interval(self) -> float:
        return self.per_s / self.count

    @property
    def tolerance(self) -> float:
        return self.interval * (max(1, self.burst) - 1)


class SharedRates:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    async def reserve(self, key: str, rate: Rate) -> float:
        """Book one slot on `key`; returns the seconds to wait before using it."""
        wait = await self._redis.eval(_RESERVE, 1, self._key(key), rate.interval, rate.tolerance)
        return float(wait)

    async def take(self, *booked: tuple[str, Rate]) -> float:
        """Book a slot on every key and sleep until all of them are free; returns the wait."""
        waits = await asyncio.gather(*(self.reserve(key, rate) for key, rate in booked))
        wait = max(waits, default=0.0)
        if wait > 0:
            await asyncio.sleep(wait)
        return wait

    async def hold(self, key: str, seconds: float, rate: Rate) -> None:
        """Nobody gets a slot on `key` for `seconds` (the platform said "retry after")."""
        await self._redis.eval(_HOLD, 1, self._key(key), seconds, rate.tolerance)
