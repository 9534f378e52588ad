"""The hub process: Redis (private or configured), adapters, HTTP server, workers, clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web
from redis.asyncio import BlockingConnectionPool, Redis

from adapters import helpdesk
from adapters.console import ConsoleAdapter
from adapters.kit.http import SharedSession
from bots import registry
from bots.compose import Assembly, assemble
from bots.redis_runner import PrivateRedis
from bots.worker_process import embedded_workers
from core import tracing
from core.adapter import Adapter, AdapterServices
from core.botdef import BotDefinition, bot_path, load_bot, with_deployment
from core.errors import PortInUseError
from core.http import SERVED, ConnectionGuard
from core.pii import vaultkey
from core.pii.masker import PiiMasker
from core.settings import Settings

log = logging.getLogger(__name__)


def adapters_for(
    bot: BotDefinition, settings: Settings, redis: Redis, session: SharedSession | None = None
) -> list[Adapter]:
    """Every adapter the registry builds for this bot and environment (`bots.registry`), and the
    bot's generic helpdesk hooks."""
    session = session or SharedSession()
    source = str(bot_path(settings.bot))
    services = AdapterServices(
        redis=redis,
        key_prefix=settings.key_prefix,
        bot_name=bot.name,
        settings=settings,
        source=source,
        declared=frozenset(bot.adapters),
        extra={
            "http_session": session,  # the helpdesks' API client session
            "vault_key": lambda: vaultkey.load(settings.extra),  # read when an answer is parked
        },
    )
    adapters = registry.build_adapters(bot, settings.extra, services)
    hooks = bot.adapters.get("hooks")
    if hooks is not None and hooks.enabled:
        tables = {k: v for k, v in hooks.model_dump().items() if k != "enabled"}
        env = {**os.environ, **settings.extra}  # a hook names its own secret variable
        adapters += helpdesk.build_hooks(
            tables, env, redis, session, key_prefix=settings.key_prefix, source=source
        )
    return adapters


@contextlib.asynccontextmanager
async def redis_for(settings: Settings) -> AsyncIterator[Redis]:
    """The configured Redis, or a private one that lives exactly as long as this block (and
    dies with this process even on SIGKILL)."""
    private: PrivateRedis | None = None
    url = settings.redis_url
    if url is None:
        private = PrivateRedis().spawn()  # on this thread: its parent-death signal is per thread
        await asyncio.to_thread(private.wait_ready)
        url = private.url
        log.info("SWITCHBOARD_REDIS_URL is not set: using a private Redis at %s", url)
    client = Redis.from_pool(connection_pool(url, settings))
    try:
        yield client
    finally:
        await client.aclose()
        if private is not None:
            await asyncio.to_thread(private.stop)


def connection_pool(url: str, settings: Settings) -> BlockingConnectionPool:
    """A pool that makes a call wait for a free connection when all are busy (redis-py's default
    pool has 100 and raises `MaxConnectionsError` at once: under a few hundred sockets that
    failed turns). Past `redis_wait_s` the wait ends in a ConnectionError, which the turn reports
    as "temporarily unavailable"."""
    return BlockingConnectionPool.from_url(
        url,
        decode_responses=True,
        max_connections=settings.redis_max_connections,
        timeout=settings.redis_wait_s,
    )


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT, SIGTERM or SIGHUP (the terminal closed): every entry point stops
    its children and exits cleanly on each of them."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    return stop


def bind_listener(host: str, port: int) -> socket.socket:
    """Take the HTTP port before anything else starts, so a busy port is one clear error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PortInUseError(
            f"cannot listen on {host!r} ({exc.strerror}) — fix: use an address of this machine, e.g. "
            "--host 127.0.0.1 (or SWITCHBOARD_HTTP_HOST)"
        ) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"port {port} on {host} is already in use by another program — fix: stop it, or "
                f"start on another port: switchboard run --port {port + 1} (or SWITCHBOARD_HTTP_PORT)"
            ) from None
        raise PortInUseError(
            f"cannot listen on {host}:{port} ({exc.strerror}) — fix: choose another --port/--host"
        ) from None
    sock.setblocking(False)
    return sock


async def serve(
    settings: Settings,
    bot: BotDefinition | None = None,
    *,
    workers: int | None = None,
    log_level: str = "INFO",
) -> None:
    """`switchboard run`: serve until SIGINT/SIGTERM/SIGHUP, then finish or reject turns in flight."""
    bot = bot or with_deployment(load_bot(settings.bot), os.environ)
    count = (0 if settings.redis_url else 1) if workers is None else workers
    listener = bind_listener(settings.http_host, settings.http_port)
    tracing.configure("switchboard-hub")
    stop = stop_on_signals()
    session = SharedSession()  # the hub's one HTTP client session (helpdesk APIs)
    try:
        async with redis_for(settings) as redis:
            adapters = adapters_for(bot, settings, redis, session)
            assembly = assemble(
                bot,
                redis,
                settings=settings,
                adapters=adapters,
                source=str(bot_path(settings.bot)),
                skill_path=bot_path(settings.bot).parent,
                require_worker=True,
            )
            registry.wire(assembly)
            async with embedded_workers(settings, bot, redis, settings.bot, count, log_level=log_level):
                await _serve_assembly(assembly, settings, listener, stop, workers=count)
    finally:
        await session.close()
        listener.close()


async def _serve_assembly(
    assembly: Assembly, settings: Settings, listener: socket.socket, stop: asyncio.Event, *, workers: int
) -> None:
    app = assembly.http_app(settings.max_body_bytes)
    served = app[SERVED] = set()
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=5, **settings.limits.server_options())
    await runner.setup()
    assert runner.server is not None
    guard = ConnectionGuard(
        runner.server, served, settings.header_timeout_s, per_address=settings.connections_per_address
    )
    guard.start()
    site = web.SockSite(runner, listener)
    await assembly.hub.start()
    if assembly.model_service is not None:
        await assembly.model_service.start()
    await site.start()
    await _pii_loaded(assembly)
    host, port = listener.getsockname()[:2]
    host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    print(f"Switchboard bot '{assembly.hub.bot.name}' is running.", flush=True)
    for line in registry.banner(assembly.hub.adapters, f"http://{host}:{port}"):
        print(line, flush=True)
    print(f"  Model:     {await model_line(assembly, workers)}", flush=True)
    if assembly.admin_web is not None:
        print(f"  Admin:     http://{host}:{port}/admin", flush=True)
    print("  Stop with Ctrl+C.", flush=True)
    try:
        await stop.wait()
    finally:
        log.info("shutting down: finishing turns in flight")
        await assembly.hub.stop(grace=10)
        if assembly.model_service is not None:
            await assembly.model_service.stop()
        await guard.stop()
        await runner.cleanup()
        log.info("stopped")


async def model_line(assembly: Assembly, workers: int) -> str:
    """The banner's word on the model: who answers free text, and whether anyone can now."""
    service = assembly.model_service
    if service is None:
        return "none configured (commands only)"
    names = [spec.name for spec in assembly.hub.bot.model.specs()]
    live = await service.workers()
    served = [name for name in names if live.get(name)]
    if served:
        return f"{', '.join(served)} ({sum(live.values())} worker(s) ready)"
    if workers:
        return f"{', '.join(names)} — NOT RUNNING: the worker could not start (see above)"
    return f"{', '.join(names)} — NOT RUNNING: no worker yet (switchboard worker, or run --workers 1)"


async def _pii_loaded(assembly: Assembly) -> None:
    """The PII model loads on its own thread; announce the bot once it can mask (readyz says 503
    until then)."""
    if isinstance(assembly.masker, PiiMasker):
        await assembly.masker.analyzer.loaded()


async def chat(
    settings: Settings,
    user: str,
    *,
    workers: int | None = None,
    log_level: str = "INFO",
    log_file: Path | None = None,
) -> None:
    """`switchboard chat`: the terminal adapter on the same pipeline; logs (the worker's too)
    go to `log_file` so that the terminal shows the conversation only."""
    bot = with_deployment(load_bot(settings.bot), os.environ)
    count = (0 if settings.redis_url else 1) if workers is None else workers
    stop = stop_on_signals()
    async with redis_for(settings) as redis:
        console = ConsoleAdapter(user=user)
        assembly = assemble(
            bot,
            redis,
            settings=settings,
            adapters=[console],
            source=str(bot_path(settings.bot)),
            skill_path=bot_path(settings.bot).parent,
            require_worker=True,
        )
        await assembly.hub.start()
        async with embedded_workers(  # they load their model while the PII model loads here
            settings, bot, redis, settings.bot, count, log_level=log_level, output=log_file
        ):
            await _pii_loaded(assembly)
            if assembly.model_service is not None:
                await assembly.model_service.start()
                print(f"Model: {await model_line(assembly, count)}", flush=True)
            try:
                await console.repl(stop)
            finally:
                await assembly.hub.stop(grace=5)
                if assembly.model_service is not None:
                    await assembly.model_service.stop()
