"""The one HTTP port: health, readiness, metrics, plus every adapter's routes, behind the edge
middleware (`core.http`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from core.http import EdgeLimits, edge_middleware, quiet_aiohttp_errors
from core.metrics import Metrics

log = logging.getLogger(__name__)

# A readiness check returns (ok, detail). Detail is shown in the /readyz body.
ReadyCheck = Callable[[], Awaitable[tuple[bool, Any]]]


def redis_check(redis: Redis) -> ReadyCheck:
    async def check() -> tuple[bool, Any]:
        try:
            await redis.ping()
        except Exception as exc:  # noqa: BLE001
            return False, f"redis unreachable ({type(exc).__name__})"
        return True, "ok"

    return check


async def bounded(check: ReadyCheck, timeout_s: float) -> tuple[bool, Any]:
    """A check that hangs (a frozen Redis) counts as failed after `timeout_s`."""
    try:
        async with asyncio.timeout(timeout_s):
            return await check()
    except TimeoutError:
        return False, f"no answer within {timeout_s:g} s"
    except Exception as exc:  # noqa: BLE001 — a broken check means not ready, never a 500
        return False, f"check failed ({type(exc).__name__})"


def build_app(
    *,
    metrics: Metrics,
    ready_checks: dict[str, ReadyCheck],
    routes: Iterable[web.AbstractRouteDef] = (),
    max_body_bytes: int | None = None,
    limits: EdgeLimits | None = None,
) -> web.Application:
    limits = limits or EdgeLimits()
    if max_body_bytes is not None:
        limits = replace(limits, max_body_bytes=max_body_bytes)
    quiet_aiohttp_errors()
    app = web.Application(
        client_max_size=limits.max_body_bytes, middlewares=[edge_middleware(limits, metrics)]
    )

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        names = list(ready_checks)
        results = await asyncio.gather(*(bounded(ready_checks[n], limits.readyz_timeout_s) for n in names))
        details = {name: detail for name, (_, detail) in zip(names, results, strict=True)}
        ready = all(ok for ok, _ in results)
        body = {"status": "ready" if ready else "not ready", "checks": details}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_view(_request: web.Request) -> web.Response:
        await metrics.refresh()
        response = web.Response(body=metrics.render())
        response.headers["Content-Type"] = metrics.content_type
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)
    app.router.add_routes(list(routes))
    return app
