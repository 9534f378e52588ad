"""Workspaces that installed the app through OAuth v2, kept in Redis with bot tokens encrypted
at rest (AES-256-GCM; the team id is bound as associated data, so a token cannot be moved to
another workspace's record)."""

from __future__ import annotations

import base64
import binascii
import os
import time
from dataclasses import dataclass, field
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from adapters.slack.config import SlackConfig
from core.errors import ConfigError, SwitchboardError
from core.secrets import Secret

VERSION = "v1"


class TokenDecryptError(SwitchboardError):
    """A stored token cannot be decrypted (wrong or rotated key, or a damaged record)."""


class TokenCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ConfigError("the Slack token key must be 32 bytes (base64-encoded)", source="environment")
        self._aead = AESGCM(key)

    @classmethod
    def from_config(cls, config: SlackConfig) -> TokenCipher:
        if config.token_key:
            try:
                key = base64.b64decode(config.token_key.reveal(), validate=True)
            except (binascii.Error, ValueError):
                key = b""
            if len(key) != 32:
                raise ConfigError(
                    "SWITCHBOARD_SLACK_TOKEN_KEY must be 32 random bytes, base64-encoded — "
                    "fix: `openssl rand -base64 32`",
                    source="environment",
                )
            return cls(key)
        if config.vault_key:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"switchboard slack tokens")
            return cls(hkdf.derive(config.vault_key.reveal().encode()))
        raise ConfigError(
            "OAuth installs need SWITCHBOARD_SLACK_TOKEN_KEY (or SWITCHBOARD_VAULT_KEY) to encrypt tokens",
            source="environment",
        )

    def encrypt(self, token: Secret, team_id: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, token.reveal().encode(), team_id.encode())
        return f"{VERSION}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, team_id: str) -> Secret:
        version, _, payload = stored.partition(":")
        try:
            raw = base64.b64decode(payload)
            if version != VERSION or len(raw) < 13:
                raise ValueError
            return Secret(self._aead.decrypt(raw[:12], raw[12:], team_id.encode()).decode())
        except (InvalidTag, ValueError, binascii.Error):
            raise TokenDecryptError(f"stored bot token for team {team_id} cannot be decrypted") from None


@dataclass(frozen=True, slots=True)
class Installation:
    team_id: str
    bot_token: Secret = field(repr=False)
    bot_user_id: str = ""
    bot_id: str = ""
    team_name: str = ""
    app_id: str = ""
    enterprise_id: str = ""
    installed_at: float = 0.0


class InstallationStore:
    """One Redis hash per workspace: `<prefix>:slack:install:<team_id>`."""

    def __init__(self, redis: Redis, cipher: TokenCipher, prefix: str = "sb") -> None:
        self._redis = redis
        self._cipher = cipher
        self._prefix = f"{prefix}:slack:install"

    def _key(self, team_id: str) -> str:
        return f"{self._prefix}:{team_id}"

    async def save(self, installation: Installation) -> None:
        record: dict[FieldT, EncodableT] = {
            "team_id": installation.team_id,
            "bot_token": self._cipher.encrypt(installation.bot_token, installation.team_id),
            "bot_user_id": installation.bot_user_id,
            "bot_id": installation.bot_id,
            "team_name": installation.team_name,
            "app_id": installation.app_id,
            "enterprise_id": installation.enterprise_id,
            "installed_at": f"{installation.installed_at or time.time():.0f}",
        }
        await self._redis.hset(self._key(installation.team_id), mapping=record)

    async def find(self, team_id: str) -> Installation | None:
        record = cast("dict[str, str]", await self._redis.hgetall(self._key(team_id)))
        if not record:
            return None
        return Installation(
            team_id=team_id,
            bot_token=self._cipher.decrypt(record["bot_token"], team_id),
            bot_user_id=record.get("bot_user_id", ""),
            bot_id=record.get("bot_id", ""),
            team_name=record.get("team_name", ""),
            app_id=record.get("app_id", ""),
            enterprise_id=record.get("enterprise_id", ""),
            installed_at=float(record.get("installed_at") or 0),
        )

    async def delete(self, team_id: str) -> None:
        await self._redis.delete(self._key(team_id))

    async def count(self) -> int:
        return len([k async for k in self._redis.scan_iter(match=f"{self._prefix}:*", count=500)])
