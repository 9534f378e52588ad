"""Slack: Events API and Socket Mode in, Web API out (slack_sdk / slack_bolt stay in here)."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.slack.adapter import SlackAdapter
from adapters.slack.config import SlackConfig, SlackOptions
from core.adapter import AdapterServices

Options = SlackOptions
ENDPOINTS = ("  Slack:     POST {base}/slack/events (and /slack/commands)",)


def build(env: Mapping[str, str], options: SlackOptions, services: AdapterServices) -> SlackAdapter | None:
    """Slack, when the environment configures it (SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN is enough).
    A bot that lists `[adapters.slack]` explicitly must be configured, or this names what is missing."""
    config = SlackConfig.from_env(env, options, source=services.source)
    if not config.configured and "slack" not in services.declared:
        return None
    return SlackAdapter(config, services.redis, key_prefix=services.key_prefix)


def problems(env: Mapping[str, str], options: SlackOptions, declared: bool) -> list[str]:
    config = SlackConfig.from_env(env, options)
    if not declared and not config.configured and not any(k.startswith("SLACK_") for k in env):
        return []  # Slack is simply not used
    return config.problems()


__all__ = ["ENDPOINTS", "Options", "SlackAdapter", "SlackConfig", "build", "problems"]
