"""Configuration: Slack switches itself on from the environment; the manifest command."""

from __future__ import annotations

import json

import pytest

from adapters.slack import SlackAdapter, SlackConfig
from bots.cli import main
from bots.runner import adapters_for
from core.botdef import load_bot, parse_bot
from core.errors import ConfigError
from core.pii.vaultkey import default_key_file
from core.settings import Settings

ENV = {"SLACK_SIGNING_SECRET": "s3cret", "SLACK_BOT_TOKEN": "xoxb-one"}


def slack_adapters(bot_definition, settings, redis):  # type: ignore[no-untyped-def]
    return [a for a in adapters_for(bot_definition, settings, redis) if a.name == "slack"]


def bot(**adapters):  # type: ignore[no-untyped-def]
    return parse_bot({"name": "b", "skills": ["skills.help"], "adapters": adapters}, source="test")


async def test_default_bot_serves_slack_when_the_two_variables_are_set(redis):
    (adapter,) = slack_adapters(load_bot("assistant"), Settings.from_env(ENV), redis)
    assert isinstance(adapter, SlackAdapter)
    assert [r.path for r in adapter.routes()] == ["/slack/events", "/slack/commands"]


async def test_no_slack_without_configuration_or_when_switched_off(redis):
    assert slack_adapters(load_bot("assistant"), Settings.from_env({}), redis) == []
    assert slack_adapters(bot(slack={"enabled": False}), Settings.from_env(ENV), redis) == []


async def test_declared_but_unconfigured_slack_names_what_is_missing(redis):
    with pytest.raises(ConfigError) as caught:
        slack_adapters(bot(slack={"command": "/ops"}), Settings.from_env({}), redis)
    assert "SLACK_SIGNING_SECRET" in str(caught.value) and "SLACK_BOT_TOKEN" in str(caught.value)


def test_bad_option_names_the_key():
    with pytest.raises(ConfigError) as caught:
        SlackConfig.from_env(ENV, {"command": "switchboard"})
    assert "adapters.slack.command" in str(caught.value)


def test_oauth_without_a_token_key_seals_with_the_vault_key_file(redis, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    config = SlackConfig.from_env({**ENV, "SLACK_CLIENT_ID": "c", "SLACK_CLIENT_SECRET": "s"})
    assert SlackAdapter(config, redis).installations is not None
    assert default_key_file().is_file()  # the same file the PII vault reads


def test_a_bad_token_key_names_the_variable(redis):
    env = {**ENV, "SLACK_CLIENT_ID": "c", "SLACK_CLIENT_SECRET": "s", "SWITCHBOARD_SLACK_TOKEN_KEY": "short"}
    with pytest.raises(ConfigError, match="SWITCHBOARD_SLACK_TOKEN_KEY must be 32 random bytes"):
        SlackAdapter(SlackConfig.from_env(env), redis)


def test_secrets_never_show_in_reprs():
    config = SlackConfig.from_env({**ENV, "SLACK_APP_TOKEN": "xapp-1-secret"})
    assert "xoxb-one" not in repr(config) and "s3cret" not in repr(config) and "xapp" not in repr(config)


def test_manifest_for_a_public_url(capsys):
    assert main(["slack", "manifest", "--url", "https://bot.example.com"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    events = manifest["settings"]["event_subscriptions"]
    assert events["request_url"] == "https://bot.example.com/slack/events"
    assert {"app_mention", "message.im"} <= set(events["bot_events"])
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/switchboard" and command["url"] == "https://bot.example.com/slack/commands"
    assert {"chat:write", "app_mentions:read", "reactions:write"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
    assert manifest["oauth_config"]["redirect_urls"] == ["https://bot.example.com/slack/oauth_redirect"]


def test_manifest_needs_https_or_socket_mode(capsys):
    assert main(["slack", "manifest", "--url", "http://insecure.example.com"]) == 2
    assert main(["slack", "manifest", "--socket-mode"]) == 0
    out = capsys.readouterr().out
    manifest = json.loads(out[out.index("{") :])
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
