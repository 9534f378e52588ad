"""The hub can run its own model workers (`switchboard run --workers N`; one by default on the
private Redis): child processes, each restarted if it dies, stopped warmly (the job in hand is
finished) when the hub stops, and sent SIGTERM by the kernel if the hub itself is killed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

from redis.asyncio import Redis

from bots.orphans import die_with_parent
from core.botdef import BotDefinition
from core.model.contract import ModelKeys
from core.settings import Settings

log = logging.getLogger(__name__)

CONFIG_ERROR_EXIT = 2
MAX_BACKOFF_S = 30.0
HEALTHY_RUN_S = 30.0
STOP_GRACE_S = 15.0
READY_WAIT_S = 180.0  # the first start converts the embedded model (seconds)


def redis_url_of(client: Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
    return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


class WorkerSupervisor:
    def __init__(self, env: dict[str, str], bot: str, *, output: Path | None = None) -> None:
        self._env = env
        self._bot = bot
        self._output = output  # None: the hub's own stdout/stderr
        self._proc: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.returncode is None else None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._keep_running())

    async def _keep_running(self) -> None:
        backoff = 1.0
        while not self._stopping:
            sink = self._output.open("ab") if self._output is not None else None
            try:
                self._proc = await asyncio.create_subprocess_exec(
                    *(sys.executable, "-m", "bots.cli", "worker", "--bot", self._bot),
                    env=self._env,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=sink,
                    stderr=asyncio.subprocess.STDOUT if sink is not None else None,
                    preexec_fn=die_with_parent(signal.SIGTERM),  # noqa: PLW1509 — prctl only
                )
            finally:
                if sink is not None:
                    sink.close()
            self.starts += 1
            log.info("model worker started (pid %d)", self._proc.pid)
            began = time.monotonic()
            code = await self._proc.wait()
            if time.monotonic() - began > HEALTHY_RUN_S:
                backoff = 1.0  # it had been working: one crash (a poison job) is not a crash loop
            if self._stopping:
                return
            if code == CONFIG_ERROR_EXIT:
                log.error("model worker cannot start (see its message above); not restarting it")
                return
            log.warning("model worker exited with code %s; restarting in %.0f s", code, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def ready(self, redis: Redis, keys: ModelKeys) -> bool:
        """Wait until this worker heartbeats (True) or gives up for good (False)."""
        while True:
            pid = self.pid
            if pid is not None:
                for name in cast("set[str]", await redis.smembers(keys.workers)):
                    if f".{pid}." in name and await redis.exists(keys.worker(name)):
                        return True
            if self._task is not None and self._task.done():
                return False
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        self._stopping = True
        proc = self._proc
        if proc is not None and proc.returncode is None:
            proc.send_signal(signal.SIGTERM)  # warm shutdown: finish the job in hand
            try:
                await asyncio.wait_for(proc.wait(), STOP_GRACE_S)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        log.info("model worker stopped")


@contextlib.asynccontextmanager
async def embedded_workers(
    settings: Settings,
    bot: BotDefinition,
    redis: Redis,
    bot_arg: str,
    count: int,
    *,
    log_level: str = "INFO",
    output: Path | None = None,
) -> AsyncIterator[list[WorkerSupervisor]]:
    """`count` supervised workers of the bot's first model on the hub's Redis, ready (their
    heartbeat seen, or given up) when the block starts; stopped when it ends."""
    if count <= 0 or not bot.model.enabled:
        yield []
        return
    env = {
        **os.environ,
        "SWITCHBOARD_REDIS_URL": redis_url_of(redis),
        "SWITCHBOARD_KEY_PREFIX": settings.key_prefix,
        "SWITCHBOARD_LOG_LEVEL": log_level,
    }
    supervisors = [WorkerSupervisor(env, bot_arg, output=output) for _ in range(count)]
    for supervisor in supervisors:
        supervisor.start()
    try:
        keys = ModelKeys(settings.key_prefix)
        try:
            async with asyncio.timeout(READY_WAIT_S):
                await asyncio.gather(*(s.ready(redis, keys) for s in supervisors))
        except TimeoutError:
            log.warning("model workers not ready after %.0f s; the hub starts anyway", READY_WAIT_S)
        yield supervisors
    finally:
        await asyncio.gather(*(supervisor.stop() for supervisor in supervisors))
