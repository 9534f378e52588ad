"""The gateway: one discord.py session per shard across all hub replicas.

Two sessions on one shard both receive every event, so each shard has a Redis lease
(`adapters.kit.lease`); the replica holding it runs discord.py embedded in the hub's loop
(`login` + `connect`, never `client.run`, which owns the loop and logging). When the holder dies
its lease expires and another replica connects within about one lease TTL. Shards are separate
`discord.Client`s with `shard_id`/`shard_count` (not one `AutoShardedClient`), so different
replicas can own different shards of a large bot.

If Discord refuses the privileged message-content intent (close code 4014), the session starts
again without it, in mention-only mode, and says once how to enable it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import discord
from redis.asyncio import Redis

from adapters.discord.client import make_client, tap
from adapters.discord.config import DiscordConfig
from adapters.kit.lease import hold, new_lease
from core.tasks import TaskGroup

log = logging.getLogger(__name__)

DISPATCHES = ("READY", "RESUMED", "MESSAGE_CREATE", "MESSAGE_UPDATE", "INTERACTION_CREATE")
INTENT_HELP = (
    "Discord refused the Message Content intent (close code 4014): answering mentions and DMs only. "
    "To read every message, enable 'Message Content Intent' under Bot → Privileged Gateway Intents "
    "in the Discord Developer Portal, then restart."
)
TOKEN_REFUSED = (
    "Discord refused DISCORD_BOT_TOKEN (401): copy a fresh token from the Developer Portal "
    "(Bot → Reset Token) and restart; not retrying."
)

# (dispatch name, its data, the session that received it)
OnGateway = Callable[[str, dict[str, Any], "ShardSession"], None]


class ShardSession:
    """The gateway session of one shard, while this replica holds its lease."""

    def __init__(self, config: DiscordConfig, shard_id: int, on_gateway: OnGateway) -> None:
        self._config = config
        self.shard_id = shard_id
        self._on_gateway = on_gateway
        self.mention_only = not config.options.message_content
        self.client: discord.Client | None = None
        self.fence: int | None = None
        self.refused = False  # the token was refused: not retried
        self.readies = 0  # READY dispatches seen by this session (a second one: a gap)

    async def run(self, fence: int) -> None:
        self.fence = fence
        count = self._config.options.shard_count
        token = self._config.bot_token.reveal() if self._config.bot_token else ""
        while True:
            client = make_client(
                self._config,
                message_content=not self.mention_only,
                shard=(self.shard_id, count) if count > 1 else None,
            )
            self.client = client
            try:
                await client.login(token)
                tap(client, DISPATCHES, lambda name, data: self._on_gateway(name, data, self))
                await client.connect(reconnect=True)
                return
            except discord.LoginFailure:
                # Permanent: retrying would only count towards Discord's invalid-request ban.
                self.refused = True
                log.error(TOKEN_REFUSED, extra={"platform": "discord"})
                await asyncio.Event().wait()
            except discord.PrivilegedIntentsRequired:
                if self.mention_only:
                    raise
                self.mention_only = True
                log.warning(INTENT_HELP, extra={"platform": "discord"})
            finally:
                self.client = None
                self.fence = None
                with contextlib.suppress(Exception):
                    await client.close()

    @property
    def connected(self) -> bool:
        client = self.client
        return client is not None and client.ws is not None and not client.is_closed()

    def channel_is_thread(self, channel_id: str) -> bool:
        client = self.client
        if client is None or not channel_id.isdigit():
            return False
        return isinstance(client.get_channel(int(channel_id)), discord.Thread)


class Gateway:
    def __init__(self, config: DiscordConfig, redis: Redis, lease_key: str, on_gateway: OnGateway) -> None:
        count = config.options.shard_count
        self.sessions = [ShardSession(config, shard, on_gateway) for shard in range(count)]
        self.leases = [
            new_lease(redis, f"{lease_key}:{shard}-of-{count}", config.options.lock_ttl_s)
            for shard in range(count)
        ]
        self._holders = TaskGroup("discord gateway")

    async def start(self) -> None:
        for session, lease in zip(self.sessions, self.leases, strict=True):
            name = f"discord gateway shard {session.shard_id}"
            self._holders.spawn(hold(lease, session.run, name=name))

    async def stop(self) -> None:
        await self._holders.stop(grace_s=0)  # `hold` loops end only when cancelled

    def status(self) -> dict[str, Any]:
        return {
            "shards": len(self.sessions),
            "held_here": [
                s.shard_id for s, lease in zip(self.sessions, self.leases, strict=True) if lease.fence
            ],
            "connected": [s.shard_id for s in self.sessions if s.connected],
            "mention_only": any(s.mention_only for s in self.sessions),
        }
