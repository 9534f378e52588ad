"""Helpdesk ingress: signed Zendesk webhooks acknowledged per second on one core.

Our `/hooks/zendesk` (size check, base64 HMAC-SHA256 over timestamp + body, strict JSON, typed
ticket parsing, the delivery-id dedup in a real Redis, the event context written for the write
time checks, hand-off to `receive`, which schedules a task like the hub's) against a plain aiohttp
handler that reads the body and answers 200 (the reference), in the same run, on the same
payloads. Each server runs in its own process pinned to one core; the load comes from another
process over keep-alive connections (the minimal client of `bench.slack`). Target: >= 3,000/s and
p99 < 20 ms.

    python -m bench helpdesk          (server mode: python -m bench.helpdesk serve ours|plain PORT)
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from bench import http_load

SECRET = "bench-zendesk-webhook-secret"
WARMUP = 2_000
MEASURED = int(os.environ.get("SWITCHBOARD_BENCH_HELPDESK_EVENTS", "20000"))


async def _ours(redis_url: str) -> Any:
    from aiohttp import web
    from redis.asyncio import Redis

    from adapters.helpdesk import build, config_for
    from adapters.kit.http import SharedSession

    env = {"ZENDESK_URL": "http://127.0.0.1:1", "ZENDESK_WEBHOOK_SECRET": SECRET}
    redis = Redis.from_url(redis_url, decode_responses=True)
    adapter = build("zendesk", config_for("zendesk", env), redis, SharedSession(), key_prefix="bench")
    loop = asyncio.get_running_loop()

    async def turn(_event: Any) -> None:
        return None

    adapter._receive = lambda event: loop.create_task(turn(event))  # start() would call whoami()
    app = web.Application()
    app.router.add_routes(adapter.routes())
    return app


async def _plain() -> Any:
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"status": "accepted"})

    app = web.Application()
    app.router.add_post("/hooks/zendesk", handle)
    return app


async def _app(kind: str, redis_url: str) -> Any:
    return await (_ours(redis_url) if kind == "ours" else _plain())


def _requests(count: int, offset: int) -> list[bytes]:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = []
    for n in range(offset, offset + count):
        body = json.dumps(
            {
                "account_id": 22129848,
                "id": f"evt-{n}",
                "time": stamp,
                "type": "zen:event-type:ticket.comment_added",
                "subject": f"zen:ticket:{n}",
                "zendesk_event_version": "2022-11-06",
                "detail": {
                    "id": str(n),
                    "status": "OPEN",
                    "priority": "NORMAL",
                    "requester_id": "30003",
                    "subject": "Charged twice for November",
                    "tags": ["billing"],
                    "via": {"channel": "web"},
                },
                "event": {
                    "comment": {
                        "id": str(n),
                        "body": "Any news on the refund? I was charged twice.",
                        "is_public": True,
                        "author": {"id": "30003", "is_staff": False},
                    }
                },
            }
        ).encode()
        mac = base64.b64encode(
            hmac.new(SECRET.encode(), stamp.encode() + body, hashlib.sha256).digest()
        ).decode()
        headers = {
            "X-Zendesk-Webhook-Signature": mac,
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
            "X-Zendesk-Webhook-Invocation-Id": f"inv-{n}",
        }
        out.append(http_load.raw_post("/hooks/zendesk", headers, body))
    return out


def main() -> None:
    from bots.redis_runner import PrivateRedis

    redis = PrivateRedis().start()
    try:
        print(f"{MEASURED} signed Zendesk comment_added webhooks per side")
        names = {"plain": "aiohttp read body + 200 (reference)", "ours": "Switchboard /hooks/zendesk"}
        results = http_load.compare("bench.helpdesk", names, _requests, WARMUP, MEASURED, redis.url)
    finally:
        redis.stop()
    ours = results["ours"]
    verdict = "meets" if ours["rate"] >= 3000 and ours["p99"] < 20 else "misses"
    ratio = ours["rate"] / results["plain"]["rate"]
    print(
        f"ratio ours/reference: {ratio:.2f}x; target >= 3,000/s and p99 < 20 ms: "
        f"{verdict} it (best of 2 rounds)"
    )


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "serve":
        asyncio.run(http_load.serve(_app(sys.argv[2], sys.argv[3])))
    else:
        main()
