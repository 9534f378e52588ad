"""The core pipeline's own cost: turns/s and hub overhead per turn, against a real Redis.

`python -m bench pipeline` (or `make bench`). A recording adapter, the real stages, real
skills, a private redis-server, the PII slot off. Overhead = time from `hub.receive(event)` to
the reply reaching the adapter's `send`. The open-loop runs schedule events at a fixed rate
(no waiting for answers), so a slow turn delays nothing and hides nothing. The reference line
is the same Redis client doing raw round trips, to make the numbers comparable across machines.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import os
import statistics
import time
from dataclasses import dataclass, field

from redis.asyncio import Redis

from bots.compose import assemble
from bots.redis_runner import PrivateRedis
from core.botdef import parse_bot
from core.events import ConversationRef, Event, EventKind, Reply, SentRef
from core.hub import Hub

MESSAGES = ("/about", "what can you do for me?", "please summarise the quarterly numbers")
TARGET_RATE = 500  # turns/s, from the issue
TARGET_P99_MS = 5.0
PACED_SECONDS = float(os.environ.get("SWITCHBOARD_BENCH_SECONDS", "5"))


@dataclass
class RecordingAdapter:
    """Records, per event id, when its reply reached the adapter."""

    name: str = "bench"
    started: dict[str, float] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0

    async def start(self, receive: object) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def send(self, reply: Reply) -> SentRef:
        began = self.started.pop(reply.in_reply_to or "", None)
        if began is not None:
            self.latencies.append(time.perf_counter() - began)
            if len(self.latencies) >= self.expected:
                self.done.set()
        return SentRef(self.name, "m", reply.conversation.channel_id)

    def reset(self, expected: int) -> None:
        self.started.clear()
        self.latencies = []
        self.expected = expected
        self.done = asyncio.Event()


_ids = itertools.count()


def make_event(n: int) -> Event:
    native = f"e{next(_ids)}"
    return Event(
        id=f"bench:{native}",
        conversation=ConversationRef("bench", f"room{n % 50}"),
        sender_id=f"user{n % 200}",
        text=(text := MESSAGES[n % len(MESSAGES)]),
        kind=EventKind.COMMAND if text.startswith("/") else EventKind.MESSAGE,
        message_id=native,
    )


def receive(hub: Hub, adapter: RecordingAdapter, event: Event) -> None:
    adapter.started[event.id] = time.perf_counter()
    hub.receive(event)


async def closed_loop(hub: Hub, adapter: RecordingAdapter, turns: int) -> tuple[float, float]:
    """Everything at once (the hub bounds concurrency): (turns per second, CPU ms per turn).

    CPU time is this process only (Redis is another process): it is steadier than wall time on
    a machine shared with other work."""
    adapter.reset(turns)
    events = [make_event(i) for i in range(turns)]
    began, cpu = time.perf_counter(), time.process_time()
    for event in events:
        receive(hub, adapter, event)
    await asyncio.wait_for(adapter.done.wait(), 120)
    return turns / (time.perf_counter() - began), (time.process_time() - cpu) * 1000 / turns


async def open_loop(hub: Hub, adapter: RecordingAdapter, rate: float, seconds: float) -> dict[str, float]:
    """Events scheduled at `rate`/s; returns overhead percentiles in ms and the achieved rate."""
    total = int(rate * seconds)
    adapter.reset(total)
    events = [make_event(i) for i in range(total)]
    loop = asyncio.get_running_loop()
    began = loop.time()
    lag: list[float] = []
    sent = 0
    while sent < total:
        now = loop.time()
        due = min(total, int((now - began) * rate) + 1)
        while sent < due:
            lag.append(now - (began + sent / rate))
            receive(hub, adapter, events[sent])
            sent += 1
        await asyncio.sleep(max(0.0, began + sent / rate - loop.time()))
    await asyncio.wait_for(adapter.done.wait(), 120)
    elapsed = loop.time() - began
    ms = sorted(x * 1000 for x in adapter.latencies)
    return {
        "rate": total / elapsed,
        "p50": percentile(ms, 50),
        "p99": percentile(ms, 99),
        "max": ms[-1],
        "lag_p99": percentile(sorted(x * 1000 for x in lag), 99),
    }


def percentile(sorted_values: list[float], pct: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


async def redis_reference(redis: Redis, rounds: int = 5000) -> tuple[float, float]:
    """Raw round trips with the same client: (SET NX + INCR pipelines per s, PING p50 in ms)."""
    began = time.perf_counter()
    for i in range(rounds):
        pipe = redis.pipeline(transaction=False)
        pipe.set(f"bench:ref:{i}", "1", nx=True, ex=60)
        pipe.incr("bench:ref:count")
        await pipe.execute()
    per_s = rounds / (time.perf_counter() - began)
    pings = []
    for _ in range(2000):
        t = time.perf_counter()
        await redis.ping()
        pings.append((time.perf_counter() - t) * 1000)
    return per_s, statistics.median(pings)


async def run() -> None:
    with PrivateRedis() as server:
        redis = Redis.from_url(server.url, decode_responses=True)
        try:
            await bench(redis)
        finally:
            await redis.aclose()


async def bench(redis: Redis) -> None:
    bot = parse_bot(
        {
            "name": "benchbot",
            "skills": ["skills.help", "skills.about", "skills.fallback"],
            "limits": {"user_per_minute": 10**9, "conversation_per_minute": 10**9},
        },
        source="bench",
    )
    adapter = RecordingAdapter()
    assembly = assemble(bot, redis, adapters=[adapter])
    hub = assembly.hub
    await hub.start()
    await closed_loop(hub, adapter, 500)  # warm up connections, caches, the similarity index
    ref_pipes, ping_ms = await redis_reference(redis)
    gc.collect()
    throughput, cpu_ms = await closed_loop(hub, adapter, 5000)
    print(f"reference: {ref_pipes:,.0f} SET NX+INCR pipelines/s, PING p50 {ping_ms:.3f} ms (same client)")
    print(
        f"closed loop: {throughput:,.0f} turns/s, hub CPU {cpu_ms:.2f} ms/turn "
        f"({ref_pipes / throughput:.1f} reference pipelines per turn of time)"
    )
    print(f"{'paced load':>12} {'achieved':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lag p99':>8}")
    verdict = ""
    for rate in (100, TARGET_RATE, 1000):
        result = await open_loop(hub, adapter, rate, PACED_SECONDS)
        print(
            f"{rate:>8} /s  {result['rate']:>7.0f}/s {result['p50']:>8.2f} {result['p99']:>8.2f} "
            f"{result['max']:>8.2f} {result['lag_p99']:>8.2f}"
        )
        if rate == TARGET_RATE:
            met = result["p99"] < TARGET_P99_MS
            verdict = f"target p99 < {TARGET_P99_MS:g} ms at {TARGET_RATE}/s: {'met' if met else 'MISSED'}"
    print(verdict)
    await hub.stop(grace=5)
    await redis.flushdb()


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
