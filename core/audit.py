"""The admin audit trail: a capped Redis stream every replica appends to."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import cast

from redis.asyncio import Redis

from core.state import Keys

AUDIT_MAXLEN = 10_000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: float
    user: str
    command: str
    args: str
    allowed: bool
    conversation: str
    result: str = ""


class AuditLog:
    def __init__(self, redis: Redis, keys: Keys, bot: str) -> None:
        self._redis = redis
        self._key = keys.audit(bot)

    async def record(self, entry: AuditEntry) -> None:
        await self._redis.xadd(
            self._key,
            {
                "at": f"{entry.at:.3f}",
                "user": entry.user,
                "command": entry.command,
                "args": entry.args[:200],
                "allowed": "1" if entry.allowed else "0",
                "conversation": entry.conversation,
                "result": entry.result[:200],
            },
            maxlen=AUDIT_MAXLEN,
            approximate=True,
        )

    async def latest(self, count: int = 10) -> list[AuditEntry]:
        rows = cast(
            "list[tuple[str, dict[bytes | str, bytes | str]]]",
            await self._redis.xrevrange(self._key, count=count),
        )
        entries = []
        for _id, fields in rows:
            f = {_text(k): _text(v) for k, v in fields.items()}
            entries.append(
                AuditEntry(
                    at=float(f.get("at", time.time())),
                    user=f.get("user", ""),
                    command=f.get("command", ""),
                    args=f.get("args", ""),
                    allowed=f.get("allowed") == "1",
                    conversation=f.get("conversation", ""),
                    result=f.get("result", ""),
                )
            )
        return entries


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
