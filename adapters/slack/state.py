"""What the Slack adapter keeps in Redis, shared by every hub replica (key names in one place)."""

from __future__ import annotations

from collections.abc import Iterable

from redis.asyncio import Redis

from adapters.kit.memory import MentionMemory, ThreadMemory
from core.events import ConversationRef

OAUTH_STATE_TTL_S = 600


class SlackState:
    def __init__(self, redis: Redis, prefix: str = "sb") -> None:
        self.redis = redis
        self.prefix = f"{prefix}:slack"
        self.threads = ThreadMemory(redis, self.prefix)
        self.mentions = MentionMemory(redis, self.prefix)

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # -- threads the bot is part of, and the mentions an asker used (adapters.kit.memory) --
    async def mark_thread(self, team: str | None, channel: str, thread_ts: str) -> None:
        await self.threads.mark(team, channel, thread_ts)

    async def in_thread(self, team: str | None, channel: str, thread_ts: str) -> bool:
        return await self.threads.spoke_in(team, channel, thread_ts)

    async def remember_mentions(self, conversation: ConversationRef, users: Iterable[str]) -> None:
        await self.mentions.remember(conversation, users)

    async def allowed_mentions(self, conversation: ConversationRef) -> set[str]:
        return await self.mentions.allowed(conversation)

    # -- OAuth state parameter --------------------------------------------------------------
    async def put_oauth_state(self, state: str) -> None:
        await self.redis.set(self.key("oauth-state", state), "1", ex=OAUTH_STATE_TTL_S)

    async def take_oauth_state(self, state: str) -> bool:
        return await self.redis.getdel(self.key("oauth-state", state)) is not None
