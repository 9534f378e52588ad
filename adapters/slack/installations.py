"""Workspaces that installed the app through OAuth v2: the kit's installation store
(`adapters.kit.installations`) for platform "slack", account = team id, the bot token sealed.

The sealing key comes from `SWITCHBOARD_SLACK_TOKEN_KEY` if set, else from the PII vault key
(`SWITCHBOARD_VAULT_KEY`, or the local key file the embedded default generates). Records written
by earlier versions (`v1:`: AES-GCM under the token key itself, or under an HKDF of the vault
key's text, team id as associated data) are read and re-sealed on first use.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from redis.asyncio import Redis

from adapters.kit import installations
from adapters.slack.config import SlackConfig
from core import sealing
from core.pii import vaultkey
from core.sealing import Sealer, SealError
from core.secrets import Secret

PLATFORM = "slack"
TOKEN_KEY_ENV = "SWITCHBOARD_SLACK_TOKEN_KEY"
LEGACY_VERSION = "v1"


def sealer_for(config: SlackConfig) -> Sealer:
    """The installation sealer: the Slack token key if set, else the vault key (env or file)."""
    if config.token_key:
        master = sealing.decode_key(config.token_key.reveal(), name=TOKEN_KEY_ENV, source="environment")
    else:
        master = vaultkey.decode(_vault_key(config).reveal(), source="vault key")
    return Sealer(master, installations.PURPOSE)


def _vault_key(config: SlackConfig) -> Secret:
    return config.vault_key or vaultkey.load({})


class LegacyTokens:
    """Opens the bot tokens of records written before the sealer (read-only: they are re-sealed)."""

    def __init__(self, config: SlackConfig) -> None:
        self._aead: AESGCM | None = None
        if config.token_key:
            try:
                key = base64.b64decode(config.token_key.reveal(), validate=True)
            except (binascii.Error, ValueError):
                key = b""
            self._aead = AESGCM(key) if len(key) == 32 else None
        elif config.vault_key:
            hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"switchboard slack tokens")
            self._aead = AESGCM(hkdf.derive(config.vault_key.reveal().encode()))

    def __call__(self, stored: str, team_id: str) -> Secret:
        version, _, payload = stored.partition(":")
        try:
            raw = base64.b64decode(payload)
            if self._aead is None or version != LEGACY_VERSION or len(raw) < 13:
                raise ValueError
            return Secret(self._aead.decrypt(raw[:12], raw[12:], team_id.encode()).decode())
        except (InvalidTag, ValueError, binascii.Error):
            raise SealError(f"stored bot token for team {team_id} cannot be decrypted") from None


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

    def __init__(self, store: installations.InstallationStore) -> None:
        self._store = store

    @classmethod
    def from_config(cls, redis: Redis, config: SlackConfig, prefix: str = "sb") -> InstallationStore:
        store = installations.InstallationStore(
            redis,
            sealer_for(config),
            platform=PLATFORM,
            secret_fields={"bot_token"},
            prefix=prefix,
            legacy=LegacyTokens(config),
        )
        return cls(store)

    async def save(self, installation: Installation) -> None:
        fields = {
            "team_id": installation.team_id,
            "bot_user_id": installation.bot_user_id,
            "bot_id": installation.bot_id,
            "team_name": installation.team_name,
            "app_id": installation.app_id,
            "enterprise_id": installation.enterprise_id,
            "installed_at": f"{installation.installed_at or time.time():.0f}",
        }
        await self._store.save(installation.team_id, fields, {"bot_token": installation.bot_token})

    async def find(self, team_id: str) -> Installation | None:
        record = await self._store.find(team_id)
        if record is None:
            return None
        return Installation(
            team_id=team_id,
            bot_token=record.secrets["bot_token"],
            bot_user_id=record.fields.get("bot_user_id", ""),
            bot_id=record.fields.get("bot_id", ""),
            team_name=record.fields.get("team_name", ""),
            app_id=record.fields.get("app_id", ""),
            enterprise_id=record.fields.get("enterprise_id", ""),
            installed_at=float(record.fields.get("installed_at") or 0),
        )

    async def delete(self, team_id: str) -> None:
        await self._store.delete(team_id)

    async def count(self) -> int:
        return await self._store.count()
