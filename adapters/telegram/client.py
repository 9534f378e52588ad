"""The python-telegram-bot Application, embedded in the hub's event loop.

Built without PTB's Updater: the hub owns the loop and the signals (`run_polling` and
`run_webhook` would take both), webhook updates arrive on the hub's HTTP port, and long polling is
ours (`polling.py`) because PTB's retries a 409 Conflict forever. PTB gives us the Bot API client,
its error types and the `initialize` (getMe) / `start` / `stop` / `shutdown` lifecycle.
"""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from adapters.telegram.config import TelegramConfig
from adapters.telegram.convert import BotIdentity
from core.errors import ConfigError

SDK_LOG = logging.getLogger("switchboard.telegram.sdk")
# Bot API URLs hold the bot token: httpx logs every request URL at INFO, PTB at DEBUG.
for _name, _level in (("httpx", logging.WARNING), ("httpcore", logging.WARNING), ("telegram", logging.INFO)):
    logging.getLogger(_name).setLevel(max(_level, logging.getLogger(_name).level))

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0


def build_application(config: TelegramConfig) -> Application:  # type: ignore[type-arg]
    if config.token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set", source="environment (Telegram)")
    poll = float(config.options.poll_timeout_s)
    builder: ApplicationBuilder = (  # type: ignore[type-arg]
        Application.builder()
        .token(config.token.reveal())
        .base_url(config.api_url)
        .updater(None)
        .connect_timeout(CONNECT_TIMEOUT_S)
        .read_timeout(READ_TIMEOUT_S)
        .write_timeout(READ_TIMEOUT_S)
        .pool_timeout(CONNECT_TIMEOUT_S)
        .connection_pool_size(64)
        .get_updates_connect_timeout(CONNECT_TIMEOUT_S)
        .get_updates_read_timeout(poll + READ_TIMEOUT_S)
        .get_updates_pool_timeout(CONNECT_TIMEOUT_S)
    )
    return builder.build()


def identity_of(bot: Bot) -> BotIdentity:
    """Who the bot is, after `initialize()` has called getMe."""
    return BotIdentity(id=bot.id, username=bot.username)
