"""`switchboard telegram set-webhook | delete-webhook | webhook-info`, with real PTB against the fake,
and the settings checks that name the variable to fix."""

from __future__ import annotations

import pytest

from adapters.telegram import TelegramConfig
from adapters.telegram.config import ALLOWED_UPDATES
from adapters.telegram.setup import SetupError, delete_webhook, set_webhook, webhook_info
from bots.cli import main
from core.errors import ConfigError
from tests.telegram.conftest import SECRET
from tests.telegram.fake_telegram import Failure
from tests.telegram.payloads import TOKEN


def config(fake, **env: str) -> TelegramConfig:  # type: ignore[no-untyped-def]
    base = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}
    return TelegramConfig.from_env({**base, "SWITCHBOARD_TELEGRAM_API_URL": fake.api_url("cli"), **env})


async def test_set_webhook_registers_url_secret_and_allowed_updates(fake_telegram):
    url = await set_webhook(config(fake_telegram), "https://bot.example.com/")
    assert url == "https://bot.example.com/telegram/webhook"
    hook = fake_telegram.webhook
    assert hook["url"] == url and hook["secret_token"] == SECRET
    assert hook["allowed_updates"] == list(ALLOWED_UPDATES)
    info = await webhook_info(config(fake_telegram))
    assert info["url"] == url and info["bot"] == "@switchboard_test_bot"
    await delete_webhook(config(fake_telegram))
    assert fake_telegram.webhook == {}
    assert (await webhook_info(config(fake_telegram)))["url"].startswith("(none")


async def test_set_webhook_needs_https_and_a_secret(fake_telegram):
    with pytest.raises(ConfigError, match="https://"):
        await set_webhook(config(fake_telegram), "http://bot.example.com")
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET is not set"):
        await set_webhook(config(fake_telegram, TELEGRAM_WEBHOOK_SECRET=""), "https://bot.example.com")
    assert fake_telegram.of("setWebhook") == []


async def test_a_refusal_is_one_readable_error(fake_telegram):
    fake_telegram.fail("setWebhook", Failure(400, "Bad Request: bad webhook: Failed to resolve host"))
    with pytest.raises(SetupError, match="setWebhook refused: Bad webhook: failed to resolve host"):
        await set_webhook(config(fake_telegram), "https://nowhere.invalid")


def test_bad_settings_name_the_variable():
    problems = TelegramConfig.from_env({"TELEGRAM_WEBHOOK_SECRET": "has spaces!"}).problems()
    assert any("TELEGRAM_BOT_TOKEN is not set" in p for p in problems)
    assert any("TELEGRAM_WEBHOOK_SECRET must be 1-256" in p for p in problems)
    assert TOKEN not in " ".join(TelegramConfig.from_env({"TELEGRAM_BOT_TOKEN": TOKEN + " x"}).problems())
    with pytest.raises(ConfigError, match="adapters.telegram.max_chars"):
        TelegramConfig.from_env({}, {"max_chars": 5000})
    with pytest.raises(ConfigError, match="adapters.telegram.edit_intervl_s"):
        TelegramConfig.from_env({}, {"edit_intervl_s": 1})


def test_webhook_mode_follows_the_secret():
    assert TelegramConfig.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}).webhook
    assert not TelegramConfig.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}).webhook
    forced = TelegramConfig.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}, {"mode": "polling"}
    )
    assert not forced.webhook


def test_cli_set_webhook_refuses_plain_http(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    assert main(["telegram", "set-webhook", "http://bot.example.com"]) == 2
    assert "must start with https://" in capsys.readouterr().err
