"""Telegram webhook: updates acknowledged per second on one core.

Our `POST /telegram/webhook` (size check, the secret token compared in constant time on bytes,
strict JSON, conversion, the per-replica dedup of update ids, the "they wrote again" unblock in a
real Redis for a private message, hand-off to `receive`, which schedules a task like the hub's)
against python-telegram-bot's own webhook server (`Application.run_webhook`'s tornado handler:
content type and secret check, `Update.de_json`, `update_queue.put`, the queue drained by a
consumer as PTB's dispatcher would), on the same private-chat updates, in the same run, with the
load helper of `bench.http_load`. Target: >= 1.5x PTB's rate, p99 < 20 ms.

    python -m bench telegram          (server mode: python -m bench.telegram serve ours|ptb REDIS_URL)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from bench import http_load

SECRET = "bench_webhook_secret-0123456789"
TOKEN = "123456:bench-token-AAAAAAAAAAAAAAAAAAAAAAA"
WARMUP = 2_000
MEASURED = int(os.environ.get("SWITCHBOARD_BENCH_TELEGRAM_UPDATES", "20000"))
PAYLOAD = os.path.join(os.path.dirname(__file__), "..", "tests", "payloads", "telegram", "private_text.json")


async def _ours(redis_url: str) -> Any:
    from aiohttp import web
    from redis.asyncio import Redis

    from adapters.telegram.adapter import TelegramAdapter
    from adapters.telegram.config import TelegramConfig
    from adapters.telegram.convert import BotIdentity

    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET}
    adapter = TelegramAdapter(
        TelegramConfig.from_env(env, {}), Redis.from_url(redis_url, decode_responses=True)
    )
    adapter.intake.identity = BotIdentity(id=123456, username="bench_bot")  # start() would call getMe
    loop = asyncio.get_running_loop()

    async def turn(_event: Any) -> None:
        return None

    adapter._receive = lambda event: loop.create_task(turn(event))
    app = web.Application()
    app.router.add_routes(adapter.routes())
    return app


async def _serve_ptb() -> None:
    """PTB's webhook server, as `run_webhook` starts it, on a free port (printed)."""
    import logging
    import socket

    from telegram import Bot
    from telegram.ext._utils.webhookhandler import WebhookAppClass, WebhookServer

    logging.disable(logging.WARNING)
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def dispatch() -> None:
        while True:
            await queue.get()

    consumer = asyncio.create_task(dispatch())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = WebhookAppClass("/telegram/webhook", Bot(TOKEN), queue, secret_token=SECRET)
    await WebhookServer("127.0.0.1", port, app, None).serve_forever()
    print(port, flush=True)
    await asyncio.Event().wait()
    consumer.cancel()


def _requests(count: int, offset: int) -> list[bytes]:
    with open(PAYLOAD, encoding="utf-8") as handle:
        template = json.load(handle)
    out = []
    for n in range(offset, offset + count):
        template["update_id"] = n
        template["message"]["message_id"] = n
        body = json.dumps(template).encode()
        out.append(http_load.raw_post("/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": SECRET}, body))
    return out


def main() -> None:
    from bots.redis_runner import PrivateRedis

    redis = PrivateRedis().start()
    try:
        print(f"{MEASURED} private-chat webhook updates per side")
        names = {
            "ptb": "python-telegram-bot webhook server (tornado)",
            "ours": "Switchboard /telegram/webhook",
        }
        results = http_load.compare("bench.telegram", names, _requests, WARMUP, MEASURED, redis.url)
    finally:
        redis.stop()
    ratio = results["ours"]["rate"] / results["ptb"]["rate"]
    verdict = "meets" if ratio >= 1.5 and results["ours"]["p99"] < 20 else "misses"
    print(f"ratio ours/ptb: {ratio:.2f}x (target >= 1.5x, p99 < 20 ms: {verdict} it); best of 2 rounds")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "serve":
        if sys.argv[2] == "ptb":
            asyncio.run(_serve_ptb())
        else:
            asyncio.run(http_load.serve(_ours(sys.argv[3])))
    else:
        main()
