"""The application commands: `/ask <question>` for everyone and `/switchboard <command>` for
admins, and registering them only when they changed.

`/switchboard` carries `default_member_permissions` (Manage Server by default) so Discord shows it
to admins only — but that is a display filter server owners can change, so the core's admin gate
still checks every call against the bot's `admins` (`discord:<user id>`) and audits it. Discord
allows 200 command creates per day per guild (error 30034): `sync` compares what Discord has with
what it would send and writes only when they differ.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from adapters.discord.convert import ADMIN_COMMAND, ASK_COMMAND
from adapters.discord.rest import DiscordRest

STRING_OPTION = 3
CONTEXTS = [0, 1, 2]  # guilds, the bot's DMs, private channels
_COMPARED = ("name", "description", "type", "default_member_permissions")


def definitions(admin_permissions: str) -> list[dict[str, Any]]:
    ask = {
        "name": ASK_COMMAND,
        "type": 1,
        "description": "Ask the assistant a question",
        "options": [
            {
                "name": "question",
                "description": "What do you want to know?",
                "type": STRING_OPTION,
                "required": True,
            }
        ],
    }
    admin = {
        "name": ADMIN_COMMAND,
        "type": 1,
        "description": "Switchboard admin commands (status, skills, mute, unmute, audit, model, pii)",
        "default_member_permissions": admin_permissions,
        "options": [
            {
                "name": "command",
                "description": "e.g. status, skills list, mute, audit 10 (help lists them all)",
                "type": STRING_OPTION,
                "required": True,
            }
        ],
    }
    return [ask, admin]


def _normalized(command: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {key: command.get(key) for key in _COMPARED}
    kept["type"] = kept["type"] or 1
    kept["options"] = [
        {
            "name": o.get("name"),
            "description": o.get("description"),
            "type": o.get("type"),
            "required": bool(o.get("required")),
        }
        for o in command.get("options") or ()
    ]
    return kept


def fingerprint(commands: list[dict[str, Any]]) -> str:
    """A hash of what matters in a command set (not the ids or versions Discord adds)."""
    canonical = sorted((_normalized(c) for c in commands), key=lambda c: str(c["name"]))
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


async def sync(rest: DiscordRest, wanted: list[dict[str, Any]], *, guild_id: str | None = None) -> bool:
    """Register `wanted` (in one guild, or globally); True if Discord had something else."""
    current = await rest.get_commands(guild_id)
    if fingerprint(current) == fingerprint(wanted):
        return False
    await rest.put_commands(wanted, guild_id)
    return True
