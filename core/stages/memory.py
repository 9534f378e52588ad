"""Conversation memory: the last N messages per conversation in Redis, masked, with a TTL.

The stage reads the history on the way in; what the turn adds (the asker's message, the answers
delivered) is written by the one way out (`core.outbound`) when the turn ends."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from core.botdef import BotDefinition
from core.events import ConversationRef
from core.pipeline import Next, Turn
from core.skills import SkillResult
from core.state import Keys


class ConversationMemory:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def recall(self, bot: BotDefinition, conversation: ConversationRef) -> list[dict[str, str]]:
        """The conversation's remembered (masked) messages, oldest first."""
        if bot.memory.turns == 0:
            return []
        return self.decode(await self.queue_recall(self._redis, bot, conversation))

    def queue_recall(self, client: Any, bot: BotDefinition, conversation: ConversationRef) -> Any:
        """LRANGE of the last N entries on `client` (a Redis client or a pipeline)."""
        return client.lrange(self._keys.memory(bot.name, conversation.key), -bot.memory.turns, -1)

    @staticmethod
    def decode(rows: list[str]) -> list[dict[str, str]]:
        return [json.loads(row) for row in rows]

    async def remember(
        self, bot: BotDefinition, conversation: ConversationRef, *entries: tuple[str, str]
    ) -> None:
        """Append (role, masked text) pairs; keep the newest N; refresh the TTL."""
        if bot.memory.turns == 0 or not entries:
            return
        key = self._keys.memory(bot.name, conversation.key)
        limit = bot.memory.max_chars
        pipe = self._redis.pipeline(transaction=False)  # one round trip; MULTI/EXEC buys nothing here
        for role, text in entries:
            pipe.rpush(key, json.dumps({"role": role, "text": text[:limit]}))
        pipe.ltrim(key, -bot.memory.turns, -1)
        pipe.expire(key, bot.memory.ttl_seconds)
        await pipe.execute()


class MemoryStage:
    name = "memory"

    def __init__(self, memory: ConversationMemory) -> None:
        self._memory = memory

    def prefetch(self, turn: Turn, batch: Any) -> int:
        if turn.bot.memory.turns == 0:
            return 0
        self._memory.queue_recall(batch, turn.bot, turn.event.conversation)
        return 1

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        rows = turn.prefetched[self.name]  # empty when the bot keeps no memory
        turn.history = self._memory.decode(rows[0]) if rows else []
        # Written when the turn ends, with its answer, in one round trip (`core.outbound`).
        turn.remember.append(("user", turn.event.text))
        return await call_next(turn)
