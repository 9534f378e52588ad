"""What the helpdesk skills remember per ticket, in Redis so every hub replica agrees: whether
it was handed to a person, how many answers the bot gave since an agent last replied, the draft
waiting for the agent's reply, the customer's last (masked) message, and which tickets wait.

Texts kept here are masked (placeholders only), like conversation memory."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from core.events import ConversationRef
from core.metrics import Metrics
from core.services import ServiceKey

TICKET_TTL_S = 30 * 86_400
OUTCOMES = ("written", "sent_as_is", "edited", "discarded", "auto_reply")


@dataclass(frozen=True, slots=True)
class PendingDraft:
    event_id: str
    at: float
    category: str


def ticket_name(conversation: ConversationRef) -> str:
    """`zendesk:35436`: how status names a ticket (no text of it)."""
    return f"{conversation.platform}:{conversation.channel_id}"


class HelpdeskStore:
    def __init__(self, redis: Redis, metrics: Metrics, *, prefix: str, bot: str) -> None:
        self.redis = redis
        self.metrics = metrics
        self.prefix = f"{prefix}:{bot}:helpdesk"

    def _key(self, what: str, conversation: ConversationRef | None = None) -> str:
        return f"{self.prefix}:{what}" + (f":{conversation.key}" if conversation else "")

    # -- handoff ------------------------------------------------------------------------------
    async def handed_off(self, conversation: ConversationRef) -> str | None:
        value = await self.redis.get(self._key("handoff", conversation))
        return str(value) if value else None

    async def hand_off(self, conversation: ConversationRef, reason: str) -> bool:
        """Mark the ticket handed over; False when it already was (another replica, a retry)."""
        first = await self.redis.set(self._key("handoff", conversation), reason, nx=True, ex=TICKET_TTL_S)
        if first:
            self.metrics.helpdesk_handoffs.labels(reason).inc()
            await self.redis.hincrby(self._key("counts"), "handoffs", 1)
        return bool(first)

    # -- turns without progress -----------------------------------------------------------------
    async def bot_turns(self, conversation: ConversationRef) -> int:
        return int(await self.redis.get(self._key("turns", conversation)) or 0)

    async def bot_answered(self, conversation: ConversationRef) -> None:
        key = self._key("turns", conversation)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.incr(key)
            pipe.expire(key, TICKET_TTL_S)
            await pipe.execute()

    # -- the customer's words (masked), for a draft an agent asks for later -------------------
    async def remember_customer(self, conversation: ConversationRef, masked: str) -> None:
        await self.redis.set(self._key("customer", conversation), masked[:4000], ex=TICKET_TTL_S)

    async def customer_text(self, conversation: ConversationRef) -> str:
        return str(await self.redis.get(self._key("customer", conversation)) or "")

    # -- drafts -------------------------------------------------------------------------------
    async def draft_written(self, conversation: ConversationRef, event_id: str, category: str) -> None:
        data = json.dumps({"event_id": event_id, "at": time.time(), "category": category})
        await self.redis.set(self._key("draft", conversation), data, ex=TICKET_TTL_S)
        await self.count("written")

    async def take_draft(self, conversation: ConversationRef) -> PendingDraft | None:
        """The draft waiting for the agent's reply, once (GETDEL: one replica judges it)."""
        raw = await self.redis.getdel(self._key("draft", conversation))
        if not raw:
            return None
        data = json.loads(raw)
        return PendingDraft(str(data["event_id"]), float(data["at"]), str(data.get("category", "")))

    async def count(self, outcome: str) -> None:
        if outcome != "auto_reply":
            self.metrics.helpdesk_drafts.labels(outcome).inc()
        else:
            self.metrics.helpdesk_auto_replies.inc()
        await self.redis.hincrby(self._key("counts"), outcome, 1)

    # -- progress: an agent replied in public ---------------------------------------------------
    async def agent_replied(self, conversation: ConversationRef) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.delete(self._key("turns", conversation))
            pipe.zrem(self._key("waiting"), ticket_name(conversation))
            pipe.hdel(self._key("waiting-sla"), ticket_name(conversation))
            await pipe.execute()

    # -- who waits ----------------------------------------------------------------------------
    async def customer_waits(self, conversation: ConversationRef, sla_due_s: float | None) -> None:
        """The customer wrote and nobody has answered in public yet (the first such moment counts)."""
        name = ticket_name(conversation)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(self._key("waiting"), {name: time.time()}, nx=True)
            if sla_due_s is not None:
                pipe.hset(self._key("waiting-sla"), name, f"{time.time() + sla_due_s:.0f}")
            await pipe.execute()

    async def answered_in_public(self, conversation: ConversationRef) -> None:
        await self.redis.zrem(self._key("waiting"), ticket_name(conversation))

    async def status(self) -> dict[str, Any]:
        """For `/status`: draft outcomes, handoffs, and the ticket waiting longest."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(self._key("counts"))
            pipe.zrange(self._key("waiting"), 0, 0, withscores=True)
            pipe.zcard(self._key("waiting"))
            counts, oldest, waiting = await pipe.execute()
        drafts = {name: int(counts.get(name, 0)) for name in OUTCOMES}
        data: dict[str, Any] = {"drafts": drafts, "handoffs": int(counts.get("handoffs", 0))}
        data["waiting_tickets"] = int(waiting)
        if oldest:
            name, since = oldest[0]
            entry: dict[str, Any] = {"ticket": str(name), "waiting_s": int(time.time() - float(since))}
            due = await self.redis.hget(self._key("waiting-sla"), name)
            if due:
                entry["sla_due_in_s"] = int(float(due) - time.time())
            data["oldest_waiting"] = entry
        return data


HELPDESK_STORE: ServiceKey[HelpdeskStore] = ServiceKey("helpdesk_skills")
