"""A small Slack that runs on 127.0.0.1: the Web API methods Switchboard calls, a Socket Mode
WebSocket, and a `response_url` sink. It records every call so tests assert what users would see."""

from __future__ import annotations

import asyncio
import json
import time
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
# people in team T1 (users.info): a support agent, and someone with no helpdesk account
PEOPLE = {
    "UANN": {"real_name": "Ann Agent", "display_name": "Ann", "email": "ann@example.com"},
    "UBOB": {"real_name": "Bob Sales", "display_name": "Bob", "email": "bob@example.com"},
}


@dataclass
class Call:
    method: str
    token: str
    args: dict[str, Any]


@dataclass
class Failure:
    status: int
    headers: dict[str, str]
    after_effect: bool = False  # Slack did the work, then answered with the error anyway


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)  # what people see, in order
    reactions: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (channel, ts) -> names
    refusals: dict[str, tuple[int, str]] = field(default_factory=dict)  # method -> (status, error), always
    server: TestServer | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _last_ts: float = 0.0

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk reads history with GET
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

    def fail_next(
        self, method: str, status: int, headers: dict[str, str] | None = None, *, after_effect: bool = False
    ) -> None:
        self.failures.setdefault(method, []).append(Failure(status, headers or {}, after_effect))

    def refuse(self, method: str, error: str, status: int = 200) -> None:
        """Answer every later call of `method` with `error` (HTTP `status`)."""
        self.refusals[method] = (status, error)

    def reactions_on(self, channel: str, ts: str) -> set[str]:
        return set(self.reactions.get((channel, ts), set()))

    def shown(self, channel: str | None = None) -> list[str]:
        """The texts of the messages in `channel` (every channel if None), as people see them."""
        return [m["text"] for m in self.messages if channel in (None, m["channel"])]

    def delete(self, ts: str) -> None:
        """Someone deleted the message `ts` (later chat.update calls get message_not_found)."""
        self.messages = [m for m in self.messages if m["ts"] != ts]

    def _next_ts(self) -> str:
        self._last_ts = max(time.time(), self._last_ts + 0.000_001)
        return f"{self._last_ts:.6f}"

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
        if method in self.refusals:
            status, error = self.refusals[method]
            self.calls.append(Call(f"{method}!{error}", token, args))
            self._pulse()
            return web.json_response({"ok": False, "error": error}, status=status)
        pending = self.failures.get(method)
        if pending:
            failure = pending.pop(0)
            self.calls.append(Call(f"{method}!{failure.status}", token, args))
            if failure.after_effect:
                self._answer(method, token, authorization, args)
            self._pulse()
            error = "ratelimited" if failure.status == 429 else "internal_error"
            return web.json_response(
                {"ok": False, "error": error}, status=failure.status, headers=failure.headers
            )
        self.calls.append(Call(method, token, args))
        response = self._answer(method, token, authorization, args)
        self._pulse()
        return response

    def _answer(self, method: str, token: str, authorization: str, args: dict[str, Any]) -> web.Response:
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
            message = {
                "type": "message",
                "channel": args.get("channel"),
                "ts": self._next_ts(),
                "thread_ts": args.get("thread_ts"),
                "text": args.get("text", ""),
                "bot_id": team["bot_id"],
                "metadata": args.get("metadata"),
            }
            self.messages.append(message)
            return web.json_response({"ok": True, "channel": args.get("channel"), "ts": message["ts"]})
        if method == "chat.update":
            found = [
                m for m in self.messages if m["ts"] == args.get("ts") and m["channel"] == args.get("channel")
            ]
            if not found:
                return web.json_response({"ok": False, "error": "message_not_found"})
            found[0]["text"] = args.get("text", "")
            return web.json_response({"ok": True, "channel": args.get("channel"), "ts": args.get("ts")})
        if method in {"conversations.history", "conversations.replies"}:
            return web.json_response({"ok": True, "messages": self._history(method, args), "has_more": False})
        if method == "users.info":
            person = PEOPLE.get(str(args.get("user")))
            if person is None:
                return web.json_response({"ok": False, "error": "user_not_found"})
            user = {"id": args.get("user"), "real_name": person["real_name"], "profile": dict(person)}
            return web.json_response({"ok": True, "user": user})
        if method == "chat.postEphemeral":
            return web.json_response({"ok": True, "message_ts": self._next_ts()})
        if method in {"reactions.add", "reactions.remove"}:
            names = self.reactions.setdefault((str(args.get("channel")), str(args.get("timestamp"))), set())
            name = str(args.get("name"))
            if method == "reactions.add" and name in names:
                return web.json_response({"ok": False, "error": "already_reacted"})
            if method == "reactions.remove" and name not in names:
                return web.json_response({"ok": False, "error": "no_reaction"})
            (names.add if method == "reactions.add" else names.discard)(name)
            return web.json_response({"ok": True})
        return web.json_response({"ok": False, "error": "unknown_method"})

    def _history(self, method: str, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Messages newest first (history) or oldest first (replies), metadata only on request."""
        oldest = float(args.get("oldest") or 0)
        thread = args.get("ts")
        found = [
            m
            for m in self.messages
            if m["channel"] == args.get("channel")
            and float(m["ts"]) >= oldest
            and (
                m.get("thread_ts") == thread if method == "conversations.replies" else not m.get("thread_ts")
            )
        ]
        with_metadata = str(args.get("include_all_metadata", "")).lower() in {"1", "true"}
        shown = [
            {k: v for k, v in m.items() if v is not None and (with_metadata or k != "metadata")}
            for m in found
        ]
        return shown if method == "conversations.replies" else shown[::-1]

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
