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
import subprocess
import sys
import time
from typing import Any

SECRET = "bench-signing-secret"
CONNECTIONS = 16
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


async def _serve(kind: str) -> None:
    import logging

    from aiohttp import web

    logging.disable(logging.WARNING)
    _, api_url = await _fake_web_api()
    app = await (_ours(api_url) if kind == "ours" else _bolt(api_url))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(runner.addresses[0][1], flush=True)
    await asyncio.Event().wait()


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
        head = (
            "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"X-Slack-Request-Timestamp: {stamp}\r\nX-Slack-Signature: {signature(SECRET, stamp, body)}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        out.append(head + body)
    return out


async def _one_connection(port: int, queue: list[bytes], latencies: list[float], statuses: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while queue:
        request = queue.pop()
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length:
            await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        code = head[9:12].decode()
        statuses[code] = statuses.get(code, 0) + 1
    writer.close()


async def _load(port: int, requests: list[bytes]) -> tuple[float, list[float], dict]:
    queue = list(reversed(requests))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    await asyncio.gather(*(_one_connection(port, queue, latencies, statuses) for _ in range(CONNECTIONS)))
    return time.perf_counter() - started, latencies, statuses


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _measure(kind: str, offset: int) -> dict[str, Any]:
    cpus = sorted(os.sched_getaffinity(0))
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.slack", "serve", kind],
        stdout=subprocess.PIPE,
        preexec_fn=(lambda: os.sched_setaffinity(0, {cpus[0]})),
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        asyncio.run(_load(port, _requests(WARMUP, offset)))
        elapsed, latencies, statuses = asyncio.run(_load(port, _requests(MEASURED, offset + WARMUP)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "rate": MEASURED / elapsed,
        "p50": _pct(latencies, 0.50),
        "p99": _pct(latencies, 0.99),
        "statuses": statuses,
    }


def main() -> None:
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 1:
        os.sched_setaffinity(0, set(cpus[1:]))
    print(
        f"{MEASURED} signed app_mention events per side, {CONNECTIONS} keep-alive connections; "
        f"server pinned to CPU {cpus[0]}, load from CPU(s) {cpus[1:] or cpus}"
    )
    results = {}
    for round_no in range(2):  # interleaved, twice: the machine is shared and noisy
        for kind in ("bolt", "ours"):
            result = _measure(kind, offset=(round_no * 2 + (kind == "ours")) * 1_000_000)
            best = results.get(kind)
            if best is None or result["rate"] > best["rate"]:
                results[kind] = result
    print(f"{'endpoint':<44} {'acks/s':>9} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    names = {"bolt": "slack-bolt AsyncApp, no-op listener", "ours": "Switchboard /slack/events"}
    for kind in ("bolt", "ours"):
        r = results[kind]
        print(f"{names[kind]:<44} {r['rate']:>9.0f} {r['p50']:>8.2f} {r['p99']:>8.2f}  {r['statuses']}")
    ratio = results["ours"]["rate"] / results["bolt"]["rate"]
    verdict = "meets" if ratio >= 1.5 and results["ours"]["p99"] < 20 else "misses"
    print(f"ratio ours/bolt: {ratio:.2f}x (target >= 1.5x, p99 < 20 ms: {verdict} it); best of 2 rounds each")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        asyncio.run(_serve(sys.argv[2]))
    else:
        main()
