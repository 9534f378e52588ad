"""A real hub with the web adapters (web chat + REST API) behind a real aiohttp server.

Shared by the HTTP API, web chat and browser tests: `assemble()` + `Assembly.http_app()`,
exactly what `switchboard run` serves, on a free loopback port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from adapters.rest import RestAdapter
from adapters.webchat import WebChatAdapter
from bots.compose import Assembly, assemble
from core.botdef import parse_bot
from core.secrets import Secret

TOKEN = "test-token-7f3a9c2e51b84d06"
SKILLS = ["skills.help", "skills.about", "skills.fallback"]


@dataclass
class WebHub:
    assembly: Assembly
    client: TestClient
    webchat: WebChatAdapter
    rest: RestAdapter

    @property
    def url(self) -> str:
        return str(self.client.make_url("/"))

    def auth(self, token: str = TOKEN) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def post(self, text: str, *, conversation: str = "c1", user: str = "u1", **extra: Any):
        body = {"conversation_id": conversation, "user_id": user, "text": text, **extra}
        return await self.client.post("/api/v1/messages", json=body, headers=self.auth())


@asynccontextmanager
async def web_hub(
    redis: Redis,
    *,
    token: str | None = TOKEN,
    max_body_bytes: int = 1_048_576,
    timeout_s: float = 10.0,
    webchat: dict[str, Any] | None = None,
    **bot_overrides: Any,
) -> AsyncIterator[WebHub]:
    data: dict[str, Any] = {"name": "webbot", "skills": SKILLS, "admins": ["api:root"]}
    data.update(bot_overrides)
    bot = parse_bot(data, source="test")
    chat = WebChatAdapter(title="Webbot", **(webchat or {}))
    rest = RestAdapter(Secret(token) if token else None, timeout_s=timeout_s)
    assembly = assemble(bot, redis, adapters=[chat, rest])
    await assembly.hub.start()
    client = TestClient(TestServer(assembly.http_app(max_body_bytes), host="127.0.0.1"))
    await client.start_server()
    try:
        yield WebHub(assembly, client, chat, rest)
    finally:
        await assembly.hub.stop(grace=2)
        await client.close()
