"""A bridge table with a mistake stops the hub with the file, the key and the fix."""

from __future__ import annotations

import pytest

from adapters.helpdesk import build, config_for
from adapters.kit.http import SharedSession
from bots.compose import assemble
from core.botdef import parse_bot
from core.errors import ConfigError
from skills.bridge import bridges_of
from tests.helpdesk.signing import ENV


def bot(adapters):
    data = {"name": "testbot", "skills": ["tests.helpdesk.ticket_skill"], "fallback": "answer"}
    return parse_bot({**data, "adapters": adapters}, source="bots/support.toml")


def problems(adapters) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        bridges_of(bot(adapters), source="bots/support.toml")
    assert caught.value.source == "bots/support.toml"
    return caught.value.problems


def test_a_channel_name_instead_of_its_id_is_named_with_the_fix():
    (problem,) = problems({"zendesk": {"bridge": {"channel": "#swarm"}}})
    assert problem.startswith("key 'adapters.zendesk.bridge.channel':")
    assert "channel id" in problem and "C0SWARM01" in problem


def test_a_missing_channel_an_unknown_trigger_and_a_misspelt_key_are_each_named():
    found = problems({"hooks": {"desk": {"bridge": {"post_on": ["closed"], "chanel": "C1"}}}})
    keys = sorted(p.split("'")[1] for p in found)
    assert keys == [
        "adapters.hooks.desk.bridge.chanel",
        "adapters.hooks.desk.bridge.channel",
        "adapters.hooks.desk.bridge.post_on.0",
    ]
    assert any("fix: remove it or check its spelling" in p for p in found)
    assert any('fix: use "created" and/or "handoff"' in p for p in found)


def test_a_bridge_that_is_not_a_table_is_named():
    (problem,) = problems({"zendesk": {"bridge": "C0SWARM01"}})
    assert problem.startswith("key 'adapters.zendesk.bridge': not a table")


def test_a_valid_table_and_no_bridge_at_all():
    found = bridges_of(bot({"zendesk": {"bridge": {"channel": "C0SWARM01", "post_on": ["handoff"]}}}))
    assert found["zendesk"].channel == "C0SWARM01" and found["zendesk"].post_on == ["handoff"]
    assert bridges_of(bot({"zendesk": {"enabled": True}})) == {}


async def test_a_bridge_without_the_slack_adapter_does_not_start(redis):
    options = {"bridge": {"channel": "C0SWARM01"}}
    env = {**ENV["zendesk"], "ZENDESK_URL": "http://127.0.0.1:9"}
    session = SharedSession()
    try:
        zendesk = build("zendesk", config_for("zendesk", env, options), redis, session)
        with pytest.raises(ConfigError) as caught:
            assemble(bot({"zendesk": options}), redis, adapters=[zendesk], source="bots/support.toml")
    finally:
        await session.close()
    (problem,) = caught.value.problems
    assert problem.startswith("key 'adapters.zendesk.bridge': it mirrors tickets into slack")
    assert "SLACK_BOT_TOKEN" in problem
