"""Slack ingress: signed `app_mention` events acknowledged per second on one core.

Our endpoint (signature check over the raw body, JSON parse, conversion, the per-replica dedup of
event ids, hand-off to `receive`, which schedules a task like the hub's) against a plain
slack-bolt `AsyncApp` with a no-op `app_mention` listener, on the same payloads, in the same run.
Each server runs in its own process pinned to one core; the load comes from another process
(pinned to the other core where there is one) over keep-alive HTTP/1.1 connections with a minimal
client, so the client is not the bottleneck. The core's Redis dedup runs inside the turn, after the
ack, and is not part of this measurement.

    python -m bench slack          (server mode: python -m bench.slack serve ours|bolt)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from bench import http_load

SECRET = "bench-signing-secret"
WARMUP = 3_000
MEASURED = int(os.environ.get("SWITCHBOARD_BENCH_SLACK_EVENTS", "30000"))


# -- the servers ------------------------------------------------------------------------------
async def _fake_web_api() -> Any:
    """auth.test, which both sides call once at start."""
    from aiohttp import web

    async def auth_test(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "BBOT"})

    app = web.Application()
    app.router.add_post("/api/auth.test", auth_test)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/api/"


async def _ours(api_url: str) -> Any:
    from aiohttp import web
    from redis.asyncio import Redis

    from adapters.slack import SlackAdapter, SlackConfig

    env = {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SWITCHBOARD_SLACK_API_URL": api_url,
    }
    redis = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True)  # never reached on this path
    adapter = SlackAdapter(SlackConfig.from_env(env), redis)
    loop = asyncio.get_running_loop()
    handed: list[int] = [0]

    async def turn(_event: Any) -> None:
        handed[0] += 1

    await adapter.start(lambda event: loop.create_task(turn(event)))
    app = web.Application()
    app.router.add_routes(adapter.routes())
    return app


async def _bolt(api_url: str) -> Any:
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token="xoxb-bench", base_url=api_url))

    @app.event("app_mention")
    async def noop() -> None:
        return None

    return app.web_app(path="/slack/events")


async def _app(kind: str) -> Any:
    _, api_url = await _fake_web_api()
    return await (_ours(api_url) if kind == "ours" else _bolt(api_url))


# -- the load -----------------------------------------------------------------------------------
def _requests(count: int, offset: int) -> list[bytes]:
    from adapters.slack.verify import signature

    stamp = str(int(time.time()))
    out = []
    for n in range(offset, offset + count):
        body = json.dumps(
            {
                "token": "x",
                "team_id": "T1",
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": f"Ev{n:010d}",
                "event_time": int(stamp),
                "event": {
                    "type": "app_mention",
                    "user": "U061F7AUR",
                    "text": "<@UBOT> what does the deploy checklist say about rollbacks?",
                    "ts": f"1515449522.{n:06d}",
                    "channel": "C0LAN2Q65",
                    "event_ts": f"1515449522.{n:06d}",
                    "team": "T1",
                },
                "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            }
        ).encode()
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature(SECRET, stamp, body)}
        out.append(http_load.raw_post("/slack/events", headers, body))
    return out


def main() -> None:
    print(f"{MEASURED} signed app_mention events per side, {http_load.CONNECTIONS} keep-alive connections")
    names = {"bolt": "slack-bolt AsyncApp, no-op listener", "ours": "Switchboard /slack/events"}
    results = http_load.compare("bench.slack", names, _requests, WARMUP, MEASURED)
    ratio = results["ours"]["rate"] / results["bolt"]["rate"]
    verdict = "meets" if ratio >= 1.5 and results["ours"]["p99"] < 20 else "misses"
    print(f"ratio ours/bolt: {ratio:.2f}x (target >= 1.5x, p99 < 20 ms: {verdict} it); best of 2 rounds each")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        asyncio.run(http_load.serve(_app(sys.argv[2])))
    else:
        main()
