"""Bot definitions and settings: bad values give errors that name the file, the key and a fix;
secrets never show up in reprs or logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.botdef import load_bot
from core.errors import ConfigError, SwitchboardError
from core.routing import Router
from core.secrets import Secret
from core.settings import Settings
from core.skills import collect
from tests.webhub import TOKEN, web_hub

GOOD = """
name = "probe"
skills = ["skills.help", "skills.about", "skills.fallback"]
fallback = "fallback"
admins = ["slack:U024BE7LH"]
"""


def write_bot(tmp_path: Path, text: str, name: str = "probe.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    """Load the definition the way `switchboard` does and return the error text."""
    with pytest.raises(ConfigError) as err:
        bot = load_bot(str(path))
        skills = collect(bot.skills, source=str(path))
        Router(skills, fallback=bot.fallback, source=str(path))
    assert isinstance(err.value, SwitchboardError)
    return str(err.value)


def test_good_definition_loads(tmp_path):
    bot = load_bot(str(write_bot(tmp_path, GOOD)))
    assert bot.name == "probe" and bot.is_admin("slack:U024BE7LH")


def test_builtin_assistant_loads():
    bot = load_bot("assistant")
    assert bot.name == "assistant" and bot.adapter_enabled("webchat", default=False)


@pytest.mark.parametrize(
    ("extra", "key", "fix"),
    [
        ('[limits]\nuser_per_minute = "lots"', "limits.user_per_minute", "whole number"),
        ("[limits]\nuser_per_minute = 0", "limits.user_per_minute", ">= 1"),
        ("colour = 'red'", "colour", "remove it or check its spelling"),
        ("[memory]\nturns = 5\nkeep = true", "memory.keep", "remove it"),
        ("[adapters.webchat]\nenabled = 'maybe'", "adapters.webchat.enabled", "true or false"),
        ("[model]\nbackend = 'gpt-9'", "model.backend", "'ctransformers'"),
    ],
)
def test_bad_values_name_file_key_and_fix(tmp_path, extra, key, fix):
    path = write_bot(tmp_path, GOOD + "\n" + extra + "\n")
    text = load_error(path)
    assert str(path) in text
    assert f"key '{key}'" in text
    assert "fix:" in text and fix in text


def test_bad_admin_format_shows_the_expected_form(tmp_path):
    path = write_bot(tmp_path, GOOD.replace('"slack:U024BE7LH"', '"bob"'))
    text = load_error(path)
    assert str(path) in text and "key 'admins'" in text
    assert "'bob'" in text and "platform:user_id" in text and "fix:" in text


def test_bad_bot_name_says_what_is_allowed(tmp_path):
    path = write_bot(tmp_path, GOOD.replace('name = "probe"', 'name = "My Bot"'))
    text = load_error(path)
    assert "key 'name'" in text and "lowercase letters" in text


def test_unknown_fallback_skill_lists_the_loaded_ones(tmp_path):
    path = write_bot(tmp_path, GOOD.replace('fallback = "fallback"', 'fallback = "chitchat"'))
    text = load_error(path)
    assert str(path) in text and "key 'fallback'" in text and "'chitchat'" in text
    assert "'about'" in text and "fix:" in text


def test_unimportable_skill_module(tmp_path):
    path = write_bot(tmp_path, GOOD.replace('"skills.about"', '"skills.does_not_exist"'))
    text = load_error(path)
    assert str(path) in text and "key 'skills'" in text
    assert "'skills.does_not_exist'" in text and "fix:" in text


def test_skill_module_with_a_syntax_error(tmp_path, monkeypatch):
    (tmp_path / "broken_skills.py").write_text("def oops(:\n    pass\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    path = write_bot(tmp_path, GOOD.replace('"skills.about"', '"broken_skills"'))
    text = load_error(path)
    assert "key 'skills'" in text and "'broken_skills'" in text and "invalid syntax" in text


def test_module_without_skills(tmp_path):
    path = write_bot(tmp_path, GOOD.replace('"skills.about"', '"core.events"'))
    assert "defines no @skill" in load_error(path)


def test_invalid_toml_names_the_line(tmp_path):
    path = write_bot(tmp_path, GOOD + "\n[limits\nuser_per_minute = 3\n")
    text = load_error(path)
    assert str(path) in text and "not valid TOML" in text and "line" in text


def test_missing_definition_lists_the_known_bots(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_bot("no-such-bot")
    assert "no-such-bot.toml" in str(err.value) and "'assistant'" in str(err.value)
    assert "SWITCHBOARD_BOT" in str(err.value)


def test_empty_skill_list(tmp_path):
    path = write_bot(tmp_path, GOOD.replace('["skills.help", "skills.about", "skills.fallback"]', "[]"))
    text = load_error(path)
    assert "key 'skills'" in text and "add at least one" in text


@pytest.mark.parametrize("value", ["abc", "8080.5", "70000", "-1"])
def test_bad_http_port_is_named_with_its_fix(value):
    with pytest.raises(ConfigError) as err:
        Settings.from_env({"SWITCHBOARD_HTTP_PORT": value})
    text = str(err.value)
    assert text.startswith("environment: ")
    assert "SWITCHBOARD_HTTP_PORT" in text and "between 0 and 65535" in text


def test_settings_defaults_are_the_embedded_ones():
    settings = Settings.from_env({})
    assert settings.redis_url is None and settings.api_token is None
    assert (settings.http_host, settings.http_port, settings.bot) == ("127.0.0.1", 8080, "assistant")


def test_secret_repr_hides_the_value():
    secret = Secret("hunter2-very-secret")
    assert repr(secret) == "Secret('***')" and str(secret) == "Secret('***')"
    assert f"{secret}" == "Secret('***')" and "hunter2" not in repr([secret, {"k": secret}])
    assert secret.reveal() == "hunter2-very-secret"
    assert secret.matches("hunter2-very-secret") and not secret.matches("hunter3")


def test_settings_repr_shows_no_token():
    settings = Settings.from_env(
        {"SWITCHBOARD_API_TOKEN": "tok-abcdef-123456", "SLACK_BOT_TOKEN": "xoxb-slack-secret"}
    )
    assert settings.api_token is not None and settings.api_token.reveal() == "tok-abcdef-123456"
    assert "tok-abcdef" not in repr(settings) and "xoxb" not in repr(settings)
    assert "***" in repr(settings)


async def test_a_logged_turn_never_contains_token_or_text(redis, caplog):
    caplog.set_level(logging.DEBUG)
    async with web_hub(redis) as hub:
        for text in ("tell me about the purple-walrus-99 plan", "/about", "/mute"):
            response = await hub.post(text, user="someone")
            assert response.status == 200
        await hub.client.get("/metrics")
    assert caplog.records
    assert TOKEN not in caplog.text
    assert "purple-walrus" not in caplog.text
    for record in caplog.records:  # structured extras carry ids, never text
        assert "purple-walrus" not in str(record.__dict__)


def test_model_settings_in_the_environment_override_the_bot_definition():
    from core.botdef import load_bot, with_deployment

    bot = load_bot("assistant")
    deployed = with_deployment(bot, {"SWITCHBOARD_MODEL_NAME": "big", "SWITCHBOARD_MODEL_THREADS": "3"})
    assert (deployed.model.name, deployed.model.threads) == ("big", 3)
    assert with_deployment(bot, {}) is bot


def test_check_names_a_bad_model_setting_in_the_environment():
    from bots.cli import check_all

    problems = check_all({"SWITCHBOARD_MODEL_THREADS": "many"})
    assert any("SWITCHBOARD_MODEL_THREADS" in p for p in problems), problems
