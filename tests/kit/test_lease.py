"""One holder across replicas: `hold` runs the work only while the fenced lock is held."""

from __future__ import annotations

import asyncio

from adapters.kit.lease import hold, new_lease


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

    a = asyncio.create_task(hold(new_lease(redis, "t:lease", 0.3), work("a")))
    await asyncio.wait_for(started["a"].wait(), 5)
    b = asyncio.create_task(hold(new_lease(redis, "t:lease", 0.3), work("b")))
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

    task = asyncio.create_task(hold(new_lease(redis, "t:lease", 0.3), run))
    await asyncio.wait_for(started.wait(), 5)
    await redis.set("t:lease", "someone-else:99", px=5000)  # another replica owns it now
    await asyncio.wait_for(cancelled.wait(), 5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await redis.get("t:lease") == "someone-else:99"
