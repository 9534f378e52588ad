"""A working sign that fades on its own (Telegram's "typing…" lasts 5 s, Discord's 10 s) kept alive
while a conversation waits for an answer, and ended by whichever replica finishes the turn.

`start` marks the conversation in Redis and refreshes the sign from this replica while the mark
is there; `stop` (from any replica) removes the mark, so the refresher ends within one period
even when another replica delivered the answer. The mark expires by itself after `max_s`.

A sign on a message that must be taken away (a Slack reaction) is `adapters.kit.working`."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from core.events import ConversationRef

log = logging.getLogger(__name__)

ShowSign = Callable[[ConversationRef], Awaitable[object]]


class Keepalive:
    def __init__(
        self, redis: Redis, prefix: str, show: ShowSign, *, every_s: float, max_s: float = 600
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._show = show
        self._every = every_s
        self._max_ms = int(max_s * 1000)
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def _key(self, conversation: ConversationRef) -> str:
        return f"{self._prefix}:working:{conversation.key}"

    async def start(self, conversation: ConversationRef) -> None:
        await self._redis.set(self._key(conversation), "1", px=self._max_ms)
        current = self._tasks.get(conversation.key)
        if current is None or current.done():
            task = asyncio.get_running_loop().create_task(self._refresh(conversation))
            self._tasks[conversation.key] = task
            task.add_done_callback(functools.partial(self._forget, conversation.key))

    def _forget(self, key: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]

    async def _refresh(self, conversation: ConversationRef) -> None:
        key = self._key(conversation)
        while await self._redis.exists(key):
            try:
                await self._show(conversation)
            except Exception as exc:  # noqa: BLE001 — a missing sign is cosmetic
                log.debug("working sign failed: %s", type(exc).__name__)
            await asyncio.sleep(self._every)

    async def stop(self, conversation: ConversationRef) -> None:
        await self._redis.delete(self._key(conversation))
        task = self._tasks.pop(conversation.key, None)
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def drain(self) -> None:
        """Wait until every refresher on this replica has ended (after a `stop` from any replica)."""
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
