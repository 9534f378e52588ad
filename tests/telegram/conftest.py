"""A full hub with the real Telegram adapter (real python-telegram-bot), served on 127.0.0.1,
talking to a FakeTelegram."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.telegram import TelegramAdapter, TelegramConfig
from bots.compose import Assembly, assemble
from core import messages
from core.botdef import parse_bot
from tests.fakes import MODEL_BOT, ScriptedModel
from tests.telegram.fake_telegram import FakeTelegram
from tests.telegram.payloads import TOKEN

SECRET = "test_webhook-secret_0123456789"
FAST = {"edit_interval_s": 0.2, "typing_every_s": 1, "lock_ttl_s": 1.0, "poll_timeout_s": 1}


@dataclass
class TelegramHub:
    assembly: Assembly
    adapter: TelegramAdapter
    server: TestServer
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        async with self.session.post(self.url + "/telegram/webhook", data=body, headers=headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else None)

    async def update(self, update: dict[str, Any], *, secret: str | None = SECRET) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        return await self.post(json.dumps(update).encode(), headers)

    def events_received(self) -> float:
        return self.assembly.metrics.events_in.labels("telegram")._value.get()

    async def settle(self) -> None:
        """Wait until every turn and background hand-off of this hub has finished."""
        hub = self.assembly.hub
        while hub.in_flight or len(self.adapter.background):
            await hub.drain()
            await self.adapter.background.drain()


class TelegramKit:
    def __init__(self, hubkit: Any, fake: FakeTelegram) -> None:
        self.hubkit = hubkit
        self.fake = fake
        self._opened: list[TelegramHub] = []

    def config(
        self, env: dict[str, str] | None = None, *, tag: str = "hub", **options: Any
    ) -> TelegramConfig:
        base = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "SWITCHBOARD_TELEGRAM_API_URL": self.fake.api_url(tag),
        }
        return TelegramConfig.from_env({**base, **(env or {})}, {**FAST, **options})

    async def build(
        self, config: TelegramConfig | None = None, *, gateway: Any = None, start: bool = True, **bot: Any
    ) -> TelegramHub:
        adapter = TelegramAdapter(config or self.config(), self.hubkit.redis)
        data = {
            "name": "testbot",
            "skills": ["skills.help", "skills.about", "skills.fallback"],
            "admins": ["telegram:111111111"],
            **bot,
        }
        assembly = assemble(
            parse_bot(data, source="test"), self.hubkit.redis, adapters=[adapter], model=gateway
        )
        if start:
            await assembly.hub.start()
        server = TestServer(assembly.http_app(), host="127.0.0.1")
        await server.start_server()
        hub = TelegramHub(assembly, adapter, server, aiohttp.ClientSession())
        if gateway is not None and hasattr(gateway, "hub"):
            gateway.hub = assembly.hub
        self._opened.append(hub)
        return hub

    async def stop(self, hub: TelegramHub) -> None:
        if hub in self._opened:
            self._opened.remove(hub)
            await hub.session.close()
            await hub.server.close()
            await hub.assembly.hub.stop(grace=2)

    async def close(self) -> None:
        # Bounded: after a failed test pytest-asyncio may resume teardown where background tasks
        # never run again; a hang there would hide the failure.
        for hub in list(self._opened):
            try:
                await asyncio.wait_for(self.stop(hub), 10)
            except TimeoutError:
                self._opened.remove(hub)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = await FakeTelegram().start()
    yield fake
    await fake.close()


@pytest.fixture
async def tgkit(hubkit: Any, fake_telegram: FakeTelegram) -> AsyncIterator[TelegramKit]:
    kit = TelegramKit(hubkit, fake_telegram)
    yield kit
    await kit.close()


__all__ = ["MODEL_BOT", "SECRET", "ScriptedModel", "TelegramHub", "TelegramKit", "messages"]
