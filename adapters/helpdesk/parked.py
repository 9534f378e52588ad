"""Writes parked by a long rate limit: a 429 whose Retry-After is longer than a turn may wait is
neither waited out (it would hold the turn) nor dropped. The reply is kept in Redis, its text
sealed (`core.sealing`, its own key derived from the PII vault key: an internal note may hold restored data),
due at the time the vendor named; a sweeper on every replica writes it then, through the same
path it would have taken at once: the bot's answers through the guarded write (ticket read
again, stand-down, cap), a person's comment relayed by a bridge (`Reply.relay`, kept with who
wrote it) through the relay write; both with the footer marker that makes a repeat find the
first write.

Exactly once across replicas and restarts: a due write is claimed by moving its due time forward
by a lease (one Lua step); it is removed once written or given up. A replica that dies holding
it leaves the lease to run out, and the next sweep takes it again (the marker finds a write that
had landed)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis

from core.events import Audience, ConversationRef, Relay, Reply, TicketUpdate, Visibility
from core.pii import vaultkey
from core.sealing import Sealer, SealError, decode_key
from core.secrets import Secret

log = logging.getLogger(__name__)

Clock = Callable[[], float]
KeySource = Callable[[], Secret]  # the PII vault key, read when the first write is parked
LEASE_S = 120.0
PARKED_TTL_S = 2 * 86_400  # the event's context lives as long: a later write would stand down
MAX_TRIES = 5

# Claim one due write: move its score to now + lease only if it is still due (atomic).
_CLAIM = """
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
"""


PURPOSE = "switchboard helpdesk parked writes"


def sealer_for(key: Secret) -> Sealer:
    return Sealer(decode_key(key.reveal(), name=vaultkey.ENV_NAME, source="vault key"), PURPOSE)


def _encode(reply: Reply, sealer: Sealer, aad: str, tries: int) -> str:
    conversation = reply.conversation
    return json.dumps(
        {
            "conversation": [
                conversation.platform,
                conversation.channel_id,
                conversation.thread_id,
                conversation.workspace_id,
            ],
            "text": sealer.seal(reply.text.encode(), aad.encode()),
            "in_reply_to": reply.in_reply_to,
            "visibility": reply.visibility.value,
            "ticket": reply.ticket.to_dict() if reply.ticket else None,
            "relay": [reply.relay.author_id, reply.relay.via] if reply.relay else None,
            "tries": tries,
        }
    )


def _decode(raw: str, sealer: Sealer, aad: str) -> tuple[Reply, int] | None:
    data: dict[str, Any] = json.loads(raw)
    try:
        text = sealer.open(str(data["text"]), aad.encode()).decode()
    except SealError:
        return None
    platform, channel, thread, workspace = data["conversation"]
    relay = data.get("relay")
    reply = Reply(
        text=text,
        conversation=ConversationRef(platform, channel, thread, workspace),
        in_reply_to=data.get("in_reply_to"),
        visibility=Visibility(data["visibility"]),
        ticket=TicketUpdate.from_dict(data["ticket"]) if data.get("ticket") else None,
        audience=Audience.TICKET,
        relay=Relay(author_id=relay[0], via=str(relay[1])) if relay else None,
    )
    return reply, int(data.get("tries") or 0)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class ParkedWrites:
    def __init__(
        self, redis: Redis, prefix: str, vendor: str, key: KeySource | None, *, clock: Clock | None = None
    ) -> None:
        self.redis = redis
        self._key = key
        self._sealer: Sealer | None = None
        self.clock = clock or time.time
        self.due_key = f"{prefix}:helpdesk:{vendor}:parked"
        self.data_key = f"{prefix}:helpdesk:{vendor}:parked-write"
        self._claim = redis.register_script(_CLAIM)

    @property
    def sealer(self) -> Sealer | None:
        if self._sealer is None and self._key is not None:
            self._sealer = sealer_for(self._key())
        return self._sealer

    async def park(self, marker: str, reply: Reply, wait_s: float, *, tries: int = 0) -> bool:
        """Keep `reply` until `wait_s` from now; False where it cannot be kept (no key)."""
        sealer = self.sealer
        if sealer is None:
            return False
        due = self.clock() + wait_s
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.data_key, marker, _encode(reply, sealer, marker, tries))
            pipe.zadd(self.due_key, {marker: due})
            pipe.expire(self.data_key, PARKED_TTL_S)
            pipe.expire(self.due_key, PARKED_TTL_S)
            await pipe.execute()
        return True

    async def claim_due(self, limit: int = 50) -> list[tuple[str, Reply, int]]:
        """The writes due now that this replica took (each by one replica only, for a lease)."""
        now = self.clock()
        found = await self.redis.zrangebyscore(self.due_key, "-inf", now, start=0, num=limit)
        markers = [_text(m) for m in found]
        sealer = self.sealer if markers else None  # the key is read only once something is parked
        if sealer is None:
            return []
        taken: list[tuple[str, Reply, int]] = []
        for marker in markers:
            if not await self._claim(keys=[self.due_key], args=[marker, now, now + LEASE_S]):
                continue  # another replica took it
            raw = await self.redis.hget(self.data_key, marker)
            decoded = _decode(_text(raw), sealer, marker) if raw else None
            if decoded is None:  # expired, or sealed with another key: nothing to write
                log.warning("parked write %s unreadable: dropped", marker)
                await self.done(marker)
                continue
            taken.append((marker, *decoded))
        return taken

    async def done(self, marker: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(self.due_key, marker)
            pipe.hdel(self.data_key, marker)
            await pipe.execute()

    async def waiting(self) -> int:
        return int(await self.redis.zcard(self.due_key))
