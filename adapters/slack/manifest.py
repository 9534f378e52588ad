"""`switchboard slack manifest --url https://bot.example.com`: a Slack app manifest to paste into
https://api.slack.com/apps → Create New App → From a manifest."""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.config import BOT_SCOPES

BOT_EVENTS = ("app_mention", "message.im", "message.channels", "message.groups", "message.mpim")


def manifest(
    public_url: str | None,
    *,
    name: str = "Switchboard",
    command: str = "/switchboard",
    socket_mode: bool = False,
) -> dict[str, Any]:
    if not socket_mode and not public_url:
        raise ValueError("a public https URL is needed unless the app uses Socket Mode")
    base = (public_url or "").rstrip("/")
    slash: dict[str, Any] = {
        "command": command,
        "description": "Switchboard admin commands (status, skills, mute, audit)",
        "usage_hint": "status | skills list | mute | unmute | audit",
        "should_escape": False,
    }
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    settings: dict[str, Any] = {
        "event_subscriptions": events,
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if not socket_mode:
        slash["url"] = f"{base}/slack/commands"
        events["request_url"] = f"{base}/slack/events"
        oauth["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Answers questions in threads and DMs",
            "background_color": "#2c2d30",
        },
        "features": {
            "app_home": {"messages_tab_enabled": True, "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [slash],
        },
        "oauth_config": oauth,
        "settings": settings,
    }


def manifest_json(public_url: str | None, **kwargs: Any) -> str:
    return json.dumps(manifest(public_url, **kwargs), indent=2)
