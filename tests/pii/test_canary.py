"""Canary scan: conversations full of PII through the REST API of a running server; afterwards no
canary value may appear in any Redis key or value, in the logs or on /metrics."""

from __future__ import annotations

import logging

from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from adapters.rest import RestAdapter
from bots.compose import assemble
from core.botdef import parse_bot
from core.pii.masker import PiiMasker
from core.secrets import Secret
from core.settings import Settings
from tests.pii.conftest import PII_BOT, VAULT_KEY, StandInModel
from tests.pii.test_roundtrip import echo_placeholders

TOKEN = "canary-test-token-0123456789"
CANARIES = {
    "Zbigniew Kowalczyk": "Thanks,\nZbigniew Kowalczyk",
    "zk.canary@example.org": "my mail is zk.canary@example.org",
    "+48 22 123 45 67": "call me on +48 22 123 45 67 please",
    "4111 1111 1111 1111": "card 4111 1111 1111 1111 was charged twice",
    "GB33BUKB20201555555555": "refund to GB33BUKB20201555555555",
    "536-22-1234": "my SSN is 536-22-1234",
    "203.0.113.77": "blocked from 203.0.113.77",
    "742 Evergreen Terrace": "ship to 742 Evergreen Terrace, Springfield, IL 62704",
    "AKIAIOSFODNN7EXAMPLE": "oops, aws key AKIAIOSFODNN7EXAMPLE",
}
FRAGMENTS = [
    "Kowalczyk",
    "zk.canary",
    "123 45 67",
    "4111 1111",
    "1555555555",
    "536-22",
    "203.0.113",
    "Evergreen",
    "AKIAIOSF",
]


async def redis_dump(redis: Redis) -> str:
    """Every key and value in the database, whatever the type (SCAN, never KEYS)."""
    parts: list[str] = []
    async for key in redis.scan_iter(count=500):
        parts.append(key)
        kind = await redis.type(key)
        if kind == "string":
            parts.append(str(await redis.get(key)))
        elif kind == "hash":
            parts.append(str(await redis.hgetall(key)))
        elif kind == "list":
            parts.append(str(await redis.lrange(key, 0, -1)))
        elif kind == "set":
            parts.append(str(await redis.smembers(key)))
        elif kind == "zset":
            parts.append(str(await redis.zrange(key, 0, -1, withscores=True)))
        elif kind == "stream":
            parts.append(str(await redis.xrange(key)))
    return "\n".join(parts)


async def test_no_canary_leaves_the_core(redis, analyzer, caplog):
    caplog.set_level(logging.DEBUG)
    bot = parse_bot({"name": "canarybot", **PII_BOT}, source="test")
    settings = Settings(api_token=Secret(TOKEN), extra={"SWITCHBOARD_VAULT_KEY": VAULT_KEY})
    model = StandInModel(None, echo_placeholders)
    assembly = assemble(bot, redis, settings=settings, adapters=[RestAdapter(Secret(TOKEN))], model=model)
    assert isinstance(assembly.masker, PiiMasker)  # wired from `[pii] enabled = true`
    model.masker = assembly.masker
    await assembly.hub.start()
    replies: list[str] = []
    async with TestClient(TestServer(assembly.http_app())) as client:
        ready = await client.get("/readyz")
        assert ready.status == 200 and (await ready.json())["checks"]["pii"] == "ok"
        for conversation in ("c1", "c2", "c3"):
            for text in CANARIES.values():
                response = await client.post(
                    "/api/v1/messages",
                    json={"conversation_id": conversation, "user_id": "u1", "text": text},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
                assert response.status == 200
                replies += [r["text"] for r in (await response.json())["replies"]]
        metrics = await (await client.get("/metrics")).text()
    await assembly.hub.stop(grace=2)

    assert all(canary in " ".join(replies) for canary in CANARIES)  # the user sees the originals
    assert model.prompts and all("<" in prompt for prompt in model.prompts)
    dump = await redis_dump(redis)
    assert "canarybot:pii:" in dump and "canarybot:memory:" in dump  # vault and memory were written
    logs = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    prompts = "\n".join(model.prompts)
    for where, text in (("redis", dump), ("logs", logs), ("metrics", metrics), ("prompts", prompts)):
        leaked = [c for c in [*CANARIES, *FRAGMENTS] if c in text]
        assert not leaked, f"{where} holds {leaked}"
    assert 'switchboard_pii_entities_masked_total{entity="EMAIL_ADDRESS",platform="api"} 3.0' in metrics
