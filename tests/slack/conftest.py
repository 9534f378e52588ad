"""A full hub with the real Slack adapter, served on 127.0.0.1, talking to a FakeSlack."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from adapters.slack import SlackAdapter, SlackConfig
from adapters.slack.verify import signature
from bots.compose import Assembly, assemble
from core.botdef import parse_bot
from tests.fakes import MODEL_BOT, ScriptedModel
from tests.slack.fake_slack import FakeSlack

__all__ = ["MODEL_BOT", "ScriptedModel", "SlackHub", "SlackKit", "signed_headers"]

SIGNING_SECRET = "test-signing-secret-0123456789"
FAST = {"post_interval_s": 0, "edit_interval_s": 0.05, "working_delay_s": 5}


def signed_headers(body: bytes, *, ts: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature(secret, stamp, body)}


@dataclass
class SlackHub:
    assembly: Assembly
    adapter: SlackAdapter
    server: TestServer
    session: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        async with self.session.post(self.url + path, data=body, headers=headers) as response:
            text = await response.text()
            return response.status, (json.loads(text) if text else None)

    async def event(
        self, envelope: dict[str, Any], *, extra_headers: dict[str, str] | None = None, sign: bool = True
    ) -> tuple[int, Any]:
        body = json.dumps(envelope).encode()
        headers = {"Content-Type": "application/json", **(signed_headers(body) if sign else {})}
        return await self.post("/slack/events", body, {**headers, **(extra_headers or {})})

    async def command(self, form: dict[str, str]) -> tuple[int, Any]:
        body = urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
        return await self.post("/slack/commands", body, headers)

    def events_received(self) -> float:
        return self.assembly.metrics.events_in.labels("slack")._value.get()

    async def settle(self) -> None:
        """Wait until every turn and background hand-off of this hub has finished."""
        hub = self.assembly.hub
        while hub.in_flight or len(self.adapter.background):
            await hub.drain()
            await self.adapter.background.drain()


class SlackKit:
    def __init__(self, hubkit: Any, fake: FakeSlack) -> None:
        self.hubkit = hubkit
        self.fake = fake
        self._opened: list[SlackHub] = []
        self._assemblies: list[Assembly] = []

    def config(self, env: dict[str, str] | None = None, **options: Any) -> SlackConfig:
        base = {
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-one",
            "SWITCHBOARD_SLACK_API_URL": self.fake.api_url,
        }
        return SlackConfig.from_env({**base, **(env or {})}, {**FAST, **options})

    async def build(self, config: SlackConfig | None = None, *, gateway: Any = None, **bot: Any) -> SlackHub:
        """A hub like `hubkit.build` makes, with the Slack adapter (and a model gateway) in it."""
        adapter = SlackAdapter(config or self.config(), self.hubkit.redis)
        data = {
            "name": "testbot",
            "skills": ["skills.help", "skills.about", "skills.fallback"],
            "admins": ["slack:UADMIN"],
            **bot,
        }
        assembly = assemble(
            parse_bot(data, source="test"), self.hubkit.redis, adapters=[adapter], model=gateway
        )
        await assembly.hub.start()
        self._assemblies.append(assembly)
        server = TestServer(assembly.http_app(), host="127.0.0.1")
        await server.start_server()
        hub = SlackHub(assembly, adapter, server, aiohttp.ClientSession())
        if gateway is not None and hasattr(gateway, "hub"):
            gateway.hub = assembly.hub
        self._opened.append(hub)
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
        for assembly in self._assemblies:
            await assembly.hub.stop(grace=2)


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


@pytest.fixture
async def slackkit(hubkit: Any, fake_slack: FakeSlack) -> AsyncIterator[SlackKit]:
    kit = SlackKit(hubkit, fake_slack)
    yield kit
    await kit.close()
