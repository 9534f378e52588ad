"""One holder across replicas: the Redis lease with a fencing token, and `hold`."""

from __future__ import annotations

import asyncio

from adapters.kit.lease import Lease, hold


async def test_one_holder_at_a_time_and_the_fence_grows(redis):
    first, second = Lease(redis, "t:lease", 5), Lease(redis, "t:lease", 5)
    fence = await first.acquire()
    assert fence is not None and await second.acquire() is None
    assert await first.refresh() and not await second.refresh()
    await first.release()
    later = await second.acquire()
    assert later is not None and later > fence


async def test_an_expired_holder_learns_it_lost(redis):
    first, second = Lease(redis, "t:lease", 0.2), Lease(redis, "t:lease", 5)
    await first.acquire()
    await redis.pexpire("t:lease", 1)  # the holder was paused past its expiry
    await asyncio.sleep(0.01)
    assert await second.acquire() is not None
    assert not await first.refresh()  # stale: it must stop its work
    await first.release()  # and cannot release the new holder's lease
    assert await second.refresh()


async def test_hold_runs_the_work_only_while_held_and_hands_over(redis):
    running: list[str] = []
    started = {name: asyncio.Event() for name in ("a", "b")}

    def work(name: str):  # type: ignore[no-untyped-def]
        async def run(_fence: int) -> None:
            running.append(name)
            started[name].set()
            try:
                await asyncio.Event().wait()
            finally:
                running.remove(name)

        return run

    a = asyncio.create_task(hold(Lease(redis, "t:lease", 0.3), work("a")))
    await asyncio.wait_for(started["a"].wait(), 5)
    b = asyncio.create_task(hold(Lease(redis, "t:lease", 0.3), work("b")))
    await asyncio.sleep(0.4)
    assert running == ["a"]  # b waits while a holds
    a.cancel()
    await asyncio.gather(a, return_exceptions=True)
    await asyncio.wait_for(started["b"].wait(), 5)
    assert running == ["b"]
    b.cancel()
    await asyncio.gather(b, return_exceptions=True)
    assert running == [] and await redis.get("t:lease") is None


async def test_hold_stops_the_work_when_the_lease_is_taken(redis):
    cancelled = asyncio.Event()
    started = asyncio.Event()

    async def run(_fence: int) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    task = asyncio.create_task(hold(Lease(redis, "t:lease", 0.3), run))
    await asyncio.wait_for(started.wait(), 5)
    await redis.set("t:lease", "someone-else:99", px=5000)  # another replica owns it now
    await asyncio.wait_for(cancelled.wait(), 5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await redis.get("t:lease") == "someone-else:99"
