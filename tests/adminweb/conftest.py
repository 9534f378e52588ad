"""A real hub with the admin dashboard on (a token in its environment) behind aiohttp's test
server on loopback, real Redis; helpers to log in and act as a browser would."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bots.compose import Assembly, assemble
from core.botdef import parse_bot
from core.settings import Settings
from tests.fakes import FakeAdapter

ADMIN_TOKEN = "admin-token-4b1d9e7c02a6f35e"
SKILLS = ["skills.help", "skills.about", "skills.fallback"]
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the dashboard page has no CSRF token"
    return found.group(1)


@dataclass
class Dashboard:
    assembly: Assembly
    client: TestClient
    adapter: FakeAdapter

    @property
    def origin(self) -> str:
        return str(self.client.make_url("/")).rstrip("/")

    async def login(self, token: str = ADMIN_TOKEN, **headers: str) -> Any:
        return await self.client.post(
            "/admin/login",
            data={"token": token},
            headers={"Origin": self.origin, **headers},
            allow_redirects=False,
        )

    async def logged_in(self) -> str:
        """Log in; the CSRF token of the new session."""
        response = await self.login()
        assert response.status == 303, await response.text()
        page = await self.client.get("/admin")
        assert page.status == 200
        return csrf_of(await page.text())

    async def act(self, action: str, csrf: str | None, *, origin: str | None = "", **fields: str) -> Any:
        headers = {"Accept": "application/json", "Origin": self.origin if origin == "" else origin}
        if origin is None:
            headers.pop("Origin")
        data = dict(fields)
        if csrf is not None:
            data["csrf"] = csrf
        return await self.client.post(f"/admin/actions/{action}", data=data, headers=headers)


@asynccontextmanager
async def dashboard_hub(
    redis: Redis,
    *,
    token: str | None = ADMIN_TOKEN,
    env: dict[str, str] | None = None,
    adapters: list[Any] | None = None,
    masker: Any = None,
    **bot: Any,
) -> AsyncIterator[Dashboard]:
    data: dict[str, Any] = {"name": "adminbot", "skills": SKILLS, "admins": ["fake:root"], **bot}
    extra = {**({"SWITCHBOARD_ADMIN_TOKEN": token} if token else {}), **(env or {})}
    fake = FakeAdapter()
    assembly = assemble(
        parse_bot(data, source="test"),
        redis,
        settings=Settings(extra=extra),
        adapters=[fake, *(adapters or [])],
        masker=masker,
    )
    await assembly.hub.start()
    if assembly.model_service is not None:
        await assembly.model_service.start()
    client = TestClient(TestServer(assembly.http_app(), host="127.0.0.1"))
    await client.start_server()
    try:
        yield Dashboard(assembly, client, fake)
    finally:
        if assembly.model_service is not None:
            await assembly.model_service.stop()
        await assembly.hub.stop(grace=2)
        await client.close()


@pytest.fixture
async def dashboard(redis: Redis) -> AsyncIterator[Dashboard]:
    async with dashboard_hub(redis) as hub:
        yield hub


@pytest.fixture
def model_workers() -> Any:
    """Real `switchboard worker` processes (see tests/model/conftest.py), stopped at the end."""
    from tests.model.conftest import WorkerProcess

    started: list[WorkerProcess] = []

    def start(bot: Any, redis_url: str, model: str) -> WorkerProcess:
        worker = WorkerProcess(bot, redis_url, model).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
