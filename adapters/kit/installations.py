"""Installations keyed by (platform, account) — a Slack workspace, later a Discord guild or a
helpdesk account — in Redis, with their secrets sealed at rest (`core.sealing`).

One hash per account: `<prefix>:<platform>:install:<account>`. Plain fields are stored as
they are; secret fields are sealed with the platform, the account and the field name bound as
associated data, so a token copied into another record does not open.

A record written before the sealer (an older format) is read through the platform's `legacy`
opener and written back sealed at once: stores migrate as they are read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import cast

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from core import sealing
from core.sealing import Sealer
from core.secrets import Secret

log = logging.getLogger(__name__)

PURPOSE = "switchboard installations"

# (stored value, account) -> the secret, or raises SealError
LegacyOpener = Callable[[str, str], Secret]


@dataclass(frozen=True, slots=True)
class Record:
    account: str
    fields: Mapping[str, str]
    secrets: Mapping[str, Secret] = field(repr=False)


class InstallationStore:
    def __init__(
        self,
        redis: Redis,
        sealer: Sealer,
        *,
        platform: str,
        secret_fields: Collection[str],
        prefix: str = "sb",
        legacy: LegacyOpener | None = None,
    ) -> None:
        self._redis = redis
        self._sealer = sealer
        self.platform = platform
        self._secret_fields = frozenset(secret_fields)
        self._prefix = f"{prefix}:{platform}:install"
        self._legacy = legacy

    def _key(self, account: str) -> str:
        return f"{self._prefix}:{account}"

    def _context(self, account: str, name: str) -> bytes:
        return f"{self.platform}\0{account}\0{name}".encode()

    def _seal(self, account: str, name: str, secret: Secret) -> str:
        return self._sealer.seal(secret.reveal().encode(), self._context(account, name))

    async def save(self, account: str, fields: Mapping[str, str], secrets: Mapping[str, Secret]) -> None:
        unknown = set(secrets) - self._secret_fields
        if unknown:
            raise ValueError(f"not a secret field of {self.platform} installations: {sorted(unknown)}")
        record: dict[FieldT, EncodableT] = {}
        record.update(fields)
        record.update({name: self._seal(account, name, value) for name, value in secrets.items()})
        await self._redis.hset(self._key(account), mapping=record)

    async def find(self, account: str) -> Record | None:
        stored = cast("dict[str, str]", await self._redis.hgetall(self._key(account)))
        if not stored:
            return None
        secrets: dict[str, Secret] = {}
        migrated: dict[FieldT, EncodableT] = {}
        for name in self._secret_fields & stored.keys():
            value = stored[name]
            if sealing.is_sealed(value) or self._legacy is None:
                secrets[name] = Secret(self._sealer.open(value, self._context(account, name)).decode())
            else:
                secrets[name] = self._legacy(value, account)
                migrated[name] = self._seal(account, name, secrets[name])
        if migrated:
            await self._redis.hset(self._key(account), mapping=migrated)
            log.info("%s installation re-sealed in the current format", self.platform)
        fields = {k: v for k, v in stored.items() if k not in self._secret_fields}
        return Record(account, fields, secrets)

    async def delete(self, account: str) -> None:
        await self._redis.delete(self._key(account))

    async def count(self) -> int:
        return len([k async for k in self._redis.scan_iter(match=f"{self._prefix}:*", count=500)])
