"""Per-conversation switches admins flip at run time: mute, and disabled skills."""

from __future__ import annotations

from redis.asyncio import Redis

from core.events import ConversationRef
from core.state import Keys


class ConversationControls:
    def __init__(self, redis: Redis, keys: Keys, bot: str) -> None:
        self._redis = redis
        self._keys = keys
        self._bot = bot

    async def is_muted(self, conversation: ConversationRef) -> bool:
        return bool(await self._redis.sismember(self._keys.muted(self._bot), conversation.key))

    async def set_muted(self, conversation: ConversationRef, muted: bool) -> None:
        key = self._keys.muted(self._bot)
        if muted:
            await self._redis.sadd(key, conversation.key)
        else:
            await self._redis.srem(key, conversation.key)

    async def disabled_skills(self, conversation: ConversationRef) -> set[str]:
        key = self._keys.disabled_skills(self._bot, conversation.key)
        return {str(m) for m in await self._redis.smembers(key)}

    async def set_skill_enabled(self, conversation: ConversationRef, skill: str, enabled: bool) -> None:
        key = self._keys.disabled_skills(self._bot, conversation.key)
        if enabled:
            await self._redis.srem(key, skill)
        else:
            await self._redis.sadd(key, skill)
