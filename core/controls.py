"""Per-conversation switches admins flip at run time: mute, and disabled skills."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from core.events import ConversationRef
from core.state import Keys


class ConversationControls:
    def __init__(self, redis: Redis, keys: Keys, bot: str) -> None:
        self._redis = redis
        self._keys = keys
        self._bot = bot

    async def is_muted(self, conversation: ConversationRef) -> bool:
        return bool(await self.queue_is_muted(self._redis, conversation))

    def queue_is_muted(self, client: Any, conversation: ConversationRef) -> Any:
        """SISMEMBER on `client` (a Redis client, or a pipeline to run it in a batch)."""
        return client.sismember(self._keys.muted(self._bot), conversation.key)

    async def set_muted(self, conversation: ConversationRef, muted: bool) -> None:
        key = self._keys.muted(self._bot)
        if muted:
            await self._redis.sadd(key, conversation.key)
        else:
            await self._redis.srem(key, conversation.key)

    async def muted_conversations(self) -> list[str]:
        """The keys of every muted conversation of this bot, sorted."""
        return sorted(str(m) for m in await self._redis.smembers(self._keys.muted(self._bot)))

    async def disabled_skills(self, conversation: ConversationRef) -> set[str]:
        return {str(m) for m in await self.queue_disabled_skills(self._redis, conversation)}

    def queue_disabled_skills(self, client: Any, conversation: ConversationRef) -> Any:
        return client.smembers(self._keys.disabled_skills(self._bot, conversation.key))

    async def set_skill_enabled(self, conversation: ConversationRef, skill: str, enabled: bool) -> None:
        key = self._keys.disabled_skills(self._bot, conversation.key)
        if enabled:
            await self._redis.srem(key, skill)
        else:
            await self._redis.sadd(key, skill)
