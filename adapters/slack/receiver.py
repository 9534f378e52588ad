"""The HTTP side on the hub's port: `POST /slack/events` and `POST /slack/commands`.

Every request is verified over its raw bytes before anything is parsed (401 otherwise, and
nothing reaches the hub); then it is acknowledged at once — the turn runs after the ack."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from adapters.slack.convert import MalformedPayload, parse_form, parse_json
from adapters.slack.verify import SignatureError, SignatureVerifier

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024  # Slack payloads are a few KB; refuse anything absurd before verifying
OnEnvelope = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
OnCommand = Callable[[Mapping[str, str]], Awaitable[dict[str, Any] | None]]

_EMPTY = b""


def _error(status: int, message: str) -> web.Response:
    return web.Response(
        status=status, body=json.dumps({"error": message}).encode(), content_type="application/json"
    )


def _ok(body: dict[str, Any] | None) -> web.Response:
    if body is None:
        return web.Response(body=_EMPTY)
    return web.Response(body=json.dumps(body).encode(), content_type="application/json")


class HttpReceiver:
    def __init__(self, verifier: SignatureVerifier, on_envelope: OnEnvelope, on_command: OnCommand) -> None:
        self._verifier = verifier
        self._on_envelope = on_envelope
        self._on_command = on_command

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.post("/slack/events", self.events), web.post("/slack/commands", self.commands)]

    async def _verified_body(self, request: web.Request) -> bytes | web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _error(413, f"request body too large (limit {MAX_BODY} bytes)")
        body = await request.read()
        if len(body) > MAX_BODY:
            return _error(413, f"request body too large (limit {MAX_BODY} bytes)")
        try:
            self._verifier.verify(request.headers, body)
        except SignatureError as exc:
            log.warning("slack request refused: %s", exc, extra={"platform": "slack"})
            return _error(401, "invalid Slack signature")
        return body

    async def events(self, request: web.Request) -> web.Response:
        body = await self._verified_body(request)
        if isinstance(body, web.Response):
            return body
        try:
            envelope = parse_json(body)
            return _ok(await self._on_envelope(envelope))
        except MalformedPayload as exc:
            return _error(400, str(exc))

    async def commands(self, request: web.Request) -> web.Response:
        body = await self._verified_body(request)
        if isinstance(body, web.Response):
            return body
        try:
            form = parse_form(body)
            if form.get("ssl_check") == "1":
                return _ok(None)
            return _ok(await self._on_command(form))
        except MalformedPayload as exc:
            return _error(400, str(exc))
