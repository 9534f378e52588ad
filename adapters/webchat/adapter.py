"""The web chat: `GET /` serves the page, `GET /ws` its WebSocket.

Protocol (JSON text frames):
  browser → hub  {"type": "message", "id": "<client message id>", "text": "..."}
  hub → browser  {"type": "reply", "id": "...", "text": "...", "notice": false}
                 {"type": "edit", "id": "...", "text": "..."}        (streaming)
                 {"type": "typing", "active": true}
                 {"type": "error", "text": "..."}                    (bad input)
A browser keeps its session id in localStorage; replies for a session that is briefly
disconnected wait in a small outbox and are flushed when it reconnects.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections import OrderedDict, defaultdict, deque
from pathlib import Path

from aiohttp import WSMsgType, web

from core.adapter import Receive
from core.events import ConversationRef, Event, EventKind, Reply, SentRef
from core.routing import looks_like_command

log = logging.getLogger(__name__)

PLATFORM = "webchat"
STATIC = Path(__file__).parent / "static"
MAX_TEXT = 4_000
OUTBOX_LIMIT = 50  # replies kept per disconnected session
OUTBOX_SESSIONS = 1_000  # disconnected sessions with waiting replies; the oldest is dropped
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_CLIENT_ID = re.compile(r"[^A-Za-z0-9_-]")


class WebChatAdapter:
    name = PLATFORM

    def __init__(self, *, title: str = "Switchboard") -> None:
        self._title = title
        self._receive: Receive | None = None
        self._sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        self._outbox: OrderedDict[str, deque[dict]] = OrderedDict()

    async def start(self, receive: Receive) -> None:
        self._receive = receive

    async def stop(self) -> None:
        self._receive = None
        for sockets in list(self._sockets.values()):
            for ws in list(sockets):
                await ws.close(code=1001, message=b"server shutting down")

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self.page),
            web.get("/ws", self.socket),
            web.static("/static", STATIC),
        ]

    async def page(self, _request: web.Request) -> web.Response:
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return web.Response(text=html.replace("{{title}}", self._title), content_type="text/html")

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        session = request.query.get("session", "")
        if not _SESSION.match(session):
            session = uuid.uuid4().hex
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
        await ws.prepare(request)
        self._sockets[session].add(ws)
        await ws.send_json({"type": "hello", "session": session})
        await self._flush(session)
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._on_text(session, ws, message.data)
                elif message.type == WSMsgType.BINARY:
                    await ws.send_json({"type": "error", "text": "Send text frames (JSON), not binary."})
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            self._sockets[session].discard(ws)
            if not self._sockets[session]:
                del self._sockets[session]
        return ws

    async def _on_text(self, session: str, ws: web.WebSocketResponse, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            await ws.send_json({"type": "error", "text": "That frame was not valid JSON."})
            return
        if not isinstance(frame, dict) or frame.get("type") != "message":
            await ws.send_json({"type": "error", "text": "Unknown frame type."})
            return
        text = frame.get("text")
        if not isinstance(text, str) or not text.strip():
            await ws.send_json({"type": "error", "text": "Type a message first."})
            return
        if len(text) > MAX_TEXT:
            await ws.send_json(
                {"type": "error", "text": f"That message is too long (max {MAX_TEXT} characters)."}
            )
            return
        if self._receive is None:
            await ws.send_json({"type": "error", "text": "The bot is restarting; try again soon."})
            return
        client_id = _CLIENT_ID.sub("", str(frame.get("id") or ""))[:64] or uuid.uuid4().hex
        self._receive(
            Event(
                id=f"{PLATFORM}:{session}:{client_id}",
                conversation=ConversationRef(PLATFORM, session),
                sender_id=session,
                text=text,
                kind=EventKind.COMMAND if looks_like_command(text) else EventKind.MESSAGE,
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
        await self._push(reply.conversation.channel_id, frame, keep=True)
        return SentRef(PLATFORM, message_id, reply.conversation.channel_id)

    async def edit(self, sent: SentRef, reply: Reply) -> None:
        frame = {"type": "edit", "id": sent.message_id, "text": reply.text}
        await self._push(sent.channel_id, frame, keep=True)

    async def typing(self, conversation: ConversationRef, active: bool) -> None:
        await self._push(conversation.channel_id, {"type": "typing", "active": active}, keep=False)

    async def status(self) -> dict:
        return {"sessions": len(self._sockets)}
