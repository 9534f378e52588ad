"""Discord: gateway and signed interactions in, REST out (discord.py stays in here)."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.config import DiscordConfig, DiscordOptions
from core.adapter import AdapterServices

Options = DiscordOptions


def build(
    env: Mapping[str, str], options: DiscordOptions, services: AdapterServices
) -> DiscordAdapter | None:
    """Discord, when DISCORD_BOT_TOKEN is set. A bot that lists `[adapters.discord]` explicitly
    must be configured, or this names what is missing."""
    config = DiscordConfig.from_env(env, options.model_dump(), source=services.source)
    if not config.configured and "discord" not in services.declared:
        return None
    return DiscordAdapter(config, services.redis, key_prefix=services.key_prefix)


def endpoints(adapter: DiscordAdapter, base: str) -> list[str]:
    interactions = f" + POST {base}/discord/interactions" if adapter.config.public_key else ""
    return [f"  Discord:   gateway{interactions}"]


def problems(env: Mapping[str, str], options: DiscordOptions, declared: bool) -> list[str]:
    config = DiscordConfig.from_env(env, options.model_dump())
    if not declared and not config.configured:
        return []
    return config.problems()


__all__ = ["DiscordAdapter", "DiscordConfig", "Options", "build", "endpoints", "problems"]
