"""A small Discord on 127.0.0.1: the REST routes Switchboard calls and a gateway WebSocket.

The gateway sends HELLO, takes IDENTIFY (closing with 4014 when the message-content intent is
asked for and not allowed) and heartbeats, sends READY and GUILD_CREATE, dispatches events with
sequence numbers, can drop connections, and on RESUME replays what the session missed — or
answers INVALID_SESSION so the client must IDENTIFY again. REST answers with Content-Type exactly
`application/json` (discord.py parses nothing else) and can answer 429 with `retry_after` on
demand. Everything is recorded so tests assert what users would see.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from tests.discord.payloads import BOT_USER_ID

TOKEN = "discord-bot-token.test"
APPLICATION_ID = BOT_USER_ID
GUILD_ID = "290926798626357250"
CHANNEL_ID = "290926798999357250"
THREAD_ID = "334385199974967065"
FORUM_ID = "290926798999357260"
FORUM_POST_ID = "334385199974967066"
MESSAGE_CONTENT_INTENT = 1 << 15
DISCORD_EPOCH_MS = 1_420_070_400_000
BOT_USER = {
    "id": BOT_USER_ID,
    "username": "switchboard",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "verified": True,
    "flags": 0,
    "mfa_enabled": False,
}


@dataclass
class Call:
    method: str
    path: str
    body: Any
    headers: dict[str, str]


@dataclass
class Session:
    id: str
    shard: tuple[int, int]
    intents: int
    events: list[dict[str, Any]] = field(default_factory=list)  # every dispatch sent, with "s"
    resumable: bool = True


@dataclass
class Connection:
    ws: web.WebSocketResponse
    session: Session | None = None


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(body).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _thread(thread_id: str, parent: str, name: str) -> dict[str, Any]:
    return {
        "id": thread_id,
        "guild_id": GUILD_ID,
        "parent_id": parent,
        "owner_id": "53908099506183680",
        "type": 11,
        "name": name,
        "last_message_id": None,
        "message_count": 3,
        "member_count": 2,
        "rate_limit_per_user": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-11-30T10:00:00.000000+00:00",
            "locked": False,
        },
    }


def guild_create() -> dict[str, Any]:
    channel = {"id": CHANNEL_ID, "type": 0, "name": "general", "position": 0, "permission_overwrites": []}
    forum = {"id": FORUM_ID, "type": 15, "name": "help-forum", "position": 1, "permission_overwrites": []}
    return {
        "id": GUILD_ID,
        "name": "Acme",
        "icon": None,
        "owner_id": "53908099506183680",
        "roles": [],
        "emojis": [],
        "stickers": [],
        "features": [],
        "members": [],
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "channels": [channel, forum],
        "threads": [_thread(THREAD_ID, CHANNEL_ID, "deploys"), _thread(FORUM_POST_ID, FORUM_ID, "how do I…")],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "joined_at": "2026-11-01T10:00:00.000000+00:00",
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
    }


class FakeDiscord:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel id -> messages, oldest first
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> commands
        self.callbacks: list[dict[str, Any]] = []  # interaction callbacks, with "interaction_id"
        self.originals: dict[str, dict[str, Any]] = {}  # interaction token -> @original message
        self.followups: list[dict[str, Any]] = []
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}  # route -> (status, body)
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.allow_message_content = True
        self.server: TestServer | None = None
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        for connection in list(self.connections):
            await connection.ws.close()
        if self.server is not None:
            await self.server.close()

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        assert self.server is not None
        return f"ws://127.0.0.1:{self.server.port}/gateway"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "DISCORD_BOT_TOKEN": TOKEN,
            "DISCORD_APPLICATION_ID": APPLICATION_ID,
            "SWITCHBOARD_DISCORD_API_URL": self.api_url,
            "SWITCHBOARD_DISCORD_GATEWAY_URL": self.gateway_url,
            **extra,
        }

    # -- what tests look at ----------------------------------------------------------------
    def snowflake(self) -> str:
        return str(((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) + next(self._ids))

    def of(self, method: str, fragment: str = "") -> list[Call]:
        return [c for c in self.calls if c.method == method and fragment in c.path]

    def posted(self, channel: str | None = None) -> list[dict[str, Any]]:
        """The bot's messages, as people see them now (edits applied), oldest first."""
        return [
            m
            for cid, messages in self.messages.items()
            if channel in (None, cid)
            for m in messages
            if m.get("sent_by_bot")
        ]

    def shown(self, channel: str | None = None) -> list[str]:
        return [m["content"] for m in self.posted(channel)]

    def pinged(self, message: dict[str, Any]) -> set[str]:
        """Who Discord would notify for `message`, by its `allowed_mentions` (absent: everything
        written is parsed): "everyone", "user:<id>", "role:<id>"."""
        content = message["content"]
        allowed = message.get("allowed_mentions")
        parse = {"everyone", "users", "roles"} if allowed is None else set(allowed.get("parse") or ())
        users = set() if allowed is None else set(allowed.get("users") or ())
        roles = set() if allowed is None else set(allowed.get("roles") or ())
        found = set()
        if "everyone" in parse and ("@everyone" in content or "@here" in content):
            found.add("everyone")
        for user in re.findall(r"<@!?(\d+)>", content):
            if "users" in parse or user in users:
                found.add(f"user:{user}")
        for role in re.findall(r"<@&(\d+)>", content):
            if "roles" in parse or role in roles:
                found.add(f"role:{role}")
        return found

    def fail_next(self, route: str, status: int, body: dict[str, Any] | None = None) -> None:
        """The next call whose "METHOD path" contains `route` is answered `status` with `body`."""
        self.failures.setdefault(route, []).append((status, body or {"message": "error", "code": 0}))

    def rate_limit_next(self, route: str, retry_after: float = 0.05) -> None:
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
        self.fail_next(route, 429, body)

    def live(self) -> list[Connection]:
        return [c for c in self.connections if c.session is not None and not c.ws.closed]

    def _pulse(self) -> None:
        self._changed.set()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15) -> None:
        """Wait until `predicate()` holds (a guard against hanging, not a timing assertion)."""
        async with asyncio.timeout(timeout):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    # -- gateway ---------------------------------------------------------------------------
    async def dispatch(self, name: str, data: dict[str, Any], *, guild: str | None = None) -> None:
        """Send a dispatch to every session on the shard that owns `guild` (live or resumable)."""
        if name == "MESSAGE_CREATE":
            self.messages.setdefault(str(data["channel_id"]), []).append(data)
        guild = guild or data.get("guild_id")
        for session in list(self.sessions.values()):
            shard_id, shards = session.shard
            if guild is not None and (int(guild) >> 22) % shards != shard_id:
                continue
            if guild is None and shard_id != 0:
                continue
            connection = next((c for c in self.live() if c.session is session), None)
            if connection is None and not session.resumable:
                continue
            payload = {"op": 0, "t": name, "s": len(session.events) + 1, "d": data}
            session.events.append(payload)
            if connection is not None:
                await connection.ws.send_str(json.dumps(payload))
        self._pulse()

    async def say(self, payload: dict[str, Any]) -> None:
        """A person posts: `payload` is a gateway dispatch as stored in tests/payloads/discord."""
        await self.dispatch(payload["t"], payload["d"])

    async def drop(self, *, resumable: bool = True) -> None:
        """Cut every gateway connection (code 4000: the client reconnects). Not `resumable`: the
        sessions are gone and RESUME is refused with INVALID_SESSION."""
        for connection in list(self.connections):
            if connection.session is not None:
                connection.session.resumable = resumable
                if not resumable:
                    self.sessions.pop(connection.session.id, None)
            await connection.ws.close(code=4000, message=b"dropped by the test")
        self._pulse()

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        connection = Connection(ws)
        self.connections.append(connection)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(message.data)
                await self._on_frame(connection, frame)
        finally:
            self.connections.remove(connection)
            self._pulse()
        return ws

    async def _on_frame(self, connection: Connection, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:
            await connection.ws.send_str(json.dumps({"op": 11}))
        elif op == 2:
            await self._identify(connection, data)
        elif op == 6:
            await self._resume(connection, data)
        self._pulse()

    async def _identify(self, connection: Connection, data: dict[str, Any]) -> None:
        self.identifies.append(data)
        if data.get("token") != TOKEN:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return
        intents = int(data.get("intents") or 0)
        if intents & MESSAGE_CONTENT_INTENT and not self.allow_message_content:
            await connection.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        shard = tuple(data.get("shard") or (0, 1))
        session = Session(uuid.uuid4().hex, (int(shard[0]), int(shard[1])), intents)
        self.sessions[session.id] = session
        connection.session = session
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": GUILD_ID, "unavailable": True}] if session.shard[0] == 0 else [],
            "session_id": session.id,
            "resume_gateway_url": self.gateway_url,
            "shard": list(session.shard),
            "application": {"id": APPLICATION_ID, "flags": 0},
        }
        await self._send(connection, "READY", ready)
        if session.shard[0] == 0:
            await self._send(connection, "GUILD_CREATE", guild_create())

    async def _send(self, connection: Connection, name: str, data: dict[str, Any]) -> None:
        assert connection.session is not None
        payload = {"op": 0, "t": name, "s": len(connection.session.events) + 1, "d": data}
        connection.session.events.append(payload)
        await connection.ws.send_str(json.dumps(payload))

    async def _resume(self, connection: Connection, data: dict[str, Any]) -> None:
        self.resumes.append(data)
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or data.get("token") != TOKEN or not session.resumable:
            await connection.ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        connection.session = session
        for payload in session.events[int(data.get("seq") or 0) :]:
            await connection.ws.send_str(json.dumps(payload))
        await self._send(connection, "RESUMED", {})

    # -- REST ------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        body: Any = None
        if request.content_type == "application/json":
            body = await request.json()
        elif request.content_type.startswith("multipart/"):
            body = await self._multipart(request)
        call = Call(request.method, path, body, dict(request.headers))
        self.calls.append(call)
        try:
            for route, pending in self.failures.items():
                if pending and route in f"{request.method} {path}":
                    status, answer = pending.pop(0)
                    # discord.py takes a 429 without `Via` for a Cloudflare ban and does not retry
                    limited = {"X-RateLimit-Scope": "user", "Via": "1.1 google"}
                    return _json(answer, status, limited if status == 429 else None)
            if request.headers.get("Authorization") not in {f"Bot {TOKEN}", None}:
                return _json({"message": "401: Unauthorized", "code": 0}, 401)
            return self._answer(request.method, path, body, request.query)
        finally:
            self._pulse()

    async def _multipart(self, request: web.Request) -> dict[str, Any]:
        found: dict[str, Any] = {"files": {}}
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":
                found.update(json.loads(await part.text()))  # type: ignore[union-attr]
            else:
                found["files"][part.filename] = (await part.read()).decode()  # type: ignore[union-attr]
        return found

    def _answer(self, method: str, path: str, body: Any, query: Any) -> web.Response:
        parts = path.strip("/").split("/")
        if (method, path) == ("GET", "/users/@me"):
            return _json(BOT_USER)
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return _json(self._application())
        if (method, path) == ("GET", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if parts[0] == "channels" and len(parts) >= 3:
            return self._channel(method, parts, body, query)
        if parts[0] == "applications" and parts[-1] == "commands":
            scope = parts[3] if len(parts) == 5 else "global"
            if method == "PUT":
                self.commands[scope] = [{**c, "id": self.snowflake()} for c in body]
            return _json(self.commands.get(scope, []))
        if parts[0] == "interactions" and parts[-1] == "callback":
            self.callbacks.append({"interaction_id": parts[1], "token": parts[2], **body})
            if body.get("type") == 4:
                self.originals[parts[2]] = self._message("interaction", body.get("data") or {})
            return web.Response(status=204)
        if parts[0] == "webhooks" and len(parts) >= 3:
            return self._webhook(method, parts, body)
        return _json({"message": "404: Not Found", "code": 0}, 404)

    def _application(self) -> dict[str, Any]:
        owner = {"id": "53908099506183680", "username": "mason", "discriminator": "0", "avatar": None}
        return {
            "id": APPLICATION_ID,
            "name": "Switchboard",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "flags": 0,
            "interactions_endpoint_url": None,
        }

    def _message(self, channel: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.snowflake(),
            "channel_id": channel,
            "author": BOT_USER,
            "content": body.get("content", ""),
            "type": 19 if body.get("message_reference") else 0,
            "allowed_mentions": body.get("allowed_mentions"),
            "message_reference": body.get("message_reference"),
            "components": body.get("components", []),
            "flags": body.get("flags", 0),
            "attachments": [
                {"filename": name, "content": text} for name, text in body.get("files", {}).items()
            ],
            "edits": [],
            "sent_by_bot": True,
            "timestamp": "2026-12-01T10:00:00.000000+00:00",
            "edited_timestamp": None,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "embeds": [],
            "pinned": False,
            "tts": False,
        }

    def _channel(self, method: str, parts: list[str], body: Any, query: Any) -> web.Response:
        channel = parts[1]
        if parts[2] == "typing" and method == "POST":
            return web.Response(status=204)
        if parts[2] != "messages":
            return _json({"message": "404: Not Found", "code": 0}, 404)
        messages = self.messages.setdefault(channel, [])
        if method == "POST" and len(parts) == 3:
            message = self._message(channel, body)
            messages.append(message)
            return _json(message)
        if method == "PATCH" and len(parts) == 4:
            found = [m for m in messages if m["id"] == parts[3]]
            if not found:
                return _json({"message": "Unknown Message", "code": 10008}, 404)
            message = found[0]
            message["edits"].append(body)
            for key in ("content", "allowed_mentions", "components"):
                if key in body:
                    message[key] = body[key]
            return _json(message)
        if method == "GET" and len(parts) == 3:
            after = int(query.get("after") or 0)
            limit = int(query.get("limit") or 50)
            newer = [m for m in messages if int(m["id"]) > after][:limit]
            return _json(list(reversed(newer)))  # newest first, as Discord answers
        return _json({"message": "405: Method Not Allowed", "code": 0}, 405)

    def _webhook(self, method: str, parts: list[str], body: Any) -> web.Response:
        token = parts[2]
        if method == "PATCH" and parts[-1] == "@original":
            message = self.originals.setdefault(token, self._message("interaction", {}))
            message["edits"].append(body)
            for key in ("content", "allowed_mentions", "components", "flags"):
                if key in body:
                    message[key] = body[key]
            return _json(message)
        if method == "POST" and len(parts) == 3:
            message = self._message("interaction", body)
            message["token"] = token
            self.followups.append(message)
            return _json(message)
        if method == "PATCH" and len(parts) == 5:
            found = [m for m in self.followups if m["id"] == parts[4]]
            if not found:
                return _json({"message": "Unknown Message", "code": 10008}, 404)
            found[0]["edits"].append(body)
            found[0].update({k: v for k, v in body.items() if k in {"content", "allowed_mentions"}})
            return _json(found[0])
        return _json({"message": "404: Not Found", "code": 0}, 404)
