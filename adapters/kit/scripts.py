"""Lua script calls from concurrent tasks sent together: while one pipeline of `EVALSHA`s is in
flight, the calls that arrive queue up and leave in the next one (`adapters.kit.batch` does the
same for `SET NX`). Work that follows every webhook update runs on the core that answers the
webhooks, and one round trip per call was most of its cost; alone, a call goes out at once.

Scripts are sent by their SHA1; a Redis that does not know them (restarted, flushed) gets them
loaded and the calls sent again. Each caller gets its own result, or its own error."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import NoScriptError

MAX_BATCH = 256
Call = tuple[str, tuple[str, ...], tuple[Any, ...]]  # script name, keys, args


class ScriptBatcher:
    def __init__(self, redis: Redis, scripts: dict[str, str], *, max_batch: int = MAX_BATCH) -> None:
        self.redis = redis
        self._sources = scripts
        self._sha = {name: hashlib.sha1(source.encode()).hexdigest() for name, source in scripts.items()}
        self._max = max_batch
        self._queue: list[tuple[Call, asyncio.Future[Any]]] = []
        self._flushing = False

    async def call(self, name: str, keys: tuple[str, ...], args: tuple[Any, ...]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(((name, keys, args), future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue[: self._max], self._queue[self._max :]
                try:
                    results = await self._send([call for call, _future in batch])
                except Exception as exc:  # noqa: BLE001 — each waiting caller sees the failure
                    results = [exc] * len(batch)
                for (_call, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._flushing = False

    async def _send(self, calls: list[Call]) -> list[Any]:
        results = await self._pipeline(calls)
        missing = [i for i, result in enumerate(results) if isinstance(result, NoScriptError)]
        if missing:
            for source in self._sources.values():
                await self.redis.script_load(source)
            again = await self._pipeline([calls[i] for i in missing])
            for i, result in zip(missing, again, strict=True):
                results[i] = result
        return results

    async def _pipeline(self, calls: list[Call]) -> list[Any]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for name, keys, args in calls:
                pipe.evalsha(self._sha[name], len(keys), *keys, *args)
            return list(await pipe.execute(raise_on_error=False))
