"""Full hubs with the real Discord adapter (real discord.py) talking to a FakeDiscord."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from adapters.discord import DiscordAdapter, DiscordConfig
from bots.compose import Assembly, assemble
from core import messages
from core.botdef import parse_bot
from tests.discord.fake_discord import FakeDiscord
from tests.discord.payloads import ASKER_ID
from tests.fakes import MODEL_BOT, ScriptedModel

FAST = {"edit_interval_s": 0.05, "lock_ttl_s": 1.0, "reidentify_delay_s": 0}
SIGNING_KEY = Ed25519PrivateKey.generate()
PUBLIC_KEY = SIGNING_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def signed_headers(
    body: bytes, *, ts: int | None = None, key: Ed25519PrivateKey = SIGNING_KEY
) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    return {
        "Content-Type": "application/json",
        "X-Signature-Timestamp": stamp,
        "X-Signature-Ed25519": key.sign(stamp.encode() + body).hex(),
    }


@dataclass
class DiscordHub:
    assembly: Assembly
    adapter: DiscordAdapter
    server: TestServer
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        async with self.session.post(self.url + path, data=body, headers=headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else None)

    async def interaction(self, payload: dict[str, Any]) -> tuple[int, Any]:
        body = json.dumps(payload).encode()
        return await self.post("/discord/interactions", body, signed_headers(body))

    def events_received(self) -> float:
        return self.assembly.metrics.events_in.labels("discord")._value.get()

    async def settle(self) -> None:
        """Wait until every turn and background hand-off of this hub has finished."""
        hub = self.assembly.hub
        while hub.in_flight or len(self.adapter.background):
            await hub.drain()
            await self.adapter.background.drain()
        await self.adapter.outbox.drain()


class DiscordKit:
    def __init__(self, hubkit: Any, fake: FakeDiscord) -> None:
        self.hubkit = hubkit
        self.fake = fake
        self._opened: list[DiscordHub] = []
        self._assemblies: list[Assembly] = []

    def config(self, env: dict[str, str] | None = None, **options: Any) -> DiscordConfig:
        return DiscordConfig.from_env(self.fake.env(**(env or {})), {**FAST, **options})

    async def build(
        self, config: DiscordConfig | None = None, *, gateway: Any = None, connect: bool = True, **bot: Any
    ) -> DiscordHub:
        adapter = DiscordAdapter(config or self.config(), self.hubkit.redis)
        data = {
            "name": "testbot",
            "skills": ["skills.help", "skills.about", "skills.fallback"],
            "admins": ["discord:UADMIN"],
            **bot,
        }
        assembly = assemble(
            parse_bot(data, source="test"), self.hubkit.redis, adapters=[adapter], model=gateway
        )
        await assembly.hub.start()
        self._assemblies.append(assembly)
        server = TestServer(assembly.http_app(), host="127.0.0.1")
        await server.start_server()
        hub = DiscordHub(assembly, adapter, server, aiohttp.ClientSession())
        if gateway is not None and hasattr(gateway, "hub"):
            gateway.hub = assembly.hub
        self._opened.append(hub)
        if connect and adapter.gateway is not None:
            await self.fake.wait_for(lambda: any(s.connected for s in adapter.gateway.sessions))  # type: ignore[union-attr]
        return hub

    async def close(self) -> None:
        # Bounded: after a failed test pytest-asyncio may resume teardown where background tasks
        # never run again; a hang there would hide the failure.
        try:
            await asyncio.wait_for(self._close(), 15)
        except TimeoutError:
            pass

    async def _close(self) -> None:
        for hub in self._opened:
            await hub.session.close()
            await hub.server.close()
        for assembly in self._assemblies:  # before the fake Discord goes away
            await assembly.hub.stop(grace=2)


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = await FakeDiscord().start()
    yield fake
    await fake.close()


@pytest.fixture
async def discordkit(hubkit: Any, fake_discord: FakeDiscord) -> AsyncIterator[DiscordKit]:
    kit = DiscordKit(hubkit, fake_discord)
    yield kit
    await kit.close()


__all__ = ["ASKER_ID", "MODEL_BOT", "PUBLIC_KEY", "ScriptedModel", "messages", "signed_headers"]
