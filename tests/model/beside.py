"""A real RQ worker beside the test's event loop: the real job (`core.model.jobs.generate`) in a
thread, with a slow scripted engine, so a test can act while an answer is being written."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import redis as sync_redis
from redis.asyncio import Redis
from rq import Queue, SimpleWorker
from rq.timeouts import TimerDeathPenalty

from core.model import jobs
from core.model.contract import JobRequest
from tests.model.conftest import KEYS

WORDS = 2_000  # ~20 s of answer: a test that sees it all has not stopped it
SLOW_MODEL = {"backend": "ctransformers", "name": "small", "path": "/nowhere.gguf", "edit_interval_ms": 50}


class ThreadWorker(SimpleWorker):
    """The real SimpleWorker, in a thread beside the hub's loop (no signals outside the main thread)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def work_beside(redis_url: str, engine: object) -> asyncio.Future[None]:
    """Run a worker until its queue is empty, in a thread, while the test goes on."""

    def run() -> None:
        connection = sync_redis.Redis.from_url(redis_url)
        jobs.install(engine, "test-worker")  # type: ignore[arg-type]
        beat = KEYS.worker("test-worker")  # alive to the hub's sweeper while it works
        connection.hset(beat, mapping={"model": "small"})
        connection.expire(beat, 60)
        try:
            ThreadWorker([Queue(KEYS.queue("small"), connection=connection)], connection=connection).work(
                burst=True, logging_level="WARNING"
            )
        finally:
            jobs.install(None)
            connection.delete(beat)
            connection.close()

    return asyncio.ensure_future(asyncio.to_thread(run))


async def queued(redis: Redis) -> None:
    """Until a question waits in the model queue (a burst worker started before would just exit)."""
    async with asyncio.timeout(10):
        while not await redis.llen(Queue.redis_queue_namespace_prefix + KEYS.queue("small")):
            await asyncio.sleep(0.02)


class SlowEngine:
    """Writes "w0 w1 w2 ..." one word every 10 ms; counts the words it made."""

    model = "small"

    def __init__(self) -> None:
        self.made = 0
        self.closed = threading.Event()

    def stream(self, request: JobRequest) -> Iterator[str]:
        try:
            for n in range(WORDS):
                self.made += 1
                yield f"w{n} "
                time.sleep(0.01)
        finally:
            self.closed.set()  # the generator was closed: the engine stopped generating
