"""Telegram settings: secrets from the environment, behaviour from `[adapters.telegram]` in the bot.

Environment: TELEGRAM_BOT_TOKEN (required, from @BotFather), TELEGRAM_WEBHOOK_SECRET (1–256 of
`A-Za-z0-9_-`; when set the hub takes updates on POST /telegram/webhook, else it long-polls),
SWITCHBOARD_TELEGRAM_API_URL (Bot API base URL, PTB's convention: requests go to
`<base><token>/<method>`, or put `{token}` where the token belongs; for tests and local Bot API
servers), SWITCHBOARD_PUBLIC_URL (the hub's public https URL, default for `set-webhook`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import ConfigError
from core.secrets import Secret

DEFAULT_API_URL = "https://api.telegram.org/bot"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TOKEN_SHAPE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")
# What the bot asks Telegram for (setWebhook and getUpdates): everything the converter reads.
ALLOWED_UPDATES = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "business_connection",
    "business_message",
    "stopped_message_generation",  # a draft's stop button (Bot API 10.3)
)


class TelegramOptions(BaseModel):
    """Keys a bot definition may set under `[adapters.telegram]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    mode: Literal["auto", "webhook", "polling"] = Field(
        "auto", description="auto: webhook when TELEGRAM_WEBHOOK_SECRET is set, else polling"
    )
    answer_bots: bool = False  # answer messages from other bots (never our own)
    drafts: bool = True  # stream private-chat answers with sendMessageDraft
    link_previews: bool = False
    register_commands: bool = True  # setMyCommands at start (only when they changed)
    poll_timeout_s: int = Field(25, ge=0, le=50, description="getUpdates long-poll timeout")
    lock_ttl_s: float = Field(30.0, ge=0.5, le=600, description="the one-poller lock's expiry")
    max_chars: int = Field(4096, ge=100, le=4096, description="longest message (UTF-16 units)")
    edit_interval_s: float = Field(1.0, ge=0.2, le=60, description="pause between streamed edits")
    chat_per_second: float = Field(1.0, gt=0, le=30, description="messages per second per chat")
    group_per_minute: int = Field(20, ge=1, le=60, description="messages per minute per group")
    bot_per_second: int = Field(30, ge=1, le=1000, description="messages per second for the bot")
    typing_every_s: float = Field(4.0, ge=1, le=5, description="refresh the typing action")
    draft_keepalive_s: float = Field(20.0, ge=1, le=29, description="re-send an idle draft")
    order_wait_s: float = Field(
        2.0, ge=0, le=30, description="webhook: how long an update waits for its chat's earlier one (0: off)"
    )


def _secret(env: Mapping[str, str], key: str) -> Secret | None:
    value = env.get(key, "").strip()
    return Secret(value) if value else None


@dataclass(frozen=True)
class TelegramConfig:
    token: Secret | None = None
    webhook_secret: Secret | None = None
    api_url: str = DEFAULT_API_URL
    public_url: str | None = None
    options: TelegramOptions = TelegramOptions()

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], options: Mapping[str, Any] | None = None, *, source: str = "bot"
    ) -> TelegramConfig:
        try:
            parsed = TelegramOptions.model_validate(dict(options or {}))
        except ValidationError as exc:
            problems = [
                f"key 'adapters.telegram.{'.'.join(str(p) for p in e['loc'])}': {e['msg']}"
                for e in exc.errors()
            ]
            raise ConfigError(problems, source=source) from None
        return cls(
            token=_secret(env, "TELEGRAM_BOT_TOKEN"),
            webhook_secret=_secret(env, "TELEGRAM_WEBHOOK_SECRET"),
            api_url=(env.get("SWITCHBOARD_TELEGRAM_API_URL") or "").strip() or DEFAULT_API_URL,
            public_url=(env.get("SWITCHBOARD_PUBLIC_URL") or "").rstrip("/") or None,
            options=parsed,
        )

    @property
    def configured(self) -> bool:
        return bool(self.token)

    @property
    def webhook(self) -> bool:
        mode = self.options.mode
        return bool(self.webhook_secret) if mode == "auto" else mode == "webhook"

    @property
    def bot_id(self) -> str:
        return self.token.reveal().partition(":")[0] if self.token else "-"

    def problems(self) -> list[str]:
        """What is wrong, as sentences naming the variable to set (never its value)."""
        found = []
        if not self.token:
            found.append("TELEGRAM_BOT_TOKEN is not set — create a bot with @BotFather and copy its token")
        elif not TOKEN_SHAPE.match(self.token.reveal()):
            found.append("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, ':', 20+ characters)")
        if self.webhook_secret and not SECRET_SHAPE.match(self.webhook_secret.reveal()):
            found.append(
                "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
                "(e.g. `openssl rand -hex 32`)"
            )
        if self.options.mode == "webhook" and not self.webhook_secret:
            found.append("mode is 'webhook' but TELEGRAM_WEBHOOK_SECRET is not set — set it, or use polling")
        if not self.api_url.startswith(("http://", "https://")):
            found.append("SWITCHBOARD_TELEGRAM_API_URL must start with http:// or https://")
        return found
