"""`switchboard discord …`: one-off tools that talk to Discord's REST API (no gateway, no hub)."""

from __future__ import annotations

import sys

from adapters.discord import DiscordConfig
from adapters.discord.commands import definitions, sync
from adapters.discord.rest import DiscordRest
from core.botdef import bot_path, load_bot
from core.errors import ConfigError, SwitchboardError
from core.settings import Settings


async def sync_commands(settings: Settings, guild_id: str | None) -> int:
    bot = load_bot(settings.bot)
    declared = bot.adapters.get("discord")
    options = declared.model_dump() if declared is not None else {}
    config = DiscordConfig.from_env(settings.extra, options, source=str(bot_path(settings.bot)))
    problems = config.problems()
    if problems:
        raise ConfigError(problems, source="environment (Discord)")
    if guild_id is not None and not guild_id.isdigit():
        print(f"--guild must be a server id (digits), not {guild_id!r}", file=sys.stderr)
        return 2
    rest = DiscordRest(config)
    try:
        await rest.start()
        changed = await sync(rest, definitions(config.options.admin_permissions), guild_id=guild_id)
    except SwitchboardError as exc:
        print(f"Discord refused the sync: {exc}", file=sys.stderr)
        return 1
    finally:
        await rest.stop()
    where = f"server {guild_id}" if guild_id else "all servers (global; may take up to an hour to show)"
    print(f"/ask and /switchboard {'registered' if changed else 'already up to date'} for {where}.")
    return 0
