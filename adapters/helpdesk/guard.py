"""Loops and people, decided right before every write: the bot's own comments, a human who answered
or took the ticket since the event, the per-ticket hourly cap, and closed tickets (no public reply).
State shared by every hub replica lives in Redis."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

from adapters.helpdesk.ticket import Comment, Ticket, TicketState
from adapters.kit.batch import NxBatcher
from core import locks

CONTEXT_TTL_S = 2 * 86_400
DELIVERY_TTL_S = 3 * 86_400  # Freshdesk retries for 24 h: keep ids well past that
HOUR_S = 3_600
WRITE_LOCK_S = 120
CLOCK_SLACK_S = 2.0  # vendors stamp comments to the second; err on the side of standing down


def marker_for(event_id: str, part: str = "") -> str:
    """The reference the bot puts in its comment footer: stable for one event (and one part of the
    answer: a note and a public reply to the same event are two parts), so a retry, a redelivery
    or another replica can find the comment it already wrote."""
    key = f"{event_id}#{part}" if part else event_id
    return "sb-" + hashlib.sha256(key.encode()).hexdigest()[:12]


def has_marker(body: str) -> bool:
    return "(ref sb-" in body


@dataclass(frozen=True, slots=True)
class Asked:
    """What was known when the event came in, for the checks at write time."""

    received_at: float
    assignee: str
    comment_id: str = ""  # the comment that was the event (an agent's note asking the bot)


class HelpdeskState:
    def __init__(self, redis: Redis, prefix: str, vendor: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}:helpdesk:{vendor}"
        self._claims = NxBatcher(redis)  # concurrent webhooks share a round trip
        self.owner = uuid.uuid4().hex  # this replica's token on the write locks

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    async def first_delivery(self, delivery_id: str) -> bool:
        """True exactly once per delivery id, across replicas (two concurrent deliveries: one wins)."""
        return bool(await self.redis.set(self.key("delivery", delivery_id), "1", nx=True, ex=DELIVERY_TTL_S))

    async def claim(self, delivery_id: str, event_id: str, ticket: Ticket, received_at: float) -> bool:
        """`first_delivery` and the event's context for the write-time checks, in one round trip
        shared with the other webhooks arriving meanwhile (the context is written once too: NX, so
        a duplicate never moves `received_at`)."""
        data = json.dumps(
            {"received_at": received_at, "assignee": ticket.assignee, "comment_id": ticket.comment_id}
        )
        first, _ = await self._claims.set_nx(
            (self.key("delivery", delivery_id), "1", DELIVERY_TTL_S),
            (self.key("asked", event_id), data, CONTEXT_TTL_S),
        )
        return first

    async def asked(self, event_id: str) -> Asked | None:
        raw = await self.redis.get(self.key("asked", event_id))
        if not raw:
            return None
        data = json.loads(raw)
        return Asked(
            float(data["received_at"]), str(data.get("assignee") or ""), str(data.get("comment_id") or "")
        )

    async def human_seen(self, ref: str, at: float | None = None) -> None:
        """A human agent replied or noted on the ticket (from a webhook)."""
        await self.redis.set(self.key("human", ref), str(at or time.time()), ex=CONTEXT_TTL_S)

    async def human_since(self, ref: str, since: float) -> bool:
        value = await self.redis.get(self.key("human", ref))
        return value is not None and float(value) >= since

    async def reserve_answer(self, ref: str, cap: int) -> bool:
        """Take one of the ticket's answers for this hour (atomic across replicas and turns)."""
        key = self.key("answers", ref)
        count = int(await self.redis.incr(key))
        if count == 1:
            await self.redis.expire(key, HOUR_S)
        if count > cap:
            await self.redis.decr(key)
            return False
        return True

    async def release_answer(self, ref: str) -> None:
        """Give the reservation back: nothing was written."""
        await self.redis.decr(self.key("answers", ref))

    async def lock_write(self, marker: str) -> bool:
        return await locks.acquire(self.redis, self.key("writing", marker), self.owner, WRITE_LOCK_S)

    async def unlock_write(self, marker: str) -> None:
        await locks.release(self.redis, self.key("writing", marker), self.owner)


def already_written(state: TicketState, marker: str) -> Comment | None:
    return next((c for c in state.comments if marker in c.body), None)


def stand_down_reason(state: TicketState, asked: Asked, bot_id: str) -> str | None:
    """Why the bot must not write now, or None. Checked on the state read right before the write."""
    for comment in state.comments:
        if asked.comment_id and comment.id == asked.comment_id:
            continue  # the agent's own request to the bot
        human = not comment.by_customer and comment.author_id != bot_id and not has_marker(comment.body)
        if human and comment.created_at >= asked.received_at - CLOCK_SLACK_S:
            return "a human agent answered since the event"
    if state.assignee and state.assignee != bot_id and state.assignee != asked.assignee:
        return "a human agent took the ticket since the event"
    return None
