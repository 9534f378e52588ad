"""One lock across hub replicas and workers: a Redis key holding its holder's token.

Acquire is `SET NX PX`; refresh and release compare the token first (one Lua script each), so a
holder that was paused past its expiry can neither extend nor delete the next holder's lock —
it learns it lost. A *fenced* lock also draws a number from a counter beside the key
(`<key>:fence`) on each acquisition; that number only grows, so work done under an old holding
can be told apart from work done under the current one.

The functions serve one-off claims (a key per job); `RedisLock` is the same for one key held
over time (a socket, a poller, a sweep).
"""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

_ACQUIRE_FENCED = (
    "if redis.call('exists', KEYS[1]) == 1 then return 0 end "
    "local fence = redis.call('incr', KEYS[2]) "
    "redis.call('set', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2]) return fence"
)
_REFRESH = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def _ms(ttl_s: float) -> int:
    return max(100, int(ttl_s * 1000))


async def acquire(redis: Redis, key: str, token: str, ttl_s: float) -> bool:
    """Take `key` for `token` unless someone holds it."""
    return bool(await redis.set(key, token, nx=True, px=_ms(ttl_s)))


async def refresh(redis: Redis, key: str, token: str, ttl_s: float) -> bool:
    """Extend the holding if `token` still holds `key`; False means it was lost."""
    return bool(await redis.register_script(_REFRESH)(keys=[key], args=[token, _ms(ttl_s)]))


async def release(redis: Redis, key: str, token: str) -> bool:
    """Let go of `key` if `token` still holds it (never another holder's)."""
    return bool(await redis.register_script(_RELEASE)(keys=[key], args=[token]))


class RedisLock:
    """One key held over time by this process (`owner`, random unless given)."""

    def __init__(
        self, redis: Redis, key: str, ttl_s: float, *, owner: str | None = None, fenced: bool = False
    ) -> None:
        self._redis = redis
        self.key = key
        self.ttl_s = ttl_s
        self.ttl_ms = _ms(ttl_s)
        self.owner = owner or uuid.uuid4().hex
        self.fenced = fenced
        self.fence: int | None = None  # a fenced lock's number while held
        self.token: str | None = None  # the value in Redis while held
        self._acquire_fenced = redis.register_script(_ACQUIRE_FENCED)
        self._refresh = redis.register_script(_REFRESH)
        self._release = redis.register_script(_RELEASE)

    @property
    def held(self) -> bool:
        return self.token is not None

    async def acquire(self) -> bool:
        if self.fenced:
            keys = [self.key, self.key + ":fence"]
            fence = int(await self._acquire_fenced(keys=keys, args=[self.owner, self.ttl_ms]))
            self.fence = fence or None
            self.token = None if self.fence is None else f"{self.owner}:{fence}"
        else:
            taken = await self._redis.set(self.key, self.owner, nx=True, px=self.ttl_ms)
            self.token = self.owner if taken else None
        return self.held

    async def refresh(self) -> bool:
        if self.token is None:
            return False
        if not await self._refresh(keys=[self.key], args=[self.token, self.ttl_ms]):
            self.token = self.fence = None
        return self.held

    async def release(self) -> None:
        token, self.token, self.fence = self.token, None, None
        if token is not None:
            await self._release(keys=[self.key], args=[token])

    async def holder(self) -> str | None:
        value = await self._redis.get(self.key)
        return None if value is None else str(value)
