"""A full hub with one helpdesk adapter, served on 127.0.0.1, talking to that vendor's fake API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.helpdesk import HelpdeskAdapter, build, config_for
from adapters.kit.http import SharedSession
from bots.compose import Assembly, assemble
from core.botdef import parse_bot
from core.pii import vaultkey
from core.secrets import Secret
from tests.helpdesk.fake_helpdesk import FakeHelpdesk
from tests.helpdesk.signing import ENV, signed
from tests.pii.conftest import analyzer, masker, vault  # noqa: F401 — fixtures for the canary tests

VAULT_KEY = Secret(vaultkey.generate())
PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
TICKET_BOT = {"skills": ["tests.helpdesk.ticket_skill"], "fallback": "answer"}


def payload(vendor: str, name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / vendor / f"{name}.json").read_text(encoding="utf-8"))


class HelpdeskHub:
    def __init__(
        self,
        vendor: str,
        fake: FakeHelpdesk,
        adapter: HelpdeskAdapter,
        assembly: Assembly,
        server: TestServer,
        waits: list[float],
    ) -> None:
        self.vendor = vendor
        self.fake = fake
        self.adapter = adapter
        self.assembly = assembly
        self.server = server
        self.waits = waits
        self.session = aiohttp.ClientSession()

    async def deliver(
        self,
        body: dict[str, Any] | bytes,
        *,
        delivery: str = "d-1",
        sign: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json", **(signed(self.vendor, raw, delivery) if sign else {})}
        url = f"http://127.0.0.1:{self.server.port}/hooks/{self.vendor}"
        async with self.session.post(url, data=raw, headers={**hdrs, **(headers or {})}) as response:
            text = await response.text()
            return response.status, json.loads(text) if text else None

    def events_received(self) -> float:
        return self.assembly.metrics.events_in.labels(self.vendor)._value.get()

    async def settle(self) -> None:
        hub = self.assembly.hub
        await hub.drain()

    async def close(self) -> None:
        await self.session.close()
        await self.server.close()


class HelpdeskKit:
    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._open: list[Any] = []

    async def build(
        self,
        vendor: str,
        *,
        pii_masker: Any = None,
        options: dict[str, Any] | None = None,
        fake: FakeHelpdesk | None = None,
        clock: Any = None,
        **bot: Any,
    ) -> HelpdeskHub:
        """`fake`: the vendor of an earlier hub (a restart); `clock`: what the parked writes read."""
        if fake is None:
            fake = await FakeHelpdesk(vendor).start()
            self._open.append(fake)
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            await asyncio.sleep(0)

        session = SharedSession()
        env = {**ENV[vendor], **{k: fake.url for k in ENV[vendor] if k.endswith("_URL")}}
        config = config_for(vendor, env, options or {})
        adapter = build(
            vendor,
            config,
            self.redis,
            session,
            sleep=sleep,
            vault_key=lambda: VAULT_KEY,
            clock=clock,
            sweep_every_s=None,  # the tests sweep when their clock says so
        )
        data = {"name": "testbot", "admins": [], **TICKET_BOT, **bot}
        assembly = assemble(parse_bot(data, source="test"), self.redis, adapters=[adapter], masker=pii_masker)
        await assembly.hub.start()
        server = TestServer(assembly.http_app(), host="127.0.0.1", port=0)
        await server.start_server()
        hub = HelpdeskHub(vendor, fake, adapter, assembly, server, waits)
        self._open.append(hub)
        self._open.append(session)
        self._open.append(assembly)
        return hub

    async def close(self) -> None:
        for thing in reversed(self._open):
            if isinstance(thing, Assembly):
                await thing.hub.stop(grace=2)
            else:
                await thing.close()


@pytest.fixture
async def helpdesks(redis: Any) -> AsyncIterator[HelpdeskKit]:
    kit = HelpdeskKit(redis)
    yield kit
    await kit.close()
