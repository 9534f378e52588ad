"""Helpdesk settings: credentials and webhook secrets from the environment, behaviour from the bot
definition (`[adapters.<vendor>]`). A vendor is enabled when its secrets are present."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import ConfigError
from core.secrets import Secret


class HelpdeskOptions(BaseModel):
    """`[adapters.<vendor>]` keys in the bot definition."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    public_replies: bool = Field(False, description="answer with public replies (default: internal notes)")
    max_answers_per_hour: int = Field(3, ge=1, le=100, description="answers per ticket per hour")
    marker: str = Field("Switchboard", min_length=1, max_length=40, description="name in the bot's footer")
    secret_header: str = Field("X-Switchboard-Secret", description="Freshdesk: header carrying the secret")
    max_body_bytes: int = Field(512 * 1024, ge=1024)
    agent_events: bool = Field(
        False,
        description="hand agents' replies and notes to the ticket skills (draft tracking, /switchboard)",
    )

    # mirror tickets into a Slack channel (skills.bridge validates the table; docs/bridge.md)
    bridge: dict[str, Any] | None = None
    # generic hooks only
    scheme: str = Field("standard", pattern="^(standard|hmac)$")
    secret_env: str = ""
    callback_url: str = ""
    signature_header: str = "X-Signature"
    fields: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HelpdeskConfig:
    vendor: str
    url: str
    secrets: Mapping[str, Secret] = field(repr=False)
    options: HelpdeskOptions = HelpdeskOptions()
    source: str = "environment"

    def secret(self, key: str) -> Secret | None:
        value = self.secrets.get(key)
        return value if value else None

    @classmethod
    def from_env(
        cls,
        vendor: str,
        env: Mapping[str, str],
        names: Mapping[str, str],
        options: Mapping[str, Any] | None = None,
        *,
        default_url: str = "",
        source: str = "bot definition",
    ) -> HelpdeskConfig:
        """`names` maps a setting ("url", "webhook_secret", ...) to its environment variable."""
        try:
            parsed = HelpdeskOptions(**{k: v for k, v in (options or {}).items()})
        except ValidationError as exc:
            problems = [
                f"key 'adapters.{vendor}.{'.'.join(str(p) for p in e['loc'])}': {e['msg']}"
                for e in exc.errors()
            ]
            raise ConfigError(problems, source=source) from None
        secrets = {key: Secret(env.get(var, "").strip()) for key, var in names.items() if key != "url"}
        url = env.get(names.get("url", ""), "").strip() or default_url
        return cls(vendor, url.rstrip("/"), secrets, parsed, source)

    def missing(self, required: tuple[str, ...], names: Mapping[str, str]) -> list[str]:
        gaps = [names[key] for key in required if key != "url" and not self.secret(key)]
        if "url" in required and not self.url:
            gaps.insert(0, names["url"])
        return gaps

    def problems(self, required: tuple[str, ...], names: Mapping[str, str]) -> list[str]:
        gaps = self.missing(required, names)
        if gaps:
            return [
                f"{self.vendor}: set {', '.join(gaps)} in the environment (or disable adapters.{self.vendor})"
            ]
        if self.url and not self.url.startswith(("http://", "https://")):
            return [f"{self.vendor}: {names['url']} must start with https:// (got {self.url[:40]!r})"]
        return []
