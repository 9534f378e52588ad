"""The `bridge` table of a helpdesk in the bot definition: which Slack channel its tickets are
mirrored into, and when. Validated at load time; an error names the file, the key and the fix.

    [adapters.zendesk.bridge]          # or [adapters.hooks.<name>.bridge]
    channel = "C0SWARM01"              # the Slack channel id (not its name)
    post_on = ["created"]              # and/or "handoff" (the ticket gets the handoff tag)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.botdef import BotDefinition
from core.errors import ConfigError

_FIXES = {
    "missing": "add it",
    "extra_forbidden": "remove it or check its spelling",
    "string_pattern_mismatch": 'use the channel id Slack shows in the channel details, e.g. "C0SWARM01"',
    "literal_error": 'use "created" and/or "handoff"',
}


class BridgeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: str = Field(pattern=r"^[CG][A-Z0-9]{2,}$", description="Slack channel id")
    team: str | None = Field(None, pattern=r"^[TE][A-Z0-9]{2,}$", description="Slack team (OAuth installs)")
    post_on: list[Literal["created", "handoff"]] = Field(default=["created"], min_length=1)
    handoff_tag: str = Field("sb_handoff", min_length=1, max_length=80)
    reply_command: str = Field("/reply", pattern=r"^[/!]?[a-z][a-z0-9_-]{0,20}$")
    summary_chars: int = Field(400, ge=40, le=2_000, description="longest customer text shown")
    keep_days: int = Field(90, ge=1, le=3_650, description="how long the ticket-thread link is kept")
    platform: str = Field("slack", description="the chat adapter the thread lives in")


def bridge_keys(bot: BotDefinition) -> dict[str, str]:
    """helpdesk platform name -> where its bridge table is in the bot definition (for errors)."""
    return {platform: key for platform, (key, _table) in _tables(bot).items()}


def _tables(bot: BotDefinition) -> dict[str, tuple[str, Any]]:
    """helpdesk platform name -> (key in the bot definition, its bridge table)."""
    found: dict[str, tuple[str, Any]] = {}
    for name, adapter in bot.adapters.items():
        options = adapter.model_dump()
        if name == "hooks":
            for hook, table in options.items():
                if isinstance(table, Mapping) and table.get("bridge") is not None:
                    found[hook] = (f"adapters.hooks.{hook}.bridge", table["bridge"])
        elif options.get("bridge") is not None and options.get("enabled", True):
            found[name] = (f"adapters.{name}.bridge", options["bridge"])
    return found


def bridges_of(bot: BotDefinition, *, source: str = "bot definition") -> dict[str, BridgeConfig]:
    """Every helpdesk's bridge, by helpdesk platform name; a bad table is a ConfigError."""
    bridges: dict[str, BridgeConfig] = {}
    problems: list[str] = []
    for platform, (key, table) in _tables(bot).items():
        if not isinstance(table, Mapping):
            fix = 'write it as a table, e.g. bridge = { channel = "C0SWARM01" } (docs/bridge.md)'
            problems.append(f"key '{key}': not a table — fix: {fix}")
            continue
        try:
            bridges[platform] = BridgeConfig.model_validate(dict(table))
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                fix = _FIXES.get(error["type"], "see docs/bridge.md")
                problems.append(f"key '{key}.{where}': {error['msg']} — fix: {fix}")
    if problems:
        raise ConfigError(problems, source=source)
    return bridges
