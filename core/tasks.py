"""Background work that outlives the call that started it (a reaction added after the ack, a
wake-up from another replica, a mention remembered before the turn), owned by one group.

A group keeps a strong reference to each task until it ends (the event loop keeps only a weak
one), logs and counts a task that failed (`switchboard_platform_background_failures_total`, by
group) instead of losing the exception, and is awaited on stop: what is running gets `grace_s`
to finish, then the stragglers are cancelled and awaited, so nothing runs after its owner stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

from core.metrics import PLATFORM, PlatformMetrics

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_GRACE_S = 5.0


class TaskGroup:
    def __init__(self, name: str, *, metrics: PlatformMetrics = PLATFORM) -> None:
        self.name = name
        self._metrics = metrics
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str | None = None) -> asyncio.Task[T]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self._metrics.background_failed(self.name)
            log.error("background task of %s failed: %s", self.name, type(exc).__name__)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every task ends, those spawned meanwhile too; False if some still run at
        `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                while self._tasks:
                    await asyncio.wait(set(self._tasks))
        except TimeoutError:
            return False
        return True

    async def stop(self, grace_s: float = DEFAULT_GRACE_S) -> None:
        """Let running tasks finish for up to `grace_s`, then cancel the rest and await them."""
        if not self._tasks or await self.drain(max(grace_s, 0)):
            return
        stragglers = set(self._tasks)
        log.warning("%s: cancelling %d background task(s) still running at stop", self.name, len(stragglers))
        for task in stragglers:
            task.cancel()
        await asyncio.gather(*stragglers, return_exceptions=True)
