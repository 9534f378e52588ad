"""What the Slack adapter keeps in Redis, shared by every hub replica (key names in one place)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from redis.asyncio import Redis

from core.events import ConversationRef
from core.lru import LruDict

THREAD_TTL_S = 7 * 86_400  # a thread the bot spoke in stays "its" thread for a week
MENTIONS_TTL_S = 86_400
WORKING_TTL_S = 3_600
OAUTH_STATE_TTL_S = 600
_CONFIRM = (
    "if redis.call('GET', KEYS[1]) == 'adding' then "
    "redis.call('SET', KEYS[1], 'added', 'KEEPTTL') return 1 end return 0"
)


class SlackState:
    def __init__(self, redis: Redis, prefix: str = "sb") -> None:
        self.redis = redis
        self.prefix = f"{prefix}:slack"

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- threads the bot is part of ------------------------------------------------------
    async def mark_thread(self, team: str | None, channel: str, thread_ts: str) -> None:
        await self.redis.set(self.key("thread", team or "-", channel, thread_ts), "1", ex=THREAD_TTL_S)

    async def in_thread(self, team: str | None, channel: str, thread_ts: str) -> bool:
        return bool(await self.redis.exists(self.key("thread", team or "-", channel, thread_ts)))

    # -- mentions the asker used (the only ones a reply may keep live) -------------------
    async def remember_mentions(self, conversation: ConversationRef, users: Iterable[str]) -> None:
        users = list(users)
        if users:
            key = self.key("mentions", conversation.key)
            await self.redis.sadd(key, *users)
            await self.redis.expire(key, MENTIONS_TTL_S)

    async def allowed_mentions(self, conversation: ConversationRef) -> set[str]:
        return set(cast("set[str]", await self.redis.smembers(self.key("mentions", conversation.key))))

    # -- the "working" reaction, so any replica can take it away ---------------------------
    # One key per asking message: "adding" (a replica is adding the reaction), "added", or
    # "done" (the final reply went out). Whoever sees the reaction exists removes it, once.
    async def claim_working(self, team: str | None, channel: str, ts: str) -> bool:
        """True if the reaction may be added (no final reply for that message yet)."""
        key = self.key("working", team or "-", channel, ts)
        return bool(await self.redis.set(key, "adding", nx=True, ex=WORKING_TTL_S))

    async def confirm_working(self, team: str | None, channel: str, ts: str) -> bool:
        """After adding: False when the final reply came meanwhile (the adder removes it)."""
        key = self.key("working", team or "-", channel, ts)
        return bool(await self.redis.eval(_CONFIRM, 1, key))

    async def finish_working(self, team: str | None, channel: str, ts: str) -> bool:
        """Mark the message answered; True once, for the caller that should remove the reaction."""
        key = self.key("working", team or "-", channel, ts)
        return await self.redis.set(key, "done", ex=WORKING_TTL_S, get=True) == "added"

    # -- OAuth state parameter --------------------------------------------------------------
    async def put_oauth_state(self, state: str) -> None:
        await self.redis.set(self.key("oauth-state", state), "1", ex=OAUTH_STATE_TTL_S)

    async def take_oauth_state(self, state: str) -> bool:
        return await self.redis.getdel(self.key("oauth-state", state)) is not None


class RecentIds:
    """The last `size` event ids this replica handed off: retries never even schedule a turn.
    (The core's dedup stage is the guarantee across replicas; this is the cheap first line.)"""

    def __init__(self, size: int = 20_000) -> None:
        self._seen: LruDict[str, None] = LruDict(size)

    def first_time(self, event_id: str) -> bool:
        return self._seen.add(event_id, None)
