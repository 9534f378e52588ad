"""What an adapter remembers about conversations, in Redis so every replica agrees.

- Thread memory: "follow-ups in threads the bot spoke in" — a thread is the bot's for a week
  after its last reply there, and follow-ups in it are answered without a mention.
- Mention memory: a reply may mention only whom the asker mentioned (model output is untrusted:
  an invented mention must not notify anyone). Each adapter applies the allowed set natively
  (Slack keeps those `<@U…>` live, Discord puts them in `allowed_mentions`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from redis.asyncio import Redis

from core.events import ConversationRef

THREAD_TTL_S = 7 * 86_400
MENTIONS_TTL_S = 86_400


class ThreadMemory:
    def __init__(self, redis: Redis, prefix: str, ttl_s: int = THREAD_TTL_S) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:thread"
        self._ttl = ttl_s

    def _key(self, workspace: str | None, channel: str, thread: str) -> str:
        return f"{self._prefix}:{workspace or '-'}:{channel}:{thread}"

    async def mark(self, workspace: str | None, channel: str, thread: str) -> None:
        """The bot spoke in this thread (refreshes the week)."""
        await self._redis.set(self._key(workspace, channel, thread), "1", ex=self._ttl)

    async def spoke_in(self, workspace: str | None, channel: str, thread: str) -> bool:
        return bool(await self._redis.exists(self._key(workspace, channel, thread)))


class MentionMemory:
    def __init__(self, redis: Redis, prefix: str, ttl_s: int = MENTIONS_TTL_S) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:mentions"
        self._ttl = ttl_s

    async def remember(self, conversation: ConversationRef, users: Iterable[str]) -> None:
        users = list(users)
        if users:
            key = f"{self._prefix}:{conversation.key}"
            pipe = self._redis.pipeline(transaction=False)
            pipe.sadd(key, *users)
            pipe.expire(key, self._ttl)
            await pipe.execute()

    async def allowed(self, conversation: ConversationRef) -> set[str]:
        return set(cast("set[str]", await self._redis.smembers(f"{self._prefix}:{conversation.key}")))
