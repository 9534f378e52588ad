"""Whether any live worker serves a model, for the hub: so that nobody waits for nothing.

The gateway asks `serving(model)` before queueing (answered from a snapshot at most one second
old); the model service runs `run()`, which logs once at start when a model has no worker, and
again when its last worker disappears or the first one comes back.
"""

from __future__ import annotations

import asyncio
import logging
import time

from redis.asyncio import Redis

from core.model.contract import ModelKeys
from core.model.workers import HEARTBEAT_EVERY_S, live_workers, workers_by_model

log = logging.getLogger(__name__)


class WorkerWatch:
    def __init__(self, redis: Redis, keys: ModelKeys, models: list[str], *, how_to_start: str) -> None:
        self._redis = redis
        self._keys = keys
        self._models = models
        self._how_to_start = how_to_start
        self._counts: dict[str, int] = {}
        self._seen_at = float("-inf")
        self._announced: dict[str, bool] = {}  # model -> had a worker when last logged
        self.stopping = asyncio.Event()

    async def refresh(self) -> dict[str, int]:
        self._counts = workers_by_model(await live_workers(self._redis, self._keys))
        self._seen_at = time.monotonic()
        return self._counts

    async def serving(self, model: str) -> bool:
        if time.monotonic() - self._seen_at > HEARTBEAT_EVERY_S:
            await self.refresh()
        return self._counts.get(model, 0) > 0

    def announce(self) -> None:
        """Log each model whose worker state changed since the last call (and every model once)."""
        for model in self._models:
            served = self._counts.get(model, 0) > 0
            if self._announced.get(model) == served:
                continue
            if served:
                if model in self._announced:
                    log.info("model %s has a worker again", model, extra={"model": model})
            else:
                log.warning(
                    "no worker serves model %s: questions for it get 'the model is not running' "
                    "at once. Start one: %s",
                    model,
                    self._how_to_start,
                    extra={"model": model},
                )
            self._announced[model] = served

    async def run(self) -> None:
        while not self.stopping.is_set():
            try:
                await self.refresh()
                self.announce()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — Redis hiccup: try again next round
                log.debug("worker watch failed: %s", type(exc).__name__)
            try:
                await asyncio.wait_for(self.stopping.wait(), HEARTBEAT_EVERY_S)
            except TimeoutError:
                pass
