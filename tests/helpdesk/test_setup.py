"""Which helpdesks a hub runs: enabled by their environment, switched off by the bot, and a bad
or missing setting named with its key and fix."""

from __future__ import annotations

import pytest

from adapters.helpdesk import VENDORS, HelpdeskAdapter
from adapters.kit.http import SharedSession
from bots.registry import unknown_adapters
from bots.runner import adapters_for
from core.botdef import parse_bot
from core.errors import ConfigError
from core.settings import Settings

ZENDESK = {"ZENDESK_URL": "https://acme.zendesk.com", "ZENDESK_WEBHOOK_SECRET": "s", "ZENDESK_API_TOKEN": "t"}


def bot(**adapters):  # type: ignore[no-untyped-def]
    return parse_bot(
        {"name": "testbot", "skills": ["skills.fallback"], "adapters": adapters}, source="test.toml"
    )


def names(env, the_bot, redis):  # type: ignore[no-untyped-def]
    built = adapters_for(the_bot, Settings.from_env(env), redis, SharedSession())
    return [a.name for a in built if isinstance(a, HelpdeskAdapter)]


def test_a_vendor_runs_when_its_environment_configures_it(redis):
    assert names(ZENDESK, bot(), redis) == ["zendesk"]
    assert names({}, bot(), redis) == []
    assert names(ZENDESK, bot(zendesk={"enabled": False}), redis) == []


def test_a_declared_vendor_must_be_configured(redis):
    with pytest.raises(ConfigError, match="CHATWOOT_URL, CHATWOOT_WEBHOOK_SECRET"):
        names({}, bot(chatwoot={"public_replies": True}), redis)


def test_a_misspelt_option_is_named(redis):
    with pytest.raises(ConfigError, match="adapters.zendesk.public_replys"):
        names(ZENDESK, bot(zendesk={"public_replys": True}), redis)


def test_hooks_are_declared_adapters_not_unknown_ones(redis):
    hooks = {"orders": {"fields": {"ticket": "id", "text": "msg"}, "callback_url": "https://x/cb"}}
    the_bot = bot(hooks=hooks)
    assert unknown_adapters(the_bot) == []
    env = {"SWITCHBOARD_HOOK_ORDERS_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
    assert names(env, the_bot, redis) == ["orders"]


def test_the_vendors_are_on_the_adapter_registry():
    from bots.registry import ADAPTERS, package

    for name in VENDORS:
        entry = package(name)
        assert name in ADAPTERS and entry.Options.model_fields["public_replies"]
        assert f"/hooks/{name}" in entry.ENDPOINTS[0]


def test_check_reports_helpdesk_problems():
    from bots.registry import check

    found = check(bot(zendesk={"public_replys": True}, jsm={}), {}, source="test.toml")
    text = "\n".join(found)
    assert "adapters.zendesk.public_replys" in text and "JIRA_URL, JIRA_WEBHOOK_SECRET" in text
    assert check(bot(), ZENDESK, source="test.toml") == []
    hooks = {"orders": {"fields": {"ticket": "id"}}}
    assert "SWITCHBOARD_HOOK_ORDERS_SECRET" in "\n".join(check(bot(hooks=hooks), {}, source="t"))
