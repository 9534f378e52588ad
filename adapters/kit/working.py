"""The "working on it" sign on the asking message — a Slack reaction — shown when an answer
takes longer than `delay`, and taken away by whichever hub replica sends the final reply for
that message (answer, apology or timeout notice).

Its state lives in Redis, one key per asking message: "adding" (a replica is showing it),
"added", or "done" (the final reply went out). So an answer delivered by another replica, or one
that arrives while the sign is being shown, still takes it away — exactly once. The platform
part is two callbacks: `show(conversation, message_id) -> bool` and `hide(...)`.

A sign that fades by itself and has nothing to take away (Telegram's chat action, Discord
typing) is `adapters.kit.keepalive` instead: renewed per conversation until any replica stops it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from core.events import ConversationRef, Event
from core.tasks import TaskGroup
from core.turns import TurnHandle

log = logging.getLogger(__name__)

Show = Callable[[ConversationRef, str], Awaitable[bool]]  # True: the sign is on
Hide = Callable[[ConversationRef, str], Awaitable[None]]
STATE_TTL_S = 3_600
_CONFIRM = (
    "if redis.call('GET', KEYS[1]) == 'adding' then "
    "redis.call('SET', KEYS[1], 'added', 'KEEPTTL') return 1 end return 0"
)


class WorkingSign:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        show: Show,
        hide: Hide,
        delay: float,
        platform: str = "",
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._show = show
        self._hide = hide
        self._delay = delay
        self._platform = platform
        self._running: set[str] = set()  # asking message ids of turns running on this replica
        self._waiting: dict[str, asyncio.Task[None]] = {}  # message id -> show, still in its delay
        self._signs = TaskGroup(f"working sign {platform}".strip())

    def _key(self, conversation: ConversationRef, message_id: str) -> str:
        team = conversation.workspace_id or "-"
        return f"{self._prefix}:working:{team}:{conversation.channel_id}:{message_id}"

    def asked(self, event: Event, turn: TurnHandle | None) -> None:
        """`event` was handed to the hub; `turn` is the handle the hub returned."""
        message_id = event.message_id
        if message_id and turn is not None:
            self._running.add(message_id)
            turn.add_done_callback(lambda _turn: self._running.discard(message_id))

    def running(self, message_id: str | None) -> bool:
        """A turn for `message_id` still runs here (its notices are not the final reply)."""
        return message_id in self._running

    def on(self, conversation: ConversationRef, message_id: str | None) -> None:
        """Show the sign after `delay`, unless the final reply comes first. Returns at once."""
        if message_id is None or message_id not in self._running or message_id in self._waiting:
            return
        self._waiting[message_id] = self._signs.spawn(self._show_later(conversation, message_id))

    async def _show_later(self, conversation: ConversationRef, message_id: str) -> None:
        await asyncio.sleep(self._delay)
        self._waiting.pop(message_id, None)  # from here on `off` no longer cancels: Redis decides
        key = self._key(conversation, message_id)
        try:
            if not await self._redis.set(key, "adding", nx=True, ex=STATE_TTL_S):
                return  # the final reply is already out (perhaps from another replica)
            if not await self._show(conversation, message_id):
                return
            if not await self._redis.eval(_CONFIRM, 1, key):
                await self._hide(conversation, message_id)  # the answer came while we were adding
        except Exception as exc:  # noqa: BLE001 — a background nicety must not raise
            log.warning("working sign failed: %s", type(exc).__name__, extra={"platform": self._platform})

    async def off(self, conversation: ConversationRef, message_id: str | None) -> None:
        """The final reply for `message_id` went out (on this replica or any other)."""
        if not message_id:
            return
        waiting = self._waiting.pop(message_id, None)
        if waiting is not None:
            waiting.cancel()  # still in its delay, and only this replica shows it: nothing to undo
            return
        previous = await self._redis.set(
            self._key(conversation, message_id), "done", ex=STATE_TTL_S, get=True
        )
        if previous == "added":
            await self._hide(conversation, message_id)

    async def drain(self) -> None:
        """Wait until every sign this replica is showing or about to show has settled."""
        await self._signs.drain()

    async def stop(self) -> None:
        await self._signs.stop(grace_s=0)
