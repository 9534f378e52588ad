"""Telegram: Bot API updates in by webhook or long polling, answers out (python-telegram-bot stays
in here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.commands import CommandMenu
from adapters.telegram.config import TelegramConfig, TelegramOptions
from core.adapter import AdapterServices

Options = TelegramOptions


def build(
    env: Mapping[str, str], options: TelegramOptions, services: AdapterServices
) -> TelegramAdapter | None:
    """Telegram, when TELEGRAM_BOT_TOKEN is set. A bot that lists `[adapters.telegram]` explicitly
    must be configured, or this names what is missing."""
    config = TelegramConfig.from_env(env, options.model_dump(), source=services.source)
    if not config.configured and "telegram" not in services.declared:
        return None
    return TelegramAdapter(config, services.redis, key_prefix=services.key_prefix)


def endpoints(adapter: TelegramAdapter, base: str) -> list[str]:
    how = f"POST {base}/telegram/webhook" if adapter.config.webhook else "long polling (one replica)"
    return [f"  Telegram:  {how}"]


def problems(env: Mapping[str, str], options: TelegramOptions, declared: bool) -> list[str]:
    config = TelegramConfig.from_env(env, options.model_dump())
    if not declared and not config.configured:
        return []
    return config.problems()


def wire(adapter: TelegramAdapter, assembly: Any) -> None:
    """The command menu: the skills' commands for everyone, admin commands for the bot's admins."""
    adapter.menu = CommandMenu.build(assembly.skills, assembly.admin_commands, assembly.hub.bot.admins)


__all__ = [
    "CommandMenu",
    "Options",
    "TelegramAdapter",
    "TelegramConfig",
    "TelegramOptions",
    "build",
    "endpoints",
    "problems",
    "wire",
]
