"""`switchboard telegram set-webhook | delete-webhook | webhook-info`: tell Telegram where the hub
takes updates. The webhook URL is `<public base URL>/telegram/webhook`, registered with the
secret token (TELEGRAM_WEBHOOK_SECRET) and an explicit `allowed_updates` list."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from adapters.telegram.config import ALLOWED_UPDATES, WEBHOOK_PATH, TelegramConfig
from core.errors import ConfigError, SwitchboardError

MAX_CONNECTIONS = 40


class SetupError(SwitchboardError):
    """Telegram refused a setup call (the message says why, never the token)."""


def _bot(config: TelegramConfig) -> Bot:
    problems = config.problems()
    if problems:
        raise ConfigError(problems, source="environment (Telegram)")
    assert config.token is not None
    return Bot(config.token.reveal(), base_url=config.api_url)


def webhook_url(public_base: str) -> str:
    base = public_base.rstrip("/")
    if not base.startswith("https://"):
        raise ConfigError(
            f"the public URL must start with https:// (Telegram calls HTTPS only), got {base[:60]!r}",
            source="switchboard telegram set-webhook",
        )
    return base + WEBHOOK_PATH


async def set_webhook(config: TelegramConfig, public_base: str, *, drop_pending: bool = False) -> str:
    if not config.webhook_secret:
        raise ConfigError(
            "TELEGRAM_WEBHOOK_SECRET is not set — set it (e.g. `openssl rand -hex 32`) so the hub "
            "can tell Telegram's calls from anyone else's",
            source="environment (Telegram)",
        )
    url = webhook_url(public_base)
    async with _bot(config) as bot:
        try:
            await bot.set_webhook(
                url,
                secret_token=config.webhook_secret.reveal(),
                allowed_updates=list(ALLOWED_UPDATES),
                max_connections=MAX_CONNECTIONS,
                drop_pending_updates=drop_pending,
            )
        except TelegramError as exc:
            raise SetupError(f"setWebhook refused: {exc.message}") from None
    return url


async def delete_webhook(config: TelegramConfig, *, drop_pending: bool = False) -> None:
    async with _bot(config) as bot:
        try:
            await bot.delete_webhook(drop_pending_updates=drop_pending)
        except TelegramError as exc:
            raise SetupError(f"deleteWebhook refused: {exc.message}") from None


async def webhook_info(config: TelegramConfig) -> dict[str, Any]:
    async with _bot(config) as bot:
        try:
            info = await bot.get_webhook_info()
        except TelegramError as exc:
            raise SetupError(f"getWebhookInfo refused: {exc.message}") from None
        data: dict[str, Any] = {
            "bot": f"@{bot.username}",
            "url": info.url or "(none: the hub long-polls)",
            "pending_update_count": info.pending_update_count,
        }
    if info.allowed_updates:
        data["allowed_updates"] = list(info.allowed_updates)
    if info.last_error_message:
        data["last_error"] = info.last_error_message
    if info.max_connections:
        data["max_connections"] = info.max_connections
    return data
