"""A small Slack that runs on 127.0.0.1: the Web API methods Switchboard calls, a Socket Mode
WebSocket, and a `response_url` sink. It records every call so tests assert what users would see."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

TEAMS = {
    "xoxb-one": {"team_id": "T1", "team": "Acme", "user_id": "UBOT", "bot_id": "BBOT"},
    "xoxb-two": {"team_id": "T2", "team": "Globex", "user_id": "UBOT2", "bot_id": "BBOT2"},
}
OAUTH_CODES = {"code-for-t2": "xoxb-two"}
APP_TOKEN = "xapp-1-A1-test"


@dataclass
class Call:
    method: str
    token: str
    args: dict[str, Any]


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    server: TestServer | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/response/{id}", self._response_url)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self.server is not None:
            await self.server.close()

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    # -- what tests look at -----------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posts(self) -> list[Call]:
        return self.of("chat.postMessage")

    def fail_next(self, method: str, status: int, headers: dict[str, str] | None = None) -> None:
        self.failures.setdefault(method, []).append((status, headers or {}))

    def _pulse(self) -> None:
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15) -> None:
        """Wait until `predicate()` holds (a guard against hanging, not a timing assertion)."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    # -- Web API ---------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        authorization = request.headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ").strip()
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        pending = self.failures.get(method)
        if pending:
            status, headers = pending.pop(0)
            self.calls.append(Call(f"{method}!{status}", token, args))
            self._pulse()
            return web.json_response({"ok": False, "error": "ratelimited"}, status=status, headers=headers)
        self.calls.append(Call(method, token, args))
        self._pulse()
        if method == "apps.connections.open":
            if token != APP_TOKEN:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self.server.port}/socket"})
        if method == "oauth.v2.access":
            if authorization.startswith("Basic "):
                basic = aiohttp.BasicAuth.decode(authorization)
                args.update(client_id=basic.login, client_secret=basic.password)
            return self._oauth(args)
        team = TEAMS.get(token)
        if team is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "url": "https://acme.slack.com/", "user": "switchboard", **team}
            )
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return web.json_response({"ok": True, "channel": args.get("channel"), "ts": ts})
        if method == "chat.update":
            return web.json_response({"ok": True, "channel": args.get("channel"), "ts": args.get("ts")})
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"})
        if method in {"reactions.add", "reactions.remove"}:
            return web.json_response({"ok": True})
        return web.json_response({"ok": False, "error": "unknown_method"})

    def _oauth(self, args: dict[str, Any]) -> web.Response:
        token = OAUTH_CODES.get(str(args.get("code")))
        if (
            token is None
            or args.get("client_id") != "client-1"
            or args.get("client_secret") != "client-secret"
        ):
            return web.json_response({"ok": False, "error": "invalid_code"})
        team = TEAMS[token]
        return web.json_response(
            {
                "ok": True,
                "access_token": token,
                "token_type": "bot",
                "scope": "chat:write,app_mentions:read",
                "bot_user_id": team["user_id"],
                "app_id": "A1",
                "team": {"id": team["team_id"], "name": team["team"]},
                "enterprise": None,
                "authed_user": {"id": "U2ADMIN"},
            }
        )

    # -- response_url ------------------------------------------------------------------------
    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(await request.json())
        self._pulse()
        return web.Response(text="ok")

    # -- Socket Mode -------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": len(self.sockets), "debug_info": {}})
        self._pulse()
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
                    self._pulse()
        finally:
            self.sockets.remove(ws)
            self._pulse()
        return ws

    async def push(self, envelope: dict[str, Any]) -> None:
        """Send an envelope over the (one) open Socket Mode connection."""
        assert len(self.sockets) == 1, f"{len(self.sockets)} socket mode connections open"
        await self.sockets[0].send_json(envelope)
