"""Slack: Events API and Socket Mode in, Web API out (slack_sdk / slack_bolt stay in here)."""

from adapters.slack.adapter import SlackAdapter
from adapters.slack.config import SlackConfig

__all__ = ["SlackAdapter", "SlackConfig"]
