"""The HTTP side on the hub's port: `POST /slack/events` and `POST /slack/commands`, on the kit's
verified route.

Every request is verified over its raw bytes before anything is parsed (401 otherwise, and
nothing reaches the hub); then it is acknowledged at once — the turn runs after the ack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from adapters.kit.route import VerifiedRoute
from adapters.kit.verify import Verifier
from adapters.slack.convert import parse_json

MAX_BODY = 256 * 1024  # Slack payloads are a few KB; refuse anything absurd before verifying
OnEnvelope = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
OnCommand = Callable[[Mapping[str, str]], Awaitable[dict[str, Any] | None]]


class HttpReceiver:
    def __init__(self, verifier: Verifier, on_envelope: OnEnvelope, on_command: OnCommand) -> None:
        self._verifier = verifier
        self._on_envelope = on_envelope
        self._on_command = on_command

    def routes(self) -> list[web.AbstractRouteDef]:
        # Slack labels its bodies correctly, but the check was never made here: no 415 for Slack.
        events = VerifiedRoute(
            "/slack/events",
            self._verifier,
            self.events,
            parse="raw",
            max_body=MAX_BODY,
            media_types=None,
            platform="slack",
            label="Slack",
        )
        commands = VerifiedRoute(
            "/slack/commands",
            self._verifier,
            self.commands,
            parse="form",
            max_body=MAX_BODY,
            media_types=None,
            platform="slack",
            label="Slack",
        )
        return [events.route(), commands.route()]

    async def events(self, body: bytes, _request: web.Request) -> dict[str, Any] | None:
        return await self._on_envelope(parse_json(body))

    async def commands(self, form: dict[str, str], _request: web.Request) -> dict[str, Any] | None:
        if form.get("ssl_check") == "1":
            return None
        return await self._on_command(form)
