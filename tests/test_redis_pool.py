"""The hub's Redis pool under more concurrent calls than it has connections: they wait their
turn instead of failing (redis-py's default pool raised MaxConnectionsError past 100, which
failed turns under a few hundred web-chat sockets), and a wait past its limit is an outage."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bots.runner import connection_pool
from core.settings import Settings


async def test_calls_beyond_the_pool_wait_for_a_connection(redis_url):
    client = Redis.from_pool(connection_pool(redis_url, Settings(redis_max_connections=8)))
    try:
        results = await asyncio.gather(*(client.blpop([f"pool-test-{n}"], timeout=0.1) for n in range(40)))
        assert results == [None] * 40  # every call ran (each held a connection for 0.1 s)
        assert len(client.connection_pool._in_use_connections) == 0
    finally:
        await client.aclose()


async def test_a_wait_past_its_limit_is_a_connection_error(redis_url):
    settings = Settings(redis_max_connections=8, redis_wait_s=0.2)
    client = Redis.from_pool(connection_pool(redis_url, settings))
    try:
        held = [asyncio.ensure_future(client.blpop([f"held-{n}"], timeout=2)) for n in range(8)]
        while len(client.connection_pool._in_use_connections) < 8:  # the eight are taken
            await asyncio.sleep(0)
        with pytest.raises(RedisConnectionError):
            await client.get("pool-test")
        await asyncio.gather(*held)
    finally:
        await client.aclose()
