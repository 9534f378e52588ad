"""One holder across hub replicas: a Redis lease with a fencing token, and a loop that runs some
work only while this replica holds it (a gateway session per shard, a long poller).

The lease is a key whose value is `<owner>:<fence>`; the fence comes from a counter that grows
on every acquisition, so a holder that was paused past its expiry can tell (and be told) that it
is stale. The holder refreshes every third of the TTL; when the holder dies the key expires and
another replica takes over within about one TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis

log = logging.getLogger(__name__)

_ACQUIRE = (
    "if redis.call('exists', KEYS[1]) == 1 then return 0 end "
    "local fence = redis.call('incr', KEYS[2]) "
    "redis.call('set', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2]) return fence"
)
_REFRESH = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class Lease:
    def __init__(self, redis: Redis, key: str, ttl_s: float) -> None:
        self._redis = redis
        self.key = key
        self.ttl_ms = max(100, int(ttl_s * 1000))
        self.owner = uuid.uuid4().hex
        self.fence: int | None = None  # set while held

    @property
    def _value(self) -> str:
        return f"{self.owner}:{self.fence}"

    async def acquire(self) -> int | None:
        """The fencing token if this replica now holds the lease, else None."""
        fence = await self._redis.eval(_ACQUIRE, 2, self.key, self.key + ":fence", self.owner, self.ttl_ms)
        self.fence = int(fence) or None
        return self.fence

    async def refresh(self) -> bool:
        if self.fence is None:
            return False
        held = bool(await self._redis.eval(_REFRESH, 1, self.key, self._value, self.ttl_ms))
        if not held:
            self.fence = None
        return held

    async def release(self) -> None:
        if self.fence is not None:
            await self._redis.eval(_RELEASE, 1, self.key, self._value)
            self.fence = None

    async def holder(self) -> str | None:
        value = await self._redis.get(self.key)
        return None if value is None else str(value)


Work = Callable[[int], Coroutine[Any, Any, None]]


async def hold(lease: Lease, work: Work, *, name: str = "lease") -> None:
    """Run `work(fence)` whenever this replica holds `lease`; cancel it the moment the lease is
    lost, and try again. Returns only when cancelled (then the lease is released)."""
    pause = lease.ttl_ms / 3000
    task: asyncio.Task[None] | None = None
    try:
        while True:
            try:
                if task is None:
                    fence = await lease.acquire()
                    if fence is not None:
                        log.info("%s taken (fence %d)", name, fence)
                        task = asyncio.get_running_loop().create_task(work(fence))
                elif task.done():
                    if not task.cancelled() and task.exception() is not None:
                        log.error("%s work failed: %s", name, type(task.exception()).__name__)
                    task = None
                    await lease.release()
                elif not await lease.refresh():
                    log.warning("%s lost: stopping its work", name)
                    await _cancel(task)
                    task = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — Redis may come back; keep trying
                log.error("%s: %s", name, type(exc).__name__)
            await asyncio.sleep(pause)
    finally:
        if task is not None:
            await _cancel(task)
        with contextlib.suppress(Exception):
            await lease.release()


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
