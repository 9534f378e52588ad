"""Model metrics seen from the hub: what a final result says about the job, and the gauges
(queue depth, oldest job, live workers) read from Redis when Prometheus scrapes.

The worker reports its own timings in the final stream entry (`queued_ms`, `ttft_ms`, `gen_ms`,
`tokens`), so the hub replica that reads the entry records them: one `/metrics` endpoint per hub
covers the workers too, and a worker needs no port of its own.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime

from redis.asyncio import Redis
from rq import Queue
from rq.job import Job

from core.botdef import BotDefinition
from core.metrics import Metrics, Refresh
from core.model.contract import ModelKeys
from core.model.queue import ModelQueues
from core.model.workers import live_workers, workers_by_model


def _number(fields: Mapping[str, str], name: str) -> float | None:
    try:
        value = float(fields.get(name) or "")
    except ValueError:
        return None
    return value if value >= 0 else None


def observe_final(metrics: Metrics, fields: Mapping[str, str]) -> None:
    """A FINAL stream entry: queue wait, time to first token, tokens and tokens/s of its job."""
    model = fields.get("model") or "?"
    queued_ms = _number(fields, "queued_ms")
    ttft_ms = _number(fields, "ttft_ms")
    gen_ms = _number(fields, "gen_ms")
    tokens = _number(fields, "tokens")
    if queued_ms is not None:
        metrics.model_queue_wait.labels(model).observe(queued_ms / 1000)
    if ttft_ms is not None:
        metrics.model_first_token.labels(model).observe(ttft_ms / 1000)
    if tokens is not None:
        metrics.model_tokens.labels(model).inc(tokens)
        if gen_ms:
            metrics.model_tokens_per_second.labels(model).observe(tokens / (gen_ms / 1000))


async def oldest_wait_s(redis: Redis, keys: ModelKeys, model: str) -> float:
    """Seconds the oldest waiting job of `model` (any lane) has waited; 0 when none waits.
    Async round trips only: a scrape during a Redis outage must not tie up executor threads."""
    heads = [await redis.lindex(Queue.redis_queue_namespace_prefix + name, 0) for name in keys.queues(model)]
    oldest = 0.0
    for job_id in filter(None, heads):
        stamp = await redis.hget(Job.redis_job_namespace_prefix + str(job_id), "enqueued_at")
        try:
            enqueued = datetime.fromisoformat(str(stamp)).timestamp() if stamp else None
        except ValueError:
            enqueued = None
        if enqueued is not None:
            oldest = max(oldest, time.time() - enqueued)
    return oldest


def scrape_gauges(
    metrics: Metrics, redis: Redis, keys: ModelKeys, queues: ModelQueues, bot: BotDefinition
) -> Refresh:
    """Set queue depth, oldest waiting job and live workers for every model of `bot`."""

    async def refresh() -> None:
        live = workers_by_model(await live_workers(redis, keys))
        for spec in bot.model.specs():
            metrics.model_queue_depth.labels(spec.name).set(await queues.depth(spec.name))
            metrics.model_queue_oldest.labels(spec.name).set(await oldest_wait_s(redis, keys, spec.name))
            metrics.model_workers.labels(spec.name).set(live.get(spec.name, 0))

    return refresh
