"""The one Redis lock: compare-and-set refresh and release, and the fencing number."""

from __future__ import annotations

import asyncio

from core import locks
from core.locks import RedisLock


async def test_one_holder_at_a_time_and_the_fence_grows(redis):
    first, second = RedisLock(redis, "t:lock", 5, fenced=True), RedisLock(redis, "t:lock", 5, fenced=True)
    assert await first.acquire() and not await second.acquire()
    fence = first.fence
    assert fence is not None and second.fence is None
    assert await first.refresh() and not await second.refresh()
    await first.release()
    assert await second.acquire() and second.fence is not None and second.fence > fence


async def test_an_expired_holder_learns_it_lost_and_cannot_release_the_next(redis):
    first, second = RedisLock(redis, "t:lock", 0.2), RedisLock(redis, "t:lock", 5)
    assert await first.acquire()
    await redis.pexpire("t:lock", 1)  # the holder was paused past its expiry
    await asyncio.sleep(0.01)
    assert await second.acquire()
    assert not await first.refresh() and not first.held  # stale: it must stop its work
    await first.release()
    assert await second.refresh() and await second.holder() == second.owner


async def test_one_off_claims_compare_the_token(redis):
    assert await locks.acquire(redis, "t:claim", "a", 5)
    assert not await locks.acquire(redis, "t:claim", "b", 5)
    assert not await locks.release(redis, "t:claim", "b") and await redis.get("t:claim") == "a"
    assert not await locks.refresh(redis, "t:claim", "b", 5)
    assert await locks.refresh(redis, "t:claim", "a", 5)
    assert await locks.release(redis, "t:claim", "a") and await redis.get("t:claim") is None
