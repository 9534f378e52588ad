"""Who is serving which model: workers announce themselves with a heartbeat key in Redis.

The worker side (`bots/worker.py`) writes; the hub reads for `status`, `/readyz` and to spot a
worker that died holding a job.
"""

from __future__ import annotations

from typing import Any, cast

from redis.asyncio import Redis

from core.model.contract import ModelKeys

HEARTBEAT_TTL_S = 3
HEARTBEAT_EVERY_S = 1.0


async def live_workers(redis: Redis, keys: ModelKeys) -> list[dict[str, Any]]:
    """Workers whose heartbeat is fresh; forgets those whose heartbeat expired."""
    names = sorted(cast("set[str]", await redis.smembers(keys.workers)))
    alive: list[dict[str, Any]] = []
    for name in names:
        info = cast("dict[str, str]", await redis.hgetall(keys.worker(name)))
        if info:
            alive.append({"name": name, **info})
        else:
            await redis.srem(keys.workers, name)
    return alive


async def is_alive(redis: Redis, keys: ModelKeys, worker: str) -> bool:
    return bool(await redis.exists(keys.worker(worker)))


def workers_by_model(workers: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for worker in workers:
        counts[worker.get("model", "?")] = counts.get(worker.get("model", "?"), 0) + 1
    return counts
