"""One holder across hub replicas: run some work only while this replica holds a fenced
`core.locks.RedisLock` (a gateway session per shard, a long poller).

The holder refreshes every third of the TTL; the moment a refresh fails (the lock expired while
this replica was paused, and another took it) the work is cancelled. When the holder dies its key
expires and another replica takes over within about one TTL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from redis.asyncio import Redis

from core.locks import RedisLock

log = logging.getLogger(__name__)


def new_lease(redis: Redis, key: str, ttl_s: float) -> RedisLock:
    """The lock `hold` expects: fenced, so the work knows which holding it runs under."""
    return RedisLock(redis, key, ttl_s, fenced=True)


Work = Callable[[int], Coroutine[Any, Any, None]]


async def hold(lease: RedisLock, work: Work, *, name: str = "lease") -> None:
    """Run `work(fence)` whenever this replica holds `lease`; cancel it the moment the lease is
    lost, and try again. Returns only when cancelled (then the lease is released)."""
    pause = lease.ttl_ms / 3000
    task: asyncio.Task[None] | None = None
    try:
        while True:
            try:
                if task is None:
                    if await lease.acquire() and lease.fence is not None:
                        log.info("%s taken (fence %d)", name, lease.fence)
                        task = asyncio.get_running_loop().create_task(work(lease.fence))
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
