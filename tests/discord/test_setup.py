"""Configuration: Discord switches itself on from the environment; bad settings name the fix."""

from __future__ import annotations

import pytest

from adapters.discord import DiscordAdapter, DiscordConfig
from bots.runner import adapters_for
from core.botdef import load_bot, parse_bot
from core.errors import ConfigError
from core.settings import Settings
from tests.discord.conftest import PUBLIC_KEY

ENV = {"DISCORD_BOT_TOKEN": "token.for.tests"}


def bot(**adapters):  # type: ignore[no-untyped-def]
    return parse_bot({"name": "b", "skills": ["skills.help"], "adapters": adapters}, source="test")


def discord_adapters(bot_definition, settings, redis):  # type: ignore[no-untyped-def]
    return [a for a in adapters_for(bot_definition, settings, redis) if a.name == "discord"]


async def test_default_bot_serves_discord_when_the_token_is_set(redis):
    (adapter,) = discord_adapters(load_bot("assistant"), Settings.from_env(ENV), redis)
    assert isinstance(adapter, DiscordAdapter)
    assert adapter.gateway is not None and adapter.routes() == []  # gateway only, no endpoint


async def test_public_key_adds_the_signed_interactions_endpoint(redis):
    settings = Settings.from_env({**ENV, "DISCORD_PUBLIC_KEY": PUBLIC_KEY})
    (adapter,) = discord_adapters(load_bot("assistant"), settings, redis)
    assert [r.path for r in adapter.routes()] == ["/discord/interactions"]  # type: ignore[attr-defined]


async def test_no_discord_without_a_token_or_when_switched_off(redis):
    assert discord_adapters(load_bot("assistant"), Settings.from_env({}), redis) == []
    assert discord_adapters(bot(discord={"enabled": False}), Settings.from_env(ENV), redis) == []


async def test_declared_but_unconfigured_discord_names_what_is_missing(redis):
    with pytest.raises(ConfigError) as caught:
        discord_adapters(bot(discord={"answer_bots": True}), Settings.from_env({}), redis)
    assert "DISCORD_BOT_TOKEN" in str(caught.value) and "Developer Portal" in str(caught.value)


def test_bad_option_names_the_key():
    with pytest.raises(ConfigError) as caught:
        DiscordConfig.from_env(ENV, {"max_chars": 4000}, source="bots/x.toml")
    message = str(caught.value)
    assert message.startswith("bots/x.toml") and "adapters.discord.max_chars" in message


def test_bad_public_key_and_urls_are_named():
    config = DiscordConfig.from_env(
        {**ENV, "DISCORD_PUBLIC_KEY": "not-hex", "SWITCHBOARD_DISCORD_GATEWAY_URL": "http://x"}
    )
    problems = " ".join(config.problems())
    assert "DISCORD_PUBLIC_KEY" in problems and "SWITCHBOARD_DISCORD_GATEWAY_URL" in problems


def test_token_is_never_in_the_repr():
    config = DiscordConfig.from_env(ENV)
    assert "token.for.tests" not in repr(config)
