"""Turns waiting for the model, kept in Redis so that any hub replica can finish them.

A pending turn holds its reply address, the PII state, the masked job payload (for re-runs)
and, once it arrives, the result. Each conversation numbers its model turns; answers go out
in that order (`done` is the last number delivered).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, cast

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from core import locks
from core.events import Audience, ConversationRef, CopyTo, SentRef, TicketUpdate, Visibility
from core.model.contract import ModelKeys

CONVERSATION_TTL_S = 86_400

# Number a conversation's model turns atomically: INCR and remember seq -> job id.
_REGISTER = """
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], seq, ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], 'seq', seq)
return seq
"""

# Advance `done` from ARGV[1] to ARGV[2] only if nobody else moved it.
_ADVANCE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


@dataclass(slots=True)
class PendingTurn:
    job_id: str
    model: str
    event_id: str
    conversation: ConversationRef
    quote_id: str | None = None
    recipient_id: str | None = None
    audience: Audience = Audience.GROUP
    visibility: Visibility = Visibility.PUBLIC
    pii: Any = None
    seq: int = 0
    attempt: int = 1
    stream: bool = False
    payload: dict[str, Any] = field(default_factory=dict, repr=False)
    footer: str = field(default="", repr=False)  # masked text under the final answer (sources)
    ticket: TicketUpdate | None = None  # goes with the final answer to a helpdesk
    copies: tuple[CopyTo, ...] = ()  # other conversations that get the final answer too
    sent: SentRef | None = None
    result_kind: str = ""
    result_text: str = field(default="", repr=False)
    reason: str = ""
    result_at: float = 0.0
    send_failures: int = 0  # failed tries at sending the answer
    retry_at: float = 0.0  # epoch seconds: the next try, after a failed one
    failing_since: float = 0.0  # epoch seconds of the first failed try (0: none)
    created: float = field(default_factory=time.time)
    stream_owner: str = ""  # the replica that shows this streamed answer now ("": none)

    @property
    def rq_id(self) -> str:
        """The RQ job id of the current attempt (a re-run gets its own)."""
        return self.job_id if self.attempt == 1 else f"{self.job_id}-{self.attempt}"

    def to_hash(self) -> dict[str, str]:
        return {
            "job_id": self.job_id,
            "model": self.model,
            "event_id": self.event_id,
            "conversation": json.dumps(self.conversation.to_dict()),
            "quote_id": self.quote_id or "",
            "recipient_id": self.recipient_id or "",
            "audience": self.audience.value,
            "visibility": self.visibility.value,
            "pii": json.dumps(self.pii),
            "attempt": str(self.attempt),
            "stream": "1" if self.stream else "0",
            "payload": json.dumps(self.payload),
            "footer": self.footer,
            "ticket": json.dumps(self.ticket.to_dict()) if self.ticket else "",
            "copies": json.dumps([copy.to_dict() for copy in self.copies]),
            "created": repr(self.created),
        }

    @classmethod
    def from_hash(cls, data: dict[str, str]) -> PendingTurn:
        sent = None
        if data.get("sent_id"):
            more = tuple(i for i in (data.get("sent_more") or "").split(",") if i)
            sent = SentRef(data.get("sent_platform", ""), data["sent_id"], data.get("sent_channel", ""), more)
        return cls(
            job_id=data["job_id"],
            model=data.get("model", ""),
            event_id=data.get("event_id", ""),
            conversation=ConversationRef.from_dict(json.loads(data["conversation"])),
            quote_id=data.get("quote_id") or None,
            recipient_id=data.get("recipient_id") or None,
            audience=Audience(data.get("audience") or Audience.GROUP),
            visibility=Visibility(data.get("visibility") or Visibility.PUBLIC),
            pii=json.loads(data.get("pii") or "null"),
            seq=int(data.get("seq") or 0),
            attempt=int(data.get("attempt") or 1),
            stream=data.get("stream") == "1",
            payload=json.loads(data.get("payload") or "{}"),
            footer=data.get("footer", ""),
            ticket=TicketUpdate.from_dict(json.loads(data["ticket"])) if data.get("ticket") else None,
            copies=tuple(CopyTo.from_dict(c) for c in json.loads(data.get("copies") or "[]")),
            sent=sent,
            result_kind=data.get("result_kind", ""),
            result_text=data.get("result_text", ""),
            reason=data.get("reason", ""),
            result_at=float(data.get("result_at") or 0.0),
            send_failures=int(data.get("send_failures") or 0),
            retry_at=float(data.get("retry_at") or 0.0),
            failing_since=float(data.get("failing_since") or 0.0),
            created=float(data.get("created") or 0.0),
        )


class PendingStore:
    def __init__(self, redis: Redis, keys: ModelKeys) -> None:
        self._redis = redis
        self.keys = keys
        self._register = redis.register_script(_REGISTER)
        self._advance = redis.register_script(_ADVANCE)

    async def create(self, turn: PendingTurn, deadline: float, ttl_s: int) -> int:
        """Store the turn, number it within its conversation; returns that number."""
        key = self.keys.pending(turn.job_id)
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(key, mapping=cast("dict[FieldT, EncodableT]", turn.to_hash()))
        pipe.expire(key, ttl_s)
        pipe.zadd(self.keys.inflight, {turn.job_id: deadline})
        await pipe.execute()
        conversation = turn.conversation.key
        keys = [self.keys.conversation_seq(conversation), self.keys.conversation_jobs(conversation), key]
        turn.seq = int(await self._register(keys=keys, args=[turn.job_id, CONVERSATION_TTL_S]))
        return turn.seq

    async def load(self, job_id: str) -> PendingTurn | None:
        """The turn and who shows its stream, in one round trip."""
        pipe = self._redis.pipeline(transaction=False)
        pipe.hgetall(self.keys.pending(job_id))
        pipe.get(self.keys.stream(job_id))
        data, owner = cast("list[Any]", await pipe.execute())
        if not data or "conversation" not in data:
            return None
        turn = PendingTurn.from_hash(data)
        turn.stream_owner = owner or ""
        return turn

    async def hold_stream(self, job_id: str, owner: str, ttl_ms: int) -> bool:
        """Become (or stay) the one replica that shows this answer's stream, for `ttl_ms`; False
        while another replica holds it. A replica that dies lets it lapse: another takes over."""
        key, ttl_s = self.keys.stream(job_id), ttl_ms / 1000
        return await locks.refresh(self._redis, key, owner, ttl_s) or await locks.acquire(
            self._redis, key, owner, ttl_s
        )

    async def send_failed(self, job_id: str, failures: int, retry_at: float, since: float) -> None:
        """The answer's send failed `failures` times, the first at `since`; the next try is due
        at `retry_at`."""
        mapping: dict[FieldT, EncodableT] = {
            "send_failures": failures,
            "retry_at": retry_at,
            "failing_since": since,
        }
        await self._redis.hset(self.keys.pending(job_id), mapping=mapping)

    async def set_result(self, job_id: str, kind: str, text: str = "", reason: str = "") -> bool:
        """Record the outcome once; False when the turn is gone or already has one."""
        key = self.keys.pending(job_id)
        if not await self._redis.exists(key):
            return False
        fresh = await self._redis.hsetnx(key, "result_kind", kind)
        if fresh:
            await self._redis.hset(
                key, mapping={"result_text": text, "reason": reason, "result_at": time.time()}
            )
        return bool(fresh)

    async def set_sent(self, job_id: str, sent: SentRef) -> None:
        mapping: dict[FieldT, EncodableT] = {
            "sent_id": sent.message_id,
            "sent_channel": sent.channel_id,
            "sent_platform": sent.platform,
            "sent_more": ",".join(sent.more_ids),
        }
        await self._redis.hset(self.keys.pending(job_id), mapping=mapping)

    async def set_attempt(self, job_id: str, attempt: int, deadline: float) -> None:
        await self._redis.hset(self.keys.pending(job_id), "attempt", attempt)
        await self._redis.zadd(self.keys.inflight, {job_id: deadline})

    async def head(self, conversation: ConversationRef) -> tuple[int, str | None]:
        """(number of the next turn to deliver, its job id or None)."""
        done = int(await self._redis.get(self.keys.conversation_done(conversation.key)) or 0)
        job_id = cast(
            "str | None", await self._redis.hget(self.keys.conversation_jobs(conversation.key), str(done + 1))
        )
        return done + 1, job_id

    async def advance(self, conversation: ConversationRef, seq: int) -> bool:
        """Mark turn `seq` delivered (or skipped) if `seq - 1` was the last one."""
        key = self.keys.conversation_done(conversation.key)
        return bool(await self._advance(keys=[key], args=[seq - 1, seq, CONVERSATION_TTL_S]))

    async def finish(self, turn: PendingTurn) -> None:
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(self.keys.pending(turn.job_id), self.keys.stream(turn.job_id))
        pipe.zrem(self.keys.inflight, turn.job_id)
        pipe.hdel(self.keys.conversation_jobs(turn.conversation.key), str(turn.seq))
        await pipe.execute()

    async def claim(self, job_id: str, owner: str, ttl_s: float = 15.0) -> bool:
        return await locks.acquire(self._redis, self.keys.claim(job_id), owner, ttl_s)

    async def release(self, job_id: str, owner: str) -> None:
        await locks.release(self._redis, self.keys.claim(job_id), owner)

    async def inflight(self) -> list[tuple[str, float]]:
        rows = cast(
            "list[tuple[str, float]]", await self._redis.zrange(self.keys.inflight, 0, -1, withscores=True)
        )
        return [(str(job), float(deadline)) for job, deadline in rows]
