"""The web chat: `GET /` serves the page, `GET /ws` its WebSocket.

Protocol (JSON text frames):
  browser → hub  {"type": "message", "id": "<client message id>", "text": "..."}
                 {"type": "stop", "answer": "<stop token>"}          (the Stop button; = /stop)
  hub → browser  {"type": "reply", "id": "...", "text": "...", "notice": false}
                 {"type": "edit", "id": "...", "text": "..."}        (streaming)
                 a streamed answer still running carries "stop": "<stop token>"
                 {"type": "typing", "active": true}
                 {"type": "error", "text": "..."}                    (bad input)
A browser keeps its session id in localStorage; replies for a session that is briefly
disconnected wait in a small outbox and are flushed when it reconnects. With several hub
replicas, the replica with the session's socket open *holds* it (`core.model.callers`): model
answers are delivered there, and wait in Redis (masked) while no socket is open anywhere.

The session id is a credential (a second socket with it receives the session's replies): it
never leaves this module. The hub, its logs and Redis see `conversation_of(session)`, a hash.
Only same-origin pages and `SWITCHBOARD_WEBCHAT_ORIGINS` may open the socket (403 before the
upgrade otherwise); one client address holds at most `sockets_per_address` sockets (429).
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections import OrderedDict, defaultdict, deque
from collections.abc import Iterable
from pathlib import Path

from aiohttp import WSMsgType, web

from core.adapter import CallerHolds, Receive
from core.events import ConversationRef, Event, EventKind, Reply, SentRef
from core.http import AddressSlots, BadInput, EdgeLimits, load_json, started
from core.http.origin import origin_allowed

log = logging.getLogger(__name__)

PLATFORM = "webchat"
STATIC = Path(__file__).parent / "static"
OUTBOX_LIMIT = 50  # replies kept per disconnected session
OUTBOX_SESSIONS = 1_000  # disconnected sessions with waiting replies; the oldest is dropped
_SESSION = re.compile(r"^[A-Za-z0-9_-]{22,64}$")  # at least 128 bits when the browser chose it
_CLIENT_ID = re.compile(r"[^A-Za-z0-9_-]")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a stop token names one answer (Reply.stop_token)
STATIC_FILES = {
    "chat.css": "text/css",
    "chat.js": "text/javascript",
    "markdown.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}


def conversation_of(session: str) -> str:
    """The id the hub knows a session by: stable across reconnects, useless as a credential."""
    return "s" + hashlib.sha256(session.encode()).hexdigest()[:31]


class WebChatAdapter:
    name = PLATFORM
    max_chars = 1_000_000  # one browser frame holds any answer
    edit_interval = 0.2  # a streamed answer's pace: a frame is cheap, five a second read smoothly

    def __init__(
        self,
        *,
        title: str = "Switchboard",
        origins: Iterable[str] = (),
        limits: EdgeLimits | None = None,
    ) -> None:
        self._title = title
        self._origins = tuple(origins)
        self._limits = limits or EdgeLimits()
        self._slots = AddressSlots(self._limits.sockets_per_address)
        self._receive: Receive | None = None
        self._holds: CallerHolds | None = None
        self._sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)  # by conversation
        self._outbox: OrderedDict[str, deque[dict]] = OrderedDict()

    async def start(self, receive: Receive) -> None:
        self._receive = receive

    def hold_callers(self, holds: CallerHolds) -> None:
        """Model answers for a session come to the replica that has its socket open."""
        self._holds = holds

    async def stop(self) -> None:
        self._receive = None
        for sockets in list(self._sockets.values()):
            for ws in list(sockets):
                await ws.close(code=1001, message=b"server shutting down")

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self.page),
            web.get("/ws", self.socket),
            web.get("/static/{name}", self.static),
            web.get("/favicon.ico", self.favicon),  # browsers ask for it whatever the page says
        ]

    async def favicon(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "favicon.svg", headers={"Content-Type": "image/svg+xml"})

    async def static(self, request: web.Request) -> web.FileResponse:
        """Only the page's own files: no name from the request ever reaches the file system."""
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC / name, headers={"Content-Type": STATIC_FILES[name]})

    async def page(self, _request: web.Request) -> web.Response:
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return web.Response(text=html.replace("{{title}}", self._title), content_type="text/html")

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, scheme=request.scheme, host=request.host, allowed=self._origins):
            log.warning(
                "web chat socket refused: Origin %.80r is not allowed", origin, extra={"platform": PLATFORM}
            )
            raise web.HTTPForbidden(
                text='{"error": "this page may not open the web chat socket (Origin not allowed)"}',
                content_type="application/json",
            )
        address = request.remote or "-"
        if not self._slots.take(address):
            raise web.HTTPTooManyRequests(
                text='{"error": "too many open web chat sockets from this address"}',
                content_type="application/json",
            )
        try:
            return await self._serve(request)
        finally:
            self._slots.give_back(address)

    async def _serve(self, request: web.Request) -> web.WebSocketResponse:
        session = request.query.get("session", "")
        if not _SESSION.match(session):
            session = uuid.uuid4().hex
        conversation = conversation_of(session)
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=self._limits.ws_frame_bytes)
        await ws.prepare(request)
        started(request, ws)
        self._sockets[conversation].add(ws)
        ref = ConversationRef(PLATFORM, conversation)
        try:
            await ws.send_json({"type": "hello", "session": session})
            await self._flush(conversation)
            if self._holds is not None:  # answers waiting for this session (any replica) come now
                await self._holds.hold(ref.key, ref)
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._on_text(conversation, ws, message.data)
                elif message.type == WSMsgType.BINARY:
                    await ws.send_json({"type": "error", "text": "Send text frames (JSON), not binary."})
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets[conversation].discard(ws)
            if not self._sockets[conversation]:
                del self._sockets[conversation]
                if self._holds is not None:  # its answers wait in Redis for the reconnect
                    await self._holds.release(ref.key)
        return ws

    async def _on_text(self, conversation: str, ws: web.WebSocketResponse, data: str) -> None:
        try:
            frame = load_json(data)
        except BadInput as exc:
            log.warning("web chat frame refused: %s", exc.reason, extra={"platform": PLATFORM})
            plain = "valid JSON" in exc.reason
            refusal = "That frame was not valid JSON." if plain else f"Refused: {exc.reason}."
            await ws.send_json({"type": "error", "text": refusal})
            return
        if isinstance(frame, dict) and frame.get("type") == "stop":
            answer = frame.get("answer")
            token = answer if isinstance(answer, str) and _TOKEN.match(answer) else ""
            frame = {"type": "message", "id": frame.get("id"), "text": f"/stop {token}".strip()}
            kind = EventKind.COMMAND  # the button is a native command
        else:
            kind = EventKind.MESSAGE  # a "/command" typed as text is the router's to read
        if not isinstance(frame, dict) or frame.get("type") != "message":
            await ws.send_json({"type": "error", "text": "Unknown frame type."})
            return
        text = frame.get("text")
        if not isinstance(text, str) or not text.strip():
            await ws.send_json({"type": "error", "text": "Type a message first."})
            return
        if self._receive is None:
            await ws.send_json({"type": "error", "text": "The bot is restarting; try again soon."})
            return
        client_id = _CLIENT_ID.sub("", str(frame.get("id") or ""))[:64] or uuid.uuid4().hex
        self._receive(
            Event(
                id=f"{PLATFORM}:{conversation}:{client_id}",
                conversation=ConversationRef(PLATFORM, conversation),
                sender_id=conversation,
                text=text,
                kind=kind,
                is_direct=True,
                message_id=client_id,
            )
        )

    async def _push(self, session: str, frame: dict, *, keep: bool) -> None:
        """Send to every open socket of `session`; keep it for later if none took it."""
        delivered = False
        for ws in [ws for ws in self._sockets.get(session, ()) if not ws.closed]:
            try:
                await ws.send_json(frame)
                delivered = True
            except (ConnectionError, RuntimeError):  # closed under our feet
                continue
        if not delivered and keep:
            self._keep(session, frame)

    def _keep(self, session: str, frame: dict) -> None:
        box = self._outbox.get(session)
        if box is None:
            box = self._outbox[session] = deque(maxlen=OUTBOX_LIMIT)
            while len(self._outbox) > OUTBOX_SESSIONS:
                self._outbox.popitem(last=False)
        box.append(frame)

    async def _flush(self, session: str) -> None:
        waiting = self._outbox.pop(session, None)
        while waiting:
            await self._push(session, waiting.popleft(), keep=True)

    async def send(self, reply: Reply) -> SentRef:
        message_id = uuid.uuid4().hex
        frame = {
            "type": "reply",
            "id": message_id,
            "text": reply.text,
            "notice": reply.notice,
            "in_reply_to": reply.quote_id,
        }
        if reply.stop_token:
            frame["stop"] = reply.stop_token
        await self._push(reply.conversation.channel_id, frame, keep=True)
        return SentRef(PLATFORM, message_id, reply.conversation.channel_id)

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool = False) -> SentRef:
        frame = {"type": "edit", "id": sent.message_id, "text": reply.text}
        if reply.stop_token and not final:
            frame["stop"] = reply.stop_token
        await self._push(sent.channel_id, frame, keep=True)
        return sent

    async def working(self, conversation: ConversationRef, message_id: str | None, active: bool) -> None:
        await self._push(conversation.channel_id, {"type": "typing", "active": active}, keep=False)

    async def status(self) -> dict:
        return {"sessions": len(self._sockets)}
