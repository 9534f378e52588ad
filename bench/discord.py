"""Discord interactions: signed `/ask` interactions acknowledged per second on one core.

Our endpoint, `POST /discord/interactions` (Ed25519 check over the raw body via the kit's verified
route, JSON parse, conversion, the per-replica dedup of interaction ids, hand-off to `receive`,
which schedules a task like the hub's, and the deferred ack, type 5) against a reference
verify-and-respond aiohttp handler with `cryptography` (discord-interactions is not installed
here; it would use PyNaCl over the same libsodium-class Ed25519), on the same signed payloads,
in the same run. Server and load run in separate processes pinned to different cores, with the
minimal keep-alive client of bench.slack.

    python -m bench discord          (server mode: python -m bench.discord serve ours|reference)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from bench import http_load

SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")  # RFC 8032 TEST 1
WARMUP = 2_000
MEASURED = int(os.environ.get("SWITCHBOARD_BENCH_DISCORD_INTERACTIONS", "20000"))


def _public_hex() -> str:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.from_private_bytes(SEED).public_key()
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


async def _ours() -> Any:
    from aiohttp import web
    from redis.asyncio import Redis

    from adapters.discord import DiscordAdapter, DiscordConfig

    env = {
        "DISCORD_BOT_TOKEN": "bench.token",
        "DISCORD_PUBLIC_KEY": _public_hex(),
        "DISCORD_APPLICATION_ID": "1",
    }
    redis = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True)  # never reached on this path
    adapter = DiscordAdapter(DiscordConfig.from_env(env, {"gateway": False}), redis)
    loop = asyncio.get_running_loop()

    async def turn(_event: Any) -> None:
        return None

    adapter._receive = lambda event: loop.create_task(turn(event))  # no REST login: ack path only
    app = web.Application()
    app.router.add_routes(adapter.routes())
    return app


async def _reference() -> Any:
    from aiohttp import web
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(_public_hex()))

    async def interactions(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            signature = bytes.fromhex(request.headers["X-Signature-Ed25519"])
            key.verify(signature, request.headers["X-Signature-Timestamp"].encode() + body)
        except (KeyError, ValueError, InvalidSignature):
            return web.Response(status=401)
        data = json.loads(body)
        answer = {"type": 1} if data["type"] == 1 else {"type": 5}
        return web.Response(body=json.dumps(answer).encode(), content_type="application/json")

    app = web.Application()
    app.router.add_post("/discord/interactions", interactions)
    return app


async def _app(kind: str) -> Any:
    return await (_ours() if kind == "ours" else _reference())


def _requests(count: int, offset: int) -> list[bytes]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(SEED)
    path = os.path.join(
        os.path.dirname(__file__), "..", "tests", "payloads", "discord", "interaction_ask.json"
    )
    with open(path, encoding="utf-8") as handle:
        template = json.load(handle)
    stamp = str(int(time.time()))
    out = []
    for n in range(offset, offset + count):
        template["id"] = str(1_000_000_000_000_000_000 + n)
        template["token"] = f"bench-token-{n}"
        body = json.dumps(template).encode()
        signature = key.sign(stamp.encode() + body).hex()
        headers = {"X-Signature-Timestamp": stamp, "X-Signature-Ed25519": signature}
        out.append(http_load.raw_post("/discord/interactions", headers, body))
    return out


def main() -> None:
    print(f"{MEASURED} signed /ask interactions per side, deferred ack")
    names = {
        "reference": "aiohttp + cryptography verify-and-respond",
        "ours": "Switchboard /discord/interactions",
    }
    results = http_load.compare("bench.discord", names, _requests, WARMUP, MEASURED)
    ratio = results["ours"]["rate"] / results["reference"]["rate"]
    verdict = "meets" if ratio >= 1.0 and results["ours"]["p99"] < 20 else "misses"
    print(f"ratio ours/reference: {ratio:.2f}x (target >= 1.0x, p99 < 20 ms: {verdict} it); best of 2 rounds")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "serve":
        asyncio.run(http_load.serve(_app(sys.argv[2])))
    else:
        main()
