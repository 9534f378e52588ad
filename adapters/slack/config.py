"""Slack settings: secrets from the environment, behaviour from `[adapters.slack]` in the bot.

Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode),
SLACK_CLIENT_ID / SLACK_CLIENT_SECRET (OAuth v2, several workspaces), SWITCHBOARD_SLACK_API_URL
(Web API base URL, for tests and proxies), SWITCHBOARD_SLACK_TOKEN_KEY (base64, 32 bytes: AES-GCM
key for bot tokens stored in Redis; falls back to a key derived from SWITCHBOARD_VAULT_KEY),
SWITCHBOARD_PUBLIC_URL (the hub's public https URL, for the OAuth redirect).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import ConfigError
from core.secrets import Secret

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "chat:write",
    "commands",
    "files:read",
    "groups:history",
    "im:history",
    "im:write",
    "mpim:history",
    "reactions:write",
    "users:read",  # who wrote in a thread the bot follows (a bridge maps them to helpdesk agents)
    "users:read.email",
)


class SlackOptions(BaseModel):
    """Keys a bot definition may set under `[adapters.slack]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    command: str = Field("/switchboard", pattern=r"^/[a-z0-9_-]{1,31}$")
    answer_bots: bool = False  # answer messages from other bots (never our own)
    socket_mode: bool | None = None  # None: on when SLACK_APP_TOKEN is set
    post_interval_s: float = Field(1.0, ge=0, le=60, description="pause between posts per channel")
    edit_interval_s: float = Field(1.0, ge=0, le=60, description="pause between streaming edits")
    working_reaction: str = Field("hourglass_flowing_sand", pattern=r"^[a-z0-9_+-]{1,64}$")
    working_delay_s: float = Field(1.0, ge=0, le=60, description="show the reaction after this long")
    max_chars: int = Field(3_900, ge=100, le=40_000, description="longest message before splitting")
    command_ack_s: float = Field(2.0, gt=0, le=2.8, description="answer inline if ready this soon")
    lock_ttl_s: float = Field(30.0, ge=0.5, le=600, description="Socket Mode single-holder lock")


def _secret(env: Mapping[str, str], key: str) -> Secret | None:
    value = env.get(key, "").strip()
    return Secret(value) if value else None


@dataclass(frozen=True)
class SlackConfig:
    signing_secret: Secret | None = None
    bot_token: Secret | None = None
    app_token: Secret | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    token_key: Secret | None = None
    vault_key: Secret | None = None
    api_url: str = DEFAULT_API_URL
    authorize_url: str = DEFAULT_AUTHORIZE_URL
    public_url: str | None = None
    options: SlackOptions = SlackOptions()

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        options: SlackOptions | Mapping[str, Any] | None = None,
        *,
        source: str = "bot",
    ) -> SlackConfig:
        try:
            parsed = (
                options
                if isinstance(options, SlackOptions)
                else SlackOptions.model_validate(dict(options or {}))
            )
        except ValidationError as exc:
            problems = [
                f"key 'adapters.slack.{'.'.join(str(p) for p in e['loc'])}': {e['msg']}" for e in exc.errors()
            ]
            raise ConfigError(problems, source=source) from None
        api_url = env.get("SWITCHBOARD_SLACK_API_URL") or DEFAULT_API_URL
        return cls(
            signing_secret=_secret(env, "SLACK_SIGNING_SECRET"),
            bot_token=_secret(env, "SLACK_BOT_TOKEN"),
            app_token=_secret(env, "SLACK_APP_TOKEN"),
            client_id=env.get("SLACK_CLIENT_ID") or None,
            client_secret=_secret(env, "SLACK_CLIENT_SECRET"),
            token_key=_secret(env, "SWITCHBOARD_SLACK_TOKEN_KEY"),
            vault_key=_secret(env, "SWITCHBOARD_VAULT_KEY"),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            authorize_url=env.get("SWITCHBOARD_SLACK_AUTHORIZE_URL") or DEFAULT_AUTHORIZE_URL,
            public_url=(env.get("SWITCHBOARD_PUBLIC_URL") or "").rstrip("/") or None,
            options=parsed,
        )

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @property
    def socket_mode(self) -> bool:
        wanted = self.options.socket_mode
        return bool(self.app_token) if wanted is None else wanted

    @property
    def configured(self) -> bool:
        """Enough to serve Slack: a way in (signing secret or app token) and a way out (token)."""
        way_in = bool(self.signing_secret) or bool(self.app_token and self.socket_mode)
        way_out = bool(self.bot_token) or self.oauth
        return way_in and way_out

    def problems(self) -> list[str]:
        """What is missing, as sentences naming the variable to set."""
        found = []
        if self.socket_mode and not self.app_token:
            found.append("socket_mode is on but SLACK_APP_TOKEN is not set — set it to the xapp-… token")
        if not self.socket_mode and not self.signing_secret:
            found.append("SLACK_SIGNING_SECRET is not set — copy it from the app's Basic Information page")
        if not self.bot_token and not self.oauth:
            found.append("set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")
        if self.oauth and not self.signing_secret:
            found.append("OAuth installs need SLACK_SIGNING_SECRET for their events")
        return found
