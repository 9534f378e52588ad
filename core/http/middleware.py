"""The one middleware every request goes through.

In order: a request id (echoed as `X-Request-Id`); for the pages a browser opens, the `Host`
check against DNS rebinding (403, `core.http.hosts`); the body limit from `Content-Length` before a
byte is read (413, connection closed); a deadline on the body (408 and closed for a slowloris);
then the handler. What comes back out:
- `BadInput` and 4xx `HTTPException`s: a JSON body and one WARNING line (reason, request id);
- a client gone mid-body: one INFO line, nothing written;
- anything else: one ERROR line with the traceback and the request id, a 500 JSON body without
  the exception text, and `switchboard_http_unhandled_total` counted. Fuzzing asserts that no
  input ever gets here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from core.http.hosts import host_allowed, is_browser_path
from core.http.limits import EdgeLimits
from core.http.parsing import BadInput
from core.metrics import Metrics

log = logging.getLogger(__name__)

REQUEST_ID = "request_id"  # the log field
REQUEST_ID_KEY = web.RequestKey("request_id", str)
STARTED = web.RequestKey("started_response", web.StreamResponse)  # already on the wire (a WebSocket)
# Connections that delivered a request: present only when a ConnectionGuard watches (and prunes) it.
SERVED = web.AppKey("served_connections", set)
_GIVEN_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_QUIET_STATUSES = {401, 403, 404, 405}  # the handler (or nothing worth saying) explains these
_KEEP_HEADERS = {"Allow", "Retry-After", "WWW-Authenticate"}
HOST_REFUSED = "this host name is not served here (add it to SWITCHBOARD_ALLOWED_HOSTS on the hub)"


def started(request: web.Request, response: web.StreamResponse) -> None:
    """Tell the middleware that `response` is on the wire (after `ws.prepare`): an error after
    this point closes it instead of writing an HTTP 500 onto an upgraded socket."""
    request[STARTED] = response


def request_id(request: web.Request) -> str:
    given = request.headers.get("X-Request-Id", "")
    return given if _GIVEN_ID.match(given) else uuid.uuid4().hex[:16]


def _route(request: web.Request) -> str:
    info = request.match_info
    resource = info.route.resource if info.route is not None else None
    return resource.canonical if resource is not None else "unmatched"


def edge_middleware(limits: EdgeLimits, metrics: Metrics) -> Any:
    @web.middleware
    async def edge(request: web.Request, handler: Any) -> web.StreamResponse:
        rid = request[REQUEST_ID_KEY] = request_id(request)
        served = request.app.get(SERVED)
        if served is not None:
            served.add(request.protocol)
        try:
            if limits.allowed_hosts and is_browser_path(request.path):
                if not host_allowed(request.headers.get("Host"), limits.allowed_hosts):
                    metrics.http_refused.labels("403").inc()
                    _warn(request, 403, "Host is not one this hub serves (SWITCHBOARD_ALLOWED_HOSTS)")
                    return _json(403, {"error": HOST_REFUSED}, rid)
            if request.content_length is not None and request.content_length > limits.max_body_bytes:
                metrics.http_refused.labels("413").inc()
                _warn(request, 413, f"Content-Length {request.content_length} over the limit")
                return await _send_and_close(request, _too_large(limits, rid))
            with _body_deadline(request, limits.body_timeout_s):
                response = await handler(request)
        except BodyTooSlow:
            metrics.http_refused.labels("408").inc()
            _warn(request, 408, f"body not received within {limits.body_timeout_s:g} s")
            return await _send_and_close(request, _json(408, {"error": "request body too slow"}, rid))
        except BadInput as exc:
            response = _refuse(request, exc.status, exc.reason)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            response = _from_http_exception(request, exc, limits)
        except ConnectionError:
            return _gone(request)
        except asyncio.CancelledError:  # some servers cancel the handler of a vanished client
            if request.transport is None or request.transport.is_closing():
                _gone(request)
            raise
        except Exception as exc:  # noqa: BLE001 — the last line: log once, answer plainly
            return await _unhandled(request, exc, metrics)
        if response.status >= 400:
            metrics.http_refused.labels(str(response.status)).inc()
        if not response.prepared:
            response.headers["X-Request-Id"] = rid
        return response

    return edge


class BodyTooSlow(Exception):
    """Set on a request's body stream when it has not arrived in time: whoever reads it stops."""


@contextlib.contextmanager
def _body_deadline(request: web.Request, timeout_s: float) -> Iterator[None]:
    """Cut a body still arriving after `timeout_s` (a slowloris), whoever reads it and however
    (`read()`, `iter_chunked`): the reader gets `BodyTooSlow`, the client a 408."""
    content = request.content
    if not request.body_exists or content.is_eof():
        yield
        return

    def expire() -> None:
        if not content.is_eof():
            content.set_exception(BodyTooSlow())

    timer = asyncio.get_running_loop().call_later(timeout_s, expire)
    try:
        yield
    finally:
        timer.cancel()


def _too_large(limits: EdgeLimits, rid: str) -> web.Response:
    return _json(413, {"error": "request body too large", "limit_bytes": limits.max_body_bytes}, rid)


def _gone(request: web.Request) -> web.Response:
    """The client disconnected (mid-body, or before its answer): one quiet line, nothing sent."""
    log.info(
        "client went away: %s %s from %s",
        request.method,
        _route(request),
        request.remote,
        extra={REQUEST_ID: request.get(REQUEST_ID_KEY, "-")},
    )
    request.protocol.force_close()
    return web.Response(status=400)


async def _send_and_close(request: web.Request, response: web.Response) -> web.Response:
    """Write the answer now and close the connection: nothing more is read from this client."""
    response.force_close()
    try:
        await response.prepare(request)
        await response.write_eof()
    except ConnectionError:
        pass
    request.protocol.force_close()  # no lingering read of a body we refused
    return response


def _json(status: int, body: dict[str, Any], rid: str, headers: dict[str, str] | None = None) -> web.Response:
    response = web.json_response({**body, "request_id": rid}, status=status, headers=headers)
    response.headers["X-Request-Id"] = rid
    return response


def _warn(request: web.Request, status: int, reason: str) -> None:
    log.warning(
        "refused %s %s with %d: %s",
        request.method,
        _route(request),
        status,
        reason,
        extra={REQUEST_ID: request.get(REQUEST_ID_KEY, "-")},
    )


def _refuse(request: web.Request, status: int, reason: str) -> web.Response:
    _warn(request, status, reason)
    return _json(status, {"error": reason}, request[REQUEST_ID_KEY])


def _from_http_exception(request: web.Request, exc: web.HTTPException, limits: EdgeLimits) -> web.Response:
    rid = request[REQUEST_ID_KEY]
    headers = {k: v for k, v in exc.headers.items() if k in _KEEP_HEADERS}
    if exc.content_type == "application/json" and exc.text:
        response = web.Response(
            text=exc.text, status=exc.status, content_type="application/json", headers=headers
        )
        response.headers["X-Request-Id"] = rid
        reason = _error_of(exc.text) or exc.reason
    elif exc.status == 413:
        body = {"error": "request body too large", "limit_bytes": limits.max_body_bytes}
        response, reason = _json(413, body, rid, headers), "body over the limit"
    else:
        response, reason = _json(exc.status, {"error": exc.reason}, rid, headers), exc.reason
    if exc.status not in _QUIET_STATUSES:
        _warn(request, exc.status, reason)
    return response


def _error_of(text: str) -> str | None:
    """The `error` sentence of a JSON error body (our own words, safe to log)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    error = value.get("error") if isinstance(value, dict) else None
    return str(error)[:200] if error else None


async def _unhandled(request: web.Request, exc: Exception, metrics: Metrics) -> web.StreamResponse:
    rid = request[REQUEST_ID_KEY]
    route = _route(request)
    metrics.http_unhandled.labels(route).inc()
    log.error(
        "unhandled %s in %s %s",
        type(exc).__name__,
        request.method,
        route,
        exc_info=exc,
        extra={REQUEST_ID: rid, "error_type": type(exc).__name__},
    )
    already = request.get(STARTED)
    if isinstance(already, web.WebSocketResponse):
        await already.close(code=1011, message=b"internal error")
        return already
    return _json(500, {"error": "internal error"}, rid)
