"""Generic hooks: Standard Webhooks in (known answer, refusals), fields mapped from the payload,
the answer posted to the callback URL signed the same way, with a stable webhook-id."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.helpdesk import build_hooks, hook_problems
from adapters.kit.http import SharedSession
from adapters.kit.verify import standard_webhooks
from bots.compose import assemble
from core.botdef import parse_bot
from core.errors import ConfigError
from tests.helpdesk.conftest import TICKET_BOT

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SIGNER = standard_webhooks(SECRET)
FIELDS = {
    "ticket": "data.order_id",
    "text": "data.message",
    "author": "data.customer.id",
    "role": "data.role",
}


def event(
    message: str = "Where is my order 7731? It was due Monday.", role: str = "customer"
) -> dict[str, Any]:
    return {
        "type": "order.message",
        "timestamp": "2026-11-30T11:02:00Z",
        "data": {"order_id": "7731", "message": message, "role": role, "customer": {"id": "c-42"}},
    }


def signed(body: bytes, msg_id: str, *, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": SIGNER.sign(body, ts=stamp, id=msg_id),
        "Content-Type": "application/json",
    }


class Receiver:
    """The system behind the callback URL: verifies each reply and records it."""

    def __init__(self) -> None:
        self.replies: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.fail_first = 0
        app = web.Application()
        app.router.add_post("/replies", self.handle)
        self.server = TestServer(app, host="127.0.0.1", port=0)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        SIGNER.verify(request.headers, body)  # raises on a bad signature: the test then fails
        self.replies.append((dict(request.headers), json.loads(body)))
        if self.fail_first:
            self.fail_first -= 1
            return web.json_response({"error": "busy"}, status=503)
        return web.json_response({"ok": True})


@pytest.fixture
async def hook(redis):  # type: ignore[no-untyped-def]
    receiver = Receiver()
    await receiver.server.start_server()
    session = SharedSession()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    tables = {
        "orders": {"fields": FIELDS, "callback_url": f"http://127.0.0.1:{receiver.server.port}/replies"}
    }
    adapters = build_hooks(tables, {"SWITCHBOARD_HOOK_ORDERS_SECRET": SECRET}, redis, session, sleep=sleep)
    assembly = assemble(parse_bot({"name": "testbot", **TICKET_BOT}, source="test"), redis, adapters=adapters)
    await assembly.hub.start()
    server = TestServer(assembly.http_app(), host="127.0.0.1", port=0)
    await server.start_server()
    client = aiohttp.ClientSession()

    async def post(body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        async with client.post(
            f"http://127.0.0.1:{server.port}/hooks/orders", data=body, headers=headers
        ) as r:
            return r.status, await r.json()

    async def settle() -> None:
        await assembly.hub.drain()

    yield post, settle, receiver, assembly
    await client.close()
    await server.close()
    await assembly.hub.stop(grace=2)
    await session.close()
    await receiver.server.close()


async def test_a_signed_hook_is_answered_at_the_callback_signed_the_same_way(hook):
    post, settle, receiver, _ = hook
    body = json.dumps(event()).encode()
    assert await post(body, signed(body, "msg_1")) == (200, {"status": "accepted"})
    await settle()
    ((headers, reply),) = receiver.replies
    assert reply["ticket"] == "7731" and reply["visibility"] == "internal"
    assert "order 7731" in reply["text"] and headers["webhook-id"] == reply["reference"]


async def test_redelivered_webhook_id_is_answered_once(hook):
    post, settle, receiver, assembly = hook
    body = json.dumps(event()).encode()
    await asyncio.gather(post(body, signed(body, "msg_2")), post(body, signed(body, "msg_2")))
    await post(body, signed(body, "msg_2"))
    await settle()
    assert len(receiver.replies) == 1 and assembly.metrics.events_in.labels("orders")._value.get() == 1


async def test_a_503_at_the_callback_is_retried_with_the_same_webhook_id(hook):
    post, settle, receiver, _ = hook
    receiver.fail_first = 1
    body = json.dumps(event()).encode()
    await post(body, signed(body, "msg_3"))
    await settle()
    ids = [h["webhook-id"] for h, _ in receiver.replies]
    assert len(ids) == 2 and ids[0] == ids[1]  # the receiver dedups on webhook-id


@pytest.mark.parametrize("how", ["unsigned", "stale", "tampered", "wrong-id"])
async def test_refused(hook, how):
    post, settle, receiver, _ = hook
    body = json.dumps(event()).encode()
    headers = signed(body, "msg_4", ts=int(time.time()) - 600 if how == "stale" else None)
    if how == "unsigned":
        headers = {"Content-Type": "application/json"}
    elif how == "tampered":
        body = body.replace(b"7731", b"7732")
    elif how == "wrong-id":
        headers["webhook-id"] = "msg_other"
    status, answer = await post(body, headers)
    await settle()
    assert status == 401 and receiver.replies == []


async def test_unmapped_payload_is_400_and_bot_or_agent_messages_are_ignored(hook):
    post, settle, receiver, _ = hook
    body = json.dumps({"data": {"something": "else"}}).encode()
    assert (await post(body, signed(body, "msg_5")))[0] == 400
    for n, role in enumerate(["bot", "agent"]):
        body = json.dumps(event(role=role)).encode()
        status, answer = await post(body, signed(body, f"msg_6{n}"))
        assert status == 200 and answer["status"] == "ignored"
    await settle()
    assert receiver.replies == []


def test_hook_configuration_errors_name_the_key(redis):
    with pytest.raises(ConfigError, match="SWITCHBOARD_HOOK_ORDERS_SECRET"):
        build_hooks({"orders": {"fields": FIELDS}}, {}, redis, SharedSession())
    with pytest.raises(ConfigError, match="adapters.hooks.orders.*text"):
        build_hooks(
            {"orders": {"fields": {"ticket": "id"}}},
            {"SWITCHBOARD_HOOK_ORDERS_SECRET": SECRET},
            redis,
            SharedSession(),
        )
    with pytest.raises(ConfigError, match="callback_urll"):
        build_hooks(
            {"orders": {"fields": FIELDS, "callback_urll": "x"}},
            {"SWITCHBOARD_HOOK_ORDERS_SECRET": SECRET},
            redis,
            SharedSession(),
        )


def test_check_validates_hooks_without_redis_and_names_what_is_wrong():
    """`switchboard check` (and `run`, which checks first) used to crash on any valid hook table:
    it built the adapter, whose parked-writes store needs Redis, to validate the table."""
    tables = {"orders": {"fields": FIELDS, "callback_url": "https://orders.example.com/replies"}}
    assert hook_problems(tables, {"SWITCHBOARD_HOOK_ORDERS_SECRET": SECRET}, source="bot.toml") == []
    found = hook_problems(tables, {}, source="bot.toml")
    assert found == [
        "bot.toml: key 'adapters.hooks.orders': set SWITCHBOARD_HOOK_ORDERS_SECRET in the environment"
    ]
