"""Numbers for the capacity plan (docs/capacity.md): events/s per hub core with and without PII,
Redis commands per turn (INFO commandstats delta over N turns), and a hub's idle Redis load.

`python -m bench capacity`. The hub process is pinned to one core (redis-server runs on its own,
started before the pin); the load average is printed before and after, since this machine is
shared. Model turns run a real RQ SimpleWorker in this process with an echo engine, so the count
covers the hub side and the worker side of a job (all clients talk to the same server), but not
a real worker's heartbeat (one HSET + EXPIRE a second per worker) or RQ's own worker bookkeeping.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import redis as sync_redis
from redis.asyncio import Redis
from rq import Queue, SimpleWorker

from bench.pipeline import RecordingAdapter, make_event, receive
from bots.compose import Assembly, assemble
from bots.redis_runner import PrivateRedis
from core.botdef import parse_bot
from core.events import Event, EventKind
from core.hub import Hub
from core.model import jobs
from core.model.contract import JobRequest, ModelKeys
from core.pii import vaultkey
from core.pii.masker import PiiMasker
from core.settings import Settings

TURNS = int(os.environ.get("SWITCHBOARD_BENCH_TURNS", "2000"))
MODEL_TURNS = 200
IDLE_SECONDS = 5.0
LIMITS = {"user_per_minute": 10**9, "conversation_per_minute": 10**9}
SKILLS = ["skills.help", "skills.about", "skills.fallback"]
PII_TEXTS = (
    "hi, I'm Maria Keller, my mail is maria.keller@example.org",
    "/about",
    "please call me back on +44 20 7946 0958 about order 4411",
    "what can you do for me?",
)
MODEL = {
    "backend": "ctransformers",
    "name": "small",
    "path": "/nowhere.gguf",
    "stream": False,
    "max_queue": 100_000,  # no "busy" notices: every reply counted is an answer
    "busy_depth": 100_000,
}


class EchoEngine:
    model = "small"

    def stream(self, request: JobRequest) -> Iterator[str]:
        yield "You said:"
        for word in request.prompt.split()[:8]:
            yield " " + word


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f} (1 min) / {five:.2f} (5 min) on {os.cpu_count()} cores"


async def commandstats(redis: Redis) -> dict[str, int]:
    info = await redis.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in info.items()}


async def data_bytes(redis: Redis) -> int:
    """What the keys themselves take (MEMORY USAGE of each): INFO's used_memory also counts the
    client buffers of a few hundred connections, which swing more than the data."""
    total = 0
    async for key in redis.scan_iter(count=1000):
        total += int(await redis.memory_usage(key, samples=0) or 0)
    return total


def delta(before: dict[str, int], after: dict[str, int], turns: int) -> tuple[float, str]:
    """(commands per turn, the biggest contributors), INFO itself left out."""
    diff = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    diff = {k: v for k, v in diff.items() if v > 0 and k != "info"}
    top = sorted(diff.items(), key=lambda kv: -kv[1])[:8]
    return sum(diff.values()) / turns, ", ".join(f"{k} {v / turns:.2f}" for k, v in top)


async def hub(redis: Redis, *, pii: bool = False, model: bool = False) -> tuple[Assembly, RecordingAdapter]:
    data: dict[str, Any] = {"name": "capbot", "skills": SKILLS, "limits": LIMITS}
    if pii:
        data["pii"] = {"enabled": True}
    if model:
        data["model"] = MODEL
        data["fallback"] = "fallback"
    adapter = RecordingAdapter()
    settings = Settings(extra={"SWITCHBOARD_VAULT_KEY": vaultkey.generate()})
    assembly = assemble(parse_bot(data, source="bench"), redis, adapters=[adapter], settings=settings)
    if isinstance(assembly.masker, PiiMasker):
        await assembly.masker.analyzer.loaded()
    await assembly.hub.start()
    return assembly, adapter


def with_text(event: Event, text: str) -> Event:
    return replace(event, text=text, kind=EventKind.COMMAND if text.startswith("/") else EventKind.MESSAGE)


async def closed(hub: Hub, adapter: RecordingAdapter, events: list[Event]) -> tuple[float, float]:
    """All events at once (the hub bounds concurrency): (events/s, hub CPU ms per event)."""
    adapter.reset(len(events))
    began, cpu = time.perf_counter(), time.process_time()
    for event in events:
        receive(hub, adapter, event)
    await asyncio.wait_for(adapter.done.wait(), 300)
    return len(events) / (time.perf_counter() - began), (time.process_time() - cpu) * 1000 / len(events)


def events(count: int, *, pii: bool) -> list[Event]:
    """The pipeline benchmark's mix; with `pii`, half the messages carry names, e-mails, phones."""
    made = [make_event(n) for n in range(count)]
    return [with_text(e, PII_TEXTS[n % len(PII_TEXTS)]) for n, e in enumerate(made)] if pii else made


async def throughput(redis: Redis, *, pii: bool) -> None:
    assembly, adapter = await hub(redis, pii=pii)
    await closed(assembly.hub, adapter, events(300, pii=pii))  # warm up
    gc.collect()
    await redis.execute_command("FLUSHDB", "SYNC")  # memory counted from here: what the events leave
    before = await commandstats(redis)
    rate, cpu_ms = await closed(assembly.hub, adapter, events(TURNS, pii=pii))
    after = await commandstats(redis)
    kept = await data_bytes(redis) / TURNS
    per_turn, top = delta(before, after, TURNS)
    label = "PII on " if pii else "PII off"
    print(f"{label}: {rate:,.0f} events/s on one core, hub CPU {cpu_ms:.2f} ms/event")
    print(f"         Redis: {per_turn:.1f} commands per turn ({top})")
    print(f"         Redis memory left per event: {kept:,.0f} bytes (dedup, memory, vault keys, with TTLs)")
    await assembly.hub.stop(grace=5)


async def model_turns(redis: Redis, url: str) -> None:
    assembly, adapter = await hub(redis, model=True)
    service = assembly.model_service
    assert service is not None
    await service.start()
    before = await commandstats(redis)
    adapter.reset(MODEL_TURNS)
    for n in range(MODEL_TURNS):
        receive(assembly.hub, adapter, with_text(make_event(n), f"tell me about topic {n}"))
    await assembly.hub.drain(60)
    connection = sync_redis.Redis.from_url(url)
    jobs.install(EchoEngine(), "bench-worker")
    try:
        queues = [Queue(name, connection=connection) for name in ModelKeys("sb").queues("small")]
        SimpleWorker(queues, connection=connection).work(burst=True, logging_level="WARNING")
    finally:
        jobs.install(None)
        connection.close()
    await asyncio.wait_for(adapter.done.wait(), 120)
    after = await commandstats(redis)
    per_turn, top = delta(before, after, MODEL_TURNS)
    print(f"model turn (hub + worker, echo engine): {per_turn:.1f} Redis commands per turn ({top})")
    await asyncio.sleep(1.0)  # the last acknowledgements
    before = await commandstats(redis)
    await asyncio.sleep(IDLE_SECONDS)
    after = await commandstats(redis)
    idle, top = delta(before, after, 1)
    print(f"idle hub with model delivery running: {idle / IDLE_SECONDS:.1f} commands/s ({top})")
    await service.stop()
    await assembly.hub.stop(grace=5)


async def run() -> None:
    with PrivateRedis() as server:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # the hub on one core
        print(f"load average before: {load()}")
        started = time.perf_counter()
        redis = Redis.from_url(server.url, decode_responses=True)
        try:
            await throughput(redis, pii=False)
            await throughput(redis, pii=True)
            await model_turns(redis, server.url)
        finally:
            await redis.flushdb()
            await redis.aclose()
        print(f"load average after: {load()} ({time.perf_counter() - started:.0f} s)")


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
