"""Mention memory: a reply may mention only whom the asker mentioned in that conversation (the
model must never notify anyone else). Shared by every replica; each adapter applies it natively."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from redis.asyncio import Redis

from core.events import ConversationRef

MENTIONS_TTL_S = 86_400


class MentionMemory:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, conversation: ConversationRef) -> str:
        return f"{self._prefix}:mentions:{conversation.key}"

    async def remember(self, conversation: ConversationRef, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            key = self._key(conversation)
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.sadd(key, *names)
                pipe.expire(key, MENTIONS_TTL_S)
                await pipe.execute()

    async def allowed(self, conversation: ConversationRef) -> set[str]:
        return set(cast("set[str]", await self._redis.smembers(self._key(conversation))))
