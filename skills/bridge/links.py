"""The ticket ↔ thread link in Redis, both ways, shared by every hub replica (so a restarted
replica, or another one, carries on in the same thread). Values hold ids only, never text."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from redis.asyncio import Redis

from core import locks
from core.events import ConversationRef

CLAIM_TTL_S = 120


@dataclass(frozen=True, slots=True)
class Thread:
    """Where a ticket is mirrored: a chat channel and the parent message's id (its thread)."""

    platform: str
    channel: str
    thread: str
    team: str | None = None
    closed: bool = False

    def conversation(self) -> ConversationRef:
        return ConversationRef(self.platform, self.channel, thread_id=self.thread, workspace_id=self.team)


class Links:
    def __init__(self, redis: Redis, prefix: str, bot: str, *, keep_days: int = 90) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:bridge:{bot}"
        self.ttl = keep_days * 86_400
        self.owner = uuid.uuid4().hex  # this replica's token on the parent-message claims

    # keys: a ticket by its conversation key; a thread by channel and parent id (Slack ids are
    # unique across workspaces, and an event's team may be unknown to the bot's own posts)
    def ticket_key(self, ticket: ConversationRef) -> str:
        return f"{self.prefix}:ticket:{ticket.key}"

    def thread_key(self, platform: str, channel: str, thread: str) -> str:
        return f"{self.prefix}:thread:{platform}:{channel}:{thread}"

    def queue_thread_of(self, batch: Any, ticket: ConversationRef) -> None:
        batch.get(self.ticket_key(ticket))

    def queue_ticket_of(self, batch: Any, chat: ConversationRef) -> None:
        batch.get(self.thread_key(chat.platform, chat.channel_id, chat.thread_id or ""))

    @staticmethod
    def thread_from(raw: Any) -> Thread | None:
        return Thread(**json.loads(raw)) if raw else None

    @staticmethod
    def ticket_from(raw: Any) -> ConversationRef | None:
        return ConversationRef.from_dict(json.loads(raw)) if raw else None

    async def claim(self, ticket: ConversationRef) -> bool:
        """One replica posts a ticket's parent message (two events at once: one wins)."""
        return await locks.acquire(self.redis, self.ticket_key(ticket) + ":claim", self.owner, CLAIM_TTL_S)

    async def release(self, ticket: ConversationRef) -> None:
        """The parent message could not be posted: the next event may try again."""
        await locks.release(self.redis, self.ticket_key(ticket) + ":claim", self.owner)

    async def link(self, ticket: ConversationRef, thread: Thread) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.ticket_key(ticket), json.dumps(asdict(thread)), ex=self.ttl)
            pipe.set(
                self.thread_key(thread.platform, thread.channel, thread.thread),
                json.dumps(ticket.to_dict()),
                ex=self.ttl,
            )
            await pipe.execute()
