"""Discord settings: secrets from the environment, behaviour from `[adapters.discord]` in the bot.

Environment: DISCORD_BOT_TOKEN (the bot's token), DISCORD_APPLICATION_ID (for slash commands and
interaction webhooks; read from Discord at login when unset), DISCORD_PUBLIC_KEY (hex Ed25519
key: serves the signed interactions endpoint `POST /discord/interactions`),
SWITCHBOARD_DISCORD_API_URL (REST base, e.g. `http://127.0.0.1:PORT/api/v10`, for tests and
proxies) and SWITCHBOARD_DISCORD_GATEWAY_URL (e.g. `ws://127.0.0.1:PORT/gateway`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import ConfigError
from core.secrets import Secret

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
MESSAGE_LIMIT = 2_000  # characters Discord accepts in one message
MANAGE_GUILD = str(1 << 5)
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")


class DiscordOptions(BaseModel):
    """Keys a bot definition may set under `[adapters.discord]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    gateway: bool = True  # hold a gateway session (messages; slash commands unless HTTP is used)
    answer_bots: bool = False  # answer messages from other bots and webhooks (never our own)
    message_content: bool = True  # ask for the privileged intent (4014 → mention-only mode)
    shard_count: int = Field(1, ge=1, le=1024, description="gateway shards; one session each")
    max_chars: int = Field(MESSAGE_LIMIT, ge=100, le=MESSAGE_LIMIT, description="longest message")
    attach_over_chars: int = Field(
        12_000, ge=0, description="answers longer than this go as a .md file (0: never)"
    )
    edit_interval_s: float = Field(1.0, ge=0, le=60, description="pause between streaming edits")
    typing: bool = True
    command_ack_s: float = Field(2.0, gt=0, le=2.8, description="answer inline if ready this soon")
    admin_permissions: str = Field(
        MANAGE_GUILD, pattern=r"^\d{1,20}$", description="default_member_permissions of /switchboard"
    )
    lock_ttl_s: float = Field(15.0, ge=0.5, le=600, description="gateway lease; a dead holder's")
    max_rate_limit_wait_s: float = Field(
        30.0, ge=30, le=600, description="longest REST rate-limit wait before giving up"
    )
    reidentify_delay_s: float = Field(
        5.0, ge=0, le=60, description="pause before a new IDENTIFY (Discord: 1 per 5 s per shard)"
    )
    history_limit: int = Field(50, ge=0, le=100, description="messages fetched per channel after a gap")


@dataclass(frozen=True)
class DiscordConfig:
    bot_token: Secret | None = None
    application_id: str | None = None
    public_key: str | None = None
    api_url: str = DEFAULT_API_URL
    gateway_url: str = DEFAULT_GATEWAY_URL
    options: DiscordOptions = DiscordOptions()

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], options: Mapping[str, Any] | None = None, *, source: str = "bot"
    ) -> DiscordConfig:
        try:
            parsed = DiscordOptions.model_validate(dict(options or {}))
        except ValidationError as exc:
            problems = [
                f"key 'adapters.discord.{'.'.join(str(p) for p in e['loc'])}': {e['msg']}"
                for e in exc.errors()
            ]
            raise ConfigError(problems, source=source) from None
        token = env.get("DISCORD_BOT_TOKEN", "").strip()
        return cls(
            bot_token=Secret(token) if token else None,
            application_id=env.get("DISCORD_APPLICATION_ID", "").strip() or None,
            public_key=env.get("DISCORD_PUBLIC_KEY", "").strip() or None,
            api_url=(env.get("SWITCHBOARD_DISCORD_API_URL") or DEFAULT_API_URL).rstrip("/"),
            gateway_url=env.get("SWITCHBOARD_DISCORD_GATEWAY_URL") or DEFAULT_GATEWAY_URL,
            options=parsed,
        )

    @property
    def configured(self) -> bool:
        return bool(self.bot_token)

    @property
    def interactions_endpoint(self) -> bool:
        return bool(self.public_key)

    def problems(self) -> list[str]:
        """What is wrong, as sentences naming the variable to set."""
        found = []
        if not self.bot_token:
            found.append(
                "DISCORD_BOT_TOKEN is not set — copy it from the Developer Portal (Bot → Reset Token)"
            )
        if self.public_key and not _HEX_KEY.match(self.public_key):
            found.append(
                "DISCORD_PUBLIC_KEY must be the 64 hex characters shown as 'Public Key' on the "
                "application's General Information page"
            )
        if self.application_id and not self.application_id.isdigit():
            found.append("DISCORD_APPLICATION_ID must be the numeric Application ID")
        for name, url, schemes in (
            ("SWITCHBOARD_DISCORD_API_URL", self.api_url, ("http://", "https://")),
            ("SWITCHBOARD_DISCORD_GATEWAY_URL", self.gateway_url, ("ws://", "wss://")),
        ):
            if not url.startswith(schemes):
                found.append(f"{name}={url!r} must start with {' or '.join(schemes)}")
        return found
