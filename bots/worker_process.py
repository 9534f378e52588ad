"""The embedded default runs its own model worker: one child process, restarted if it dies,
stopped (warmly: the job in hand is finished) when the hub stops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from core.botdef import BotDefinition
from core.settings import Settings

log = logging.getLogger(__name__)

CONFIG_ERROR_EXIT = 2
MAX_BACKOFF_S = 30.0
STOP_GRACE_S = 15.0


def redis_url_of(client: Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
    return f"redis://{kwargs.get('host', '127.0.0.1')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


class WorkerSupervisor:
    def __init__(self, env: dict[str, str], bot: str) -> None:
        self._env = env
        self._bot = bot
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
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bots.cli", "worker", "--bot", self._bot, env=self._env
            )
            self.starts += 1
            log.info("model worker started (pid %d)", self._proc.pid)
            code = await self._proc.wait()
            if self._stopping:
                return
            if code == CONFIG_ERROR_EXIT:
                log.error("model worker cannot start (see its message above); not restarting it")
                return
            log.warning("model worker exited with code %s; restarting in %.0f s", code, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

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
async def embedded_worker(
    settings: Settings, bot: BotDefinition, redis: Redis, bot_arg: str
) -> AsyncIterator[WorkerSupervisor | None]:
    """One supervised worker when the hub runs on a private Redis and the bot has a model."""
    if settings.redis_url is not None or not bot.model.enabled:
        yield None
        return
    env = {
        **os.environ,
        "SWITCHBOARD_REDIS_URL": redis_url_of(redis),
        "SWITCHBOARD_KEY_PREFIX": settings.key_prefix,
    }
    supervisor = WorkerSupervisor(env, bot_arg)
    supervisor.start()
    try:
        yield supervisor
    finally:
        await supervisor.stop()
