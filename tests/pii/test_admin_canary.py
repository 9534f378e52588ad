"""Admin commands carry PII too: `/mute call me on +48 22 123 45 67`, allowed or refused, must
never leave the core in clear — not in Redis (outside the encrypted vault), the audit stream,
the logs or /metrics. And every attempt is audited, even one the rate limit stopped."""

from __future__ import annotations

import logging

from aiohttp.test_utils import TestClient, TestServer

from adapters.rest import RestAdapter
from bots.compose import assemble
from core.botdef import parse_bot
from core.secrets import Secret
from core.settings import Settings
from tests.pii.conftest import PII_BOT, VAULT_KEY
from tests.pii.test_canary import redis_dump

TOKEN = "canary-test-token-0123456789"
PHONE = "+48 22 123 45 67"
FRAGMENTS = [PHONE, "123 45 67", "Zbigniew Kowalczyk", "Kowalczyk"]


async def _hub(redis, **overrides):  # type: ignore[no-untyped-def]
    data = {"name": "adminbot", **PII_BOT, "admins": ["api:root"], **overrides}
    bot = parse_bot(data, source="test")
    settings = Settings(api_token=Secret(TOKEN), extra={"SWITCHBOARD_VAULT_KEY": VAULT_KEY})
    assembly = assemble(bot, redis, settings=settings, adapters=[RestAdapter(Secret(TOKEN))])
    await assembly.hub.start()
    return assembly


async def _say(client, user: str, text: str, conversation: str = "c1") -> list[str]:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/messages",
        json={"conversation_id": conversation, "user_id": user, "text": text},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status == 200
    return [r["text"] for r in (await response.json())["replies"]]


async def test_admin_arguments_are_masked_allowed_and_refused(redis, analyzer, caplog):
    caplog.set_level(logging.DEBUG)
    assembly = await _hub(redis)
    async with TestClient(TestServer(assembly.http_app())) as client:
        refused = await _say(client, "mallory", f"/mute call me on {PHONE}, Zbigniew Kowalczyk")
        allowed = await _say(client, "root", f"/mute call me on {PHONE}, Zbigniew Kowalczyk")
        metrics = await (await client.get("/metrics")).text()
    await assembly.hub.stop(grace=2)

    assert refused and "admin" in refused[0].lower()  # the refusal the person sees
    assert allowed and allowed[0].startswith("Muted")
    entries = await assembly.audit.latest()
    assert [(e.user, e.command, e.allowed) for e in entries] == [
        ("api:root", "mute", True),
        ("api:mallory", "mute", False),
    ]
    assert all("<PHONE_NUMBER_" in e.args and "<PERSON_" in e.args for e in entries)  # masked, kept
    dump = await redis_dump(redis)
    logs = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    for where, text in (("redis", dump), ("logs", logs), ("metrics", metrics)):
        leaked = [c for c in FRAGMENTS if c in text]
        assert not leaked, f"{where} holds {leaked}"


async def test_admin_attempts_refused_by_the_rate_limit_are_audited(redis, analyzer):
    assembly = await _hub(redis, limits={"user_per_minute": 3})
    async with TestClient(TestServer(assembly.http_app())) as client:
        for n in range(6):
            await _say(client, "mallory", f"/status call me on {PHONE}", conversation=f"c{n}")
    await assembly.hub.stop(grace=2)

    entries = await assembly.audit.latest(20)
    assert len(entries) == 6  # every attempt, limited or not
    limited = [e for e in entries if e.result == "rate_limited"]
    assert len(limited) == 3 and all(not e.allowed and PHONE not in e.args for e in limited)
    assert PHONE not in await redis_dump(redis)
