"""Pacing per chat: sends for one chat are spaced by the interval — across hub replicas when the
platform limit is global — while another chat is never held up by it."""

from __future__ import annotations

import asyncio
import time

from adapters.kit.pacing import Pacer

INTERVAL = 0.15


async def stamps(pacer_for_each: list[Pacer], key: str) -> list[float]:
    async def one(pacer: Pacer) -> float:
        await pacer.wait(key)
        return time.monotonic()

    return sorted(await asyncio.gather(*(one(p) for p in pacer_for_each)))


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:], strict=False)]


async def test_one_chat_is_spaced_and_another_is_not_held_up():
    pacer = Pacer(INTERVAL)
    started = time.monotonic()
    times = await stamps([pacer] * 3, "C1")
    assert all(gap >= INTERVAL * 0.9 for gap in gaps(times))
    await pacer.wait("C2")
    assert time.monotonic() - started < INTERVAL * 3  # C2 went out at once, not after C1's queue


async def test_replicas_share_one_budget_per_chat_through_redis(redis):
    replicas = [Pacer(INTERVAL, redis=redis, prefix="sb:test-pace") for _ in range(2)]
    times = await stamps([replicas[0], replicas[1], replicas[0], replicas[1]], "chat-42")
    assert all(gap >= INTERVAL * 0.8 for gap in gaps(times))  # Redis clock vs ours: small slack
    started = time.monotonic()
    await replicas[1].wait("chat-7")
    assert time.monotonic() - started < INTERVAL / 2


async def test_no_interval_means_no_wait():
    pacer = Pacer(0)
    started = time.monotonic()
    for _ in range(100):
        await pacer.wait("C1")
    assert time.monotonic() - started < 0.05
