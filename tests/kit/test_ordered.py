"""`ConversationOrder` (one conversation's items handed off in sequence order across replicas)
and the `ScriptBatcher` under it, on a real Redis. The two-replica case end to end is in
tests/telegram/test_order.py."""

from __future__ import annotations

import asyncio

from adapters.kit.ordered import NOTHING_PENDING, ConversationOrder
from adapters.kit.scripts import ScriptBatcher

ECHO = "return {KEYS[1], ARGV[1]}"


async def until(predicate) -> None:  # type: ignore[no-untyped-def]
    while not predicate():
        await asyncio.sleep(0.001)


async def test_concurrent_script_calls_share_pipelines_and_each_gets_its_result(redis):
    batcher = ScriptBatcher(redis, {"echo": ECHO})
    trips = []
    pipeline = batcher._pipeline

    async def counted(calls):  # type: ignore[no-untyped-def]
        trips.append(len(calls))
        return await pipeline(calls)

    batcher._pipeline = counted  # type: ignore[method-assign]
    results = await asyncio.gather(*(batcher.call("echo", (f"k{n}",), (n,)) for n in range(20)))
    assert [list(r) for r in results] == [[f"k{n}", str(n)] for n in range(20)]
    assert len(trips) < 20  # the first call is sent alone (and finds the script unknown: loaded)


async def test_a_script_error_reaches_only_its_caller(redis):
    batcher = ScriptBatcher(redis, {"echo": ECHO, "fail": "return redis.error_reply('no')"})
    good, bad = await asyncio.gather(
        batcher.call("echo", ("k",), (1,)), batcher.call("fail", ("k",), ()), return_exceptions=True
    )
    assert list(good) == ["k", "1"] and isinstance(bad, Exception)


async def test_items_go_in_sequence_order_and_a_late_one_is_not_dropped(redis):
    order = ConversationOrder(redis, "t:order", wait_s=5)
    handed: list[int] = []
    assert await order.arrive("chat", 10) is True  # nothing earlier: may go when ready
    assert await order.arrive("chat", 11) is False  # 10 is still pending
    later = asyncio.create_task(order.hand_off("chat", 11, lambda: handed.append(11)))
    await asyncio.wait_for(until(lambda: order.waiting == 1), 5)  # it found 10 pending and waits
    assert handed == []
    assert await order.hand_off("chat", 10, lambda: handed.append(10), clear=True) == 11
    assert await later == NOTHING_PENDING
    assert handed == [10, 11]

    assert await order.arrive("chat", 9) is True  # arrived after 11 was handed off: late
    await order.hand_off("chat", 9, lambda: handed.append(9), clear=True)
    assert handed == [10, 11, 9] and order.counts["late"] == 1


async def test_the_wait_is_bounded_and_redis_away_never_holds_an_item(redis):
    order = ConversationOrder(redis, "t:order2", wait_s=0.1)
    handed: list[int] = []
    await order.arrive("chat", 1)  # its replica "dies": never handed off
    await order.arrive("chat", 2)
    await order.hand_off("chat", 2, lambda: handed.append(2))
    assert handed == [2] and order.counts["gave_up"] == 1
    assert await order.arrive("chat", 3) is True  # the dead entry is gone: no more waiting

    class Away:
        def pipeline(self, **_kwargs):  # type: ignore[no-untyped-def]
            raise ConnectionError("redis went away")

    gone = ConversationOrder(Away(), "t:order3", wait_s=5)  # type: ignore[arg-type]
    assert await gone.arrive("chat", 1) is True
    await gone.hand_off("chat", 1, lambda: handed.append(1))
    assert handed == [2, 1] and gone.counts["unordered"] == 1  # handed off once, unordered
