"""`python -m bots.health hub|worker`: the images' HEALTHCHECK and the pods' probes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from pathlib import Path

import redis as sync_redis
from aiohttp import web

from bots import health
from bots.worker import Heartbeat
from core.model.contract import ModelKeys
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def settings(**env: str) -> Settings:
    return Settings.from_env(env)


def test_a_worker_is_healthy_while_its_heartbeat_is_fresh(redis_url):
    prefix = f"health{uuid.uuid4().hex[:6]}"
    config = settings(SWITCHBOARD_REDIS_URL=redis_url, SWITCHBOARD_KEY_PREFIX=prefix)
    connection = sync_redis.Redis.from_url(redis_url)
    assert health.worker_problem(config, host="box") == "no worker of host box has a fresh heartbeat"
    beat = Heartbeat(connection, ModelKeys(prefix), "box.41.a1b2c3", {"model": "smollm2"}).start()
    try:
        assert health.worker_problem(config, host="box") is None
        assert health.worker_problem(config, host="bo") is not None  # another container's name prefix
        assert health.worker_problem(config, host="other") is not None
    finally:
        beat.stop()
    assert health.worker_problem(config, host="box") is not None  # a stopped worker removes its key
    connection.close()


def test_a_worker_without_redis_is_unhealthy_and_the_url_is_not_printed():
    closed = "redis://:s3cret@127.0.0.1:1/0"
    problem = health.worker_problem(settings(SWITCHBOARD_REDIS_URL=closed), host="box")
    assert problem is not None and problem.startswith("Redis does not answer") and "s3cret" not in problem
    assert health.worker_problem(settings(), host="box") == "SWITCHBOARD_REDIS_URL is not set"


async def test_the_hub_check_reads_healthz_on_the_configured_port():
    status = {"code": 200}

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(status=status["code"], text="ok")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        config = settings(SWITCHBOARD_HTTP_PORT=str(port))
        assert await asyncio.to_thread(health.hub_problem, config) is None
        status["code"] = 503
        assert await asyncio.to_thread(health.hub_problem, config) == (
            f"http://127.0.0.1:{port}/healthz answered 503"
        )
    finally:
        await runner.cleanup()
    problem = await asyncio.to_thread(health.hub_problem, settings(SWITCHBOARD_HTTP_PORT=str(port)))
    assert problem is not None and "does not answer" in problem


def test_the_command_exits_1_when_unhealthy_and_2_on_a_wrong_role():
    env = {"PATH": "/usr/bin:/bin", "SWITCHBOARD_HTTP_PORT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bots.health", "hub"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1 and done.stdout.startswith("unhealthy: http://127.0.0.1:1/healthz")
    assert health.main(["db"]) == 2
