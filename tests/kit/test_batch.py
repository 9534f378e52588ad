"""`NxBatcher`: concurrent SET NX calls share round trips, and each caller gets its own answers."""

from __future__ import annotations

import asyncio

from adapters.kit.batch import NxBatcher


async def test_concurrent_calls_share_a_round_trip_and_each_gets_its_answers(redis):
    batcher = NxBatcher(redis)
    trips = []
    send = batcher._send

    async def counted(batch):  # type: ignore[no-untyped-def]
        trips.append(len(batch))
        return await send(batch)

    batcher._send = counted  # type: ignore[method-assign]
    keys = [f"t:batch:{n % 10}" for n in range(20)]  # every key twice
    answers = await asyncio.gather(*(batcher.set_nx((k, "1", 60), (k + ":ctx", "x", 60)) for k in keys))
    assert [a[0] for a in answers].count(True) == 10  # the first of each pair wins, once
    assert all(a[0] == a[1] for a in answers)  # its context too
    assert sum(trips) == 20 and len(trips) < 20
    assert await batcher.set_nx(("t:batch:new", "1", 60)) == [True]  # alone: at once


async def test_a_failure_reaches_every_waiting_caller(redis):
    batcher = NxBatcher(redis)

    async def broken(batch):  # type: ignore[no-untyped-def]
        raise ConnectionError("redis went away")

    batcher._send = broken  # type: ignore[method-assign]
    results = await asyncio.gather(
        *(batcher.set_nx((f"t:f:{n}", "1", 60)) for n in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    batcher._send = NxBatcher._send.__get__(batcher)  # type: ignore[method-assign]
    assert await batcher.set_nx(("t:f:after", "1", 60)) == [True]  # and it recovers
