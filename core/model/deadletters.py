"""The dead-letter registry: jobs that killed the worker running them, kept for a person to read.

A job whose worker died twice in a row while running it is a poison job: it is not run again.
Its entry holds the job's masked payload (the same text the queue held — never the original),
how many workers it took down, and when. The list is bounded; the newest entry comes first.
"""

from __future__ import annotations

import json
import time
from typing import Any, cast

from redis.asyncio import Redis

from core.model.contract import ModelKeys

POISON_AFTER_DEATHS = 2
MAX_DEAD_LETTERS = 1000


class DeadLetters:
    def __init__(self, redis: Redis, keys: ModelKeys) -> None:
        self._redis = redis
        self._key = keys.dead_letters

    async def add(
        self, job_id: str, model: str, payload: dict[str, Any], *, deaths: int, worker: str
    ) -> None:
        entry = {
            "job_id": job_id,
            "model": model,
            "deaths": deaths,
            "last_worker": worker,
            "at": round(time.time(), 3),
            "payload": payload,  # masked by the PII stage before it was queued
        }
        pipe = self._redis.pipeline(transaction=True)
        pipe.lpush(self._key, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(self._key, 0, MAX_DEAD_LETTERS - 1)
        await pipe.execute()

    async def count(self) -> int:
        return int(await self._redis.llen(self._key))

    async def newest(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = cast("list[str]", await self._redis.lrange(self._key, 0, limit - 1))
        return [json.loads(row) for row in rows]
