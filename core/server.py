"""The one HTTP port: health, readiness, metrics, plus every adapter's routes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from core.metrics import Metrics

log = logging.getLogger(__name__)

MAX_BODY = web.AppKey("max_body", int)

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


@web.middleware
async def json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Bad input never becomes a 500 with a traceback: HTTP errors become JSON bodies."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        if exc.status == 413:
            body = {"error": "request body too large", "limit_bytes": request.app[MAX_BODY]}
        else:
            body = {"error": exc.reason}
        return web.json_response(body, status=exc.status, headers=_keep_headers(exc))
    except Exception as exc:  # noqa: BLE001 — last line: log the type, answer plainly
        log.exception("unhandled error in %s %s: %s", request.method, request.path, type(exc).__name__)
        return web.json_response({"error": "internal error"}, status=500)


def _keep_headers(exc: web.HTTPException) -> dict[str, str]:
    keep = {"Allow", "Retry-After", "WWW-Authenticate"}
    return {k: v for k, v in exc.headers.items() if k in keep}


def build_app(
    *,
    metrics: Metrics,
    ready_checks: dict[str, ReadyCheck],
    routes: Iterable[web.AbstractRouteDef] = (),
    max_body_bytes: int = 1_048_576,
) -> web.Application:
    app = web.Application(client_max_size=max_body_bytes, middlewares=[json_errors])
    app[MAX_BODY] = max_body_bytes

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        details: dict[str, Any] = {}
        ready = True
        for name, check in ready_checks.items():
            ok, detail = await check()
            details[name] = detail
            ready = ready and ok
        body = {"status": "ready" if ready else "not ready", "checks": details}
        return web.json_response(body, status=200 if ready else 503)

    async def metrics_view(_request: web.Request) -> web.Response:
        response = web.Response(body=metrics.render())
        response.headers["Content-Type"] = metrics.content_type
        return response

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)
    app.router.add_routes(list(routes))
    return app
