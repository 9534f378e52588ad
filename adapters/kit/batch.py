"""Redis `SET NX EX` calls from concurrent requests sent together: while one pipeline is in
flight, the calls that arrive queue up and leave in the next one. Under load a webhook route pays
one round trip per batch instead of one per request (the syscall and the context switch to Redis
were most of an acknowledgement's cost); alone, a call goes out at once, as before.

Each caller still gets its own answers, in its own order, and every check still happens before
its request is acknowledged: nothing is skipped, only carried together."""

from __future__ import annotations

import asyncio
from typing import Any

from redis.asyncio import Redis

SetNx = tuple[str, str, int]  # key, value, ttl in seconds
MAX_BATCH = 256


class NxBatcher:
    def __init__(self, redis: Redis, *, max_batch: int = MAX_BATCH) -> None:
        self.redis = redis
        self._max = max_batch
        self._queue: list[tuple[tuple[SetNx, ...], asyncio.Future[list[bool]]]] = []
        self._flushing = False

    async def set_nx(self, *items: SetNx) -> list[bool]:
        """One boolean per item: True where this call set the key (it was absent)."""
        future: asyncio.Future[list[bool]] = asyncio.get_running_loop().create_future()
        self._queue.append((items, future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[: self._max], self._queue[self._max :]
                try:
                    results = await self._send(batch)
                except Exception as exc:  # noqa: BLE001 — each waiting request sees the failure
                    for _items, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                at = 0
                for items, future in batch:
                    if not future.done():
                        future.set_result([bool(r) for r in results[at : at + len(items)]])
                    at += len(items)
        finally:
            self._flushing = False

    async def _send(self, batch: list[tuple[tuple[SetNx, ...], Any]]) -> list[Any]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for items, _future in batch:
                for key, value, ttl in items:
                    pipe.set(key, value, nx=True, ex=ttl)
            return list(await pipe.execute())
