"""The verified webhook route: size (413) → signature (401) → media type (415) → parse (400) → handler.

Nothing of the body is parsed, logged or handed on before the signature holds; every refusal is a
small JSON body, never a 500. Handlers get the parsed payload and the request, and return a dict
(sent as JSON), None (an empty 200) or their own response.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal
from urllib.parse import parse_qs

from aiohttp import web

from adapters.kit.verify import SignatureError, Verifier
from core.errors import SwitchboardError
from core.http import REQUEST_ID, BadInput, load_json
from core.http.middleware import REQUEST_ID_KEY
from core.metrics import PLATFORM

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY = 256 * 1024
Parse = Literal["json", "form", "raw"]
Handler = Callable[[Any, web.Request], Awaitable[dict[str, Any] | web.StreamResponse | None]]
_MEDIA = {"json": ("application/json",), "form": ("application/x-www-form-urlencoded",)}
_EMPTY = b""


class MalformedPayload(SwitchboardError):
    """The body is authentic but not something we can read (answered with 400)."""


class _TooLarge(Exception):
    pass


def error(status: int, message: str, **extra: Any) -> web.Response:
    body = json.dumps({"error": message, **extra}).encode()
    return web.Response(status=status, body=body, content_type="application/json")


def ok(body: dict[str, Any] | None, *, status: int = 200) -> web.Response:
    if body is None:
        return web.Response(status=status, body=_EMPTY)
    return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json")


def parse_json_object(body: bytes) -> dict[str, Any]:
    try:
        data = load_json(body)  # valid UTF-8, nesting bounded, no lone surrogates
    except BadInput as exc:
        raise MalformedPayload(exc.reason) from None
    if not isinstance(data, dict):
        raise MalformedPayload("body is not a JSON object")
    return data


def parse_form(body: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise MalformedPayload("form body is not UTF-8") from None
    return {key: values[0] for key, values in fields.items()}


async def read_limited(request: web.Request, limit: int) -> bytes:
    """The body, refusing it as soon as it passes `limit` (a lying or absent Content-Length)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


class VerifiedRoute:
    """One POST path. `media_types=None` skips the 415 check (a platform that labels loosely)."""

    def __init__(
        self,
        path: str,
        verifier: Verifier,
        handler: Handler,
        *,
        parse: Parse = "json",
        max_body: int = DEFAULT_MAX_BODY,
        media_types: tuple[str, ...] | None = (),
        platform: str = "",
        label: str = "",
        refusal_status: int = 401,
    ) -> None:
        self.path = path
        self._verifier = verifier
        self._handler = handler
        self._parse = parse
        self._max_body = max_body
        self._media = _MEDIA.get(parse, ()) if media_types == () else media_types
        self._platform = platform or path.strip("/").replace("/", "-")
        self._refusal = f"invalid {label} signature" if label else "invalid signature"
        self._refusal_status = refusal_status  # Telegram documents 403 for a wrong secret token

    def route(self) -> web.AbstractRouteDef:
        return web.post(self.path, self.serve)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        too_large = error(413, f"request body too large (limit {self._max_body} bytes)")
        if request.content_length is not None and request.content_length > self._max_body:
            return too_large
        try:
            body = await read_limited(request, self._max_body)
        except _TooLarge:
            return too_large
        try:
            self._verifier.verify(request.headers, body)
        except SignatureError as exc:
            log.warning("%s request refused: %s", self._platform, exc, extra={"platform": self._platform})
            PLATFORM.signature_failed(self._platform)
            return error(self._refusal_status, self._refusal)
        if self._media and request.content_type not in self._media:
            return error(415, f"expected {' or '.join(self._media)}")
        try:
            payload: Any = body
            if self._parse == "json":
                payload = parse_json_object(body)
            elif self._parse == "form":
                payload = parse_form(body)
            result = await self._handler(payload, request)
        except MalformedPayload as exc:
            rid = request.get(REQUEST_ID_KEY, "-")
            log.warning("%s request refused with 400: %s", self._platform, exc, extra={REQUEST_ID: rid})
            return error(400, str(exc), request_id=rid)
        if isinstance(result, web.StreamResponse):
            return result
        return ok(result)
