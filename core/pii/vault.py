"""Placeholder stores: the per-conversation vault in Redis (AES-GCM at rest, with a TTL), and an
in-memory one for the `switchboard pii mask` tool.

A vault hash holds `n:<TYPE>` counters, `h:<hmac of value>` → placeholder (same value, same
placeholder), and `v:<placeholder>` → the value sealed (`core.sealing`), bound to the vault and type."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Protocol, cast

from redis.asyncio import Redis

from core import sealing
from core.errors import MaskingError
from core.pii import vaultkey
from core.pii.spans import PLACEHOLDER, normalize
from core.sealing import Sealer, SealError
from core.secrets import Secret

_ASSIGN = """
local out = {}
for i = 2, #ARGV, 3 do
  local digest, etype, blob = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local placeholder = redis.call('HGET', KEYS[1], 'h:' .. digest)
  if not placeholder then
    local n = redis.call('HINCRBY', KEYS[1], 'n:' .. etype, 1)
    placeholder = '<' .. etype .. '_' .. n .. '>'
    redis.call('HSET', KEYS[1], 'h:' .. digest, placeholder, 'v:' .. placeholder, blob)
  end
  out[#out + 1] = placeholder
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return out
"""


class PlaceholderStore(Protocol):
    async def assign(self, scope: str, items: Sequence[tuple[str, str]]) -> list[str]:
        """A placeholder per (type, value); the same value in a scope keeps its placeholder."""

    async def lookup(self, scope: str, placeholders: Sequence[str]) -> dict[str, str]:
        """The original values of those placeholders that belong to `scope`."""


class RedisVault:
    def __init__(self, redis: Redis, key: Secret, *, prefix: str, ttl_seconds: int) -> None:
        master = vaultkey.decode(key.reveal(), source="vault key")
        self._redis = redis
        self._sealer = Sealer(master, "switchboard pii vault aes-gcm")
        self._mac_key = sealing.derive(master, "switchboard pii vault hmac")
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._assign = redis.register_script(_ASSIGN)

    def key_of(self, scope: str) -> str:
        return f"{self._prefix}:{scope}"

    def _aad(self, scope: str, entity_type: str) -> bytes:
        return f"{self.key_of(scope)}|{entity_type}".encode()

    def _digest(self, scope: str, entity_type: str, value: str) -> str:
        message = f"{scope}\0{entity_type}\0{normalize(entity_type, value)}".encode()
        return hmac.new(self._mac_key, message, hashlib.sha256).hexdigest()[:40]

    def _seal(self, scope: str, entity_type: str, value: str) -> str:
        return self._sealer.seal(value.encode(), self._aad(scope, entity_type))

    def _open(self, scope: str, entity_type: str, blob: str) -> str:
        if not sealing.is_sealed(blob):  # written before the sealer: the same layout, unprefixed
            blob = sealing.PREFIX + blob
        try:
            return self._sealer.open(blob, self._aad(scope, entity_type)).decode()
        except SealError:
            raise MaskingError("a vault entry failed authentication (wrong key or tampered)") from None

    async def assign(self, scope: str, items: Sequence[tuple[str, str]]) -> list[str]:
        if not items:
            return []
        args: list[str | int] = [self._ttl]
        for entity_type, value in items:
            args += [
                self._digest(scope, entity_type, value),
                entity_type,
                self._seal(scope, entity_type, value),
            ]
        return list(await self._assign(keys=[self.key_of(scope)], args=args))

    async def lookup(self, scope: str, placeholders: Sequence[str]) -> dict[str, str]:
        wanted = sorted({p for p in placeholders if PLACEHOLDER.fullmatch(p)})
        if not wanted:
            return {}
        blobs = cast(
            "list[str | None]", await self._redis.hmget(self.key_of(scope), [f"v:{p}" for p in wanted])
        )
        values = {}
        for placeholder, blob in zip(wanted, blobs, strict=True):
            if blob:
                entity_type = PLACEHOLDER.fullmatch(placeholder).group(1)  # type: ignore[union-attr]
                values[placeholder] = self._open(scope, entity_type, blob)
        return values


class MemoryStore:
    """Placeholders for one process run (the CLI tool): nothing is persisted."""

    def __init__(self) -> None:
        self._placeholders: dict[tuple[str, str, str], str] = {}
        self._values: dict[tuple[str, str], str] = {}
        self._counters: dict[tuple[str, str], int] = {}

    async def assign(self, scope: str, items: Sequence[tuple[str, str]]) -> list[str]:
        out = []
        for entity_type, value in items:
            key = (scope, entity_type, normalize(entity_type, value))
            if key not in self._placeholders:
                number = self._counters.get((scope, entity_type), 0) + 1
                self._counters[(scope, entity_type)] = number
                placeholder = f"<{entity_type}_{number}>"
                self._placeholders[key] = placeholder
                self._values[(scope, placeholder)] = value
            out.append(self._placeholders[key])
        return out

    async def lookup(self, scope: str, placeholders: Sequence[str]) -> dict[str, str]:
        return {p: self._values[(scope, p)] for p in placeholders if (scope, p) in self._values}
