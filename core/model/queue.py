"""RQ, seen from the hub: enqueue by dotted path, queue depth, registry counts.

RQ is synchronous; these calls run in a thread on a plain (bytes) connection so the event
loop never blocks. Queue depth, the hot-path question, is one LLEN on the async client.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import redis as sync_redis
from redis.asyncio import Redis
from rq import Queue
from rq.callbacks import Callback
from rq.exceptions import NoSuchJobError
from rq.job import Job

from core import tracing
from core.model.contract import FAILURE_CALLBACK, JOB_FUNCTION, LANES, ModelKeys

FAILURE_TTL_S = 7 * 86_400
JOB_DESCRIPTION = "model generation"  # RQ logs descriptions: never the (masked) arguments


def sync_client(client: Redis) -> sync_redis.Redis:
    """A synchronous, bytes-speaking client to the same server (what RQ needs)."""
    kwargs = dict(client.connection_pool.connection_kwargs)
    kwargs.pop("decode_responses", None)
    allowed = {"host", "port", "db", "username", "password", "path", "ssl", "socket_timeout"}
    kwargs = {k: v for k, v in kwargs.items() if k in allowed}
    if "path" in kwargs:
        return sync_redis.Redis(unix_socket_path=kwargs.pop("path"), **kwargs)
    return sync_redis.Redis(**kwargs)


class ModelQueues:
    def __init__(self, redis: Redis, keys: ModelKeys) -> None:
        self._redis = redis
        self._keys = keys
        self._sync = sync_client(redis)

    def _queue(self, model: str, lane: str = "") -> Queue:
        return Queue(self._keys.queue(model, lane), connection=self._sync)

    async def depth(self, model: str) -> int:
        """Jobs waiting for the model, every lane together (one round trip)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in self._keys.queues(model):
                pipe.llen(Queue.redis_queue_namespace_prefix + name)
            return sum(int(n) for n in await pipe.execute())

    async def enqueue(self, model: str, payload: dict[str, Any], *, rq_id: str, timeout_s: int) -> None:
        """On the payload's lane (`JobRequest.lane`), so a retry keeps its place in the order."""
        lane = str(payload.get("lane") or "")
        lane = lane if lane in LANES else ""
        meta = tracing.carrier()  # the turn's trace continues in the worker (`traceparent`)

        def run() -> None:
            self._queue(model, lane).enqueue_call(
                JOB_FUNCTION,
                args=(payload,),
                job_id=rq_id,
                timeout=timeout_s + 30,  # the job enforces its own deadline; this is the backstop
                result_ttl=300,
                failure_ttl=FAILURE_TTL_S,
                description=JOB_DESCRIPTION,
                on_failure=Callback(FAILURE_CALLBACK),
                meta=meta or None,
            )

        await asyncio.to_thread(run)

    async def discard(self, rq_id: str) -> None:
        """Forget a job (queued or abandoned by a dead worker)."""

        def run() -> None:
            try:
                Job.fetch(rq_id, connection=self._sync).delete()
            except NoSuchJobError:
                pass

        await asyncio.to_thread(run)

    async def stats(self, model: str) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            lanes = [self._queue(model, lane) for lane in LANES]
            oldest: float | None = None
            for queue in lanes:
                ids = queue.get_job_ids(0, 1)
                if not ids:
                    continue
                try:
                    job = Job.fetch(ids[0], connection=self._sync)
                except NoSuchJobError:
                    continue
                if job.enqueued_at is not None:
                    wait = round(time.time() - job.enqueued_at.timestamp(), 1)
                    oldest = wait if oldest is None else max(oldest, wait)
            found = {
                "queued": sum(q.count for q in lanes),
                "running": sum(q.started_job_registry.count for q in lanes),
                "failed": sum(q.failed_job_registry.count for q in lanes),
                "oldest_wait_s": oldest,
            }
            urgent = {lane: q.count for lane, q in zip(LANES, lanes, strict=True) if lane and q.count}
            if urgent:
                found["queued_by_lane"] = urgent
            return found

        return await asyncio.to_thread(run)

    def close(self) -> None:
        self._sync.close()
