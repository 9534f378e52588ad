"""Building discord.py clients for the hub's loop, pointed at the configured Discord.

discord.py has no constructor option for its base URLs: `Route.BASE` (REST) and
`DiscordWebSocket.DEFAULT_GATEWAY` are class attributes, set here from the config (one Discord
per process). Its gateway parsers are tapped so the adapter sees each dispatch as the JSON Discord
sent — the same dicts the payload files hold — after discord.py has updated its caches.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.config import DiscordConfig

log = logging.getLogger(__name__)
EXTRA = {"platform": "discord"}

OnDispatch = Callable[[str, dict[str, Any]], None]


def point_at(config: DiscordConfig) -> None:
    Route.BASE = config.api_url
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


def intents(*, message_content: bool) -> discord.Intents:
    """Guilds (channel and thread cache), guild messages, DMs and, if wanted, message content."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = message_content
    return wanted


class EmbeddedClient(discord.Client):
    """discord.Client with a configurable pause before identifying again (discord.py: 5 s)."""

    reidentify_delay_s = 5.0

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial and self.reidentify_delay_s:
            await asyncio.sleep(self.reidentify_delay_s)


def make_client(
    config: DiscordConfig,
    *,
    message_content: bool = False,
    shard: tuple[int, int] | None = None,
) -> discord.Client:
    point_at(config)
    options: dict[str, Any] = {
        "intents": intents(message_content=message_content),
        "max_ratelimit_timeout": config.options.max_rate_limit_wait_s,
        "chunk_guilds_at_startup": False,
        "max_messages": None,  # the hub keeps what it needs; no message cache
    }
    if config.application_id:
        options["application_id"] = int(config.application_id)
    if shard is not None:
        options["shard_id"], options["shard_count"] = shard
    discord.VoiceClient.warn_nacl = False  # the bot has no voice: no warnings about voice libraries
    discord.VoiceClient.warn_dave = False
    client = EmbeddedClient(**options)
    client.reidentify_delay_s = config.options.reidentify_delay_s
    return client


def tap(client: discord.Client, names: Iterable[str], on_dispatch: OnDispatch) -> None:
    """Call `on_dispatch(name, data)` for each gateway dispatch in `names`, after discord.py's
    own parser. (discord.py reads `client._connection.parsers` for every frame.) A dispatch
    discord.py cannot read (a field it expects is missing) is logged and still handed on: its
    error must not end the gateway session."""
    parsers: dict[str, Callable[[dict[str, Any]], None]] = client._connection.parsers

    for name in names:
        original = parsers[name]

        def tapped(data: dict[str, Any], _original: Any = original, _name: str = name) -> None:
            try:
                _original(data)
            except Exception as exc:  # noqa: BLE001 — raised here it would end the gateway session
                log.warning(
                    "discord.py could not read a %s dispatch: %s", _name, type(exc).__name__, extra=EXTRA
                )
            on_dispatch(_name, data)

        parsers[name] = tapped
