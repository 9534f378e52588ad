"""`POST /api/v1/messages`: a program sends a message and gets the bot's replies back.

Auth: `Authorization: Bearer <SWITCHBOARD_API_TOKEN>`; without a configured token every
request is refused. Bad input gets 400/401/413/415 with a JSON body naming the problem.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from aiohttp import web

from core.adapter import CallerHolds, Receive
from core.events import ConversationRef, Event, EventKind, Reply, SentRef
from core.http import BadInput, check_text, load_json
from core.secrets import Secret
from core.turns import Outcome
from core.waiters import LateReplies, ReplyCollector

log = logging.getLogger(__name__)

PLATFORM = "api"
MAX_ID = 200  # the text's cap is the hub's one message cap (SWITCHBOARD_MAX_MESSAGE_CHARS)


def _bad(message: str, status: int = 400) -> web.HTTPException:
    cls = {400: web.HTTPBadRequest, 401: web.HTTPUnauthorized, 415: web.HTTPUnsupportedMediaType}
    return cls[status](text=json.dumps({"error": message}), content_type="application/json")


def parse_message(body: Any) -> dict[str, str]:
    """Validate the JSON body; raise 400 naming the first problem."""
    if not isinstance(body, dict):
        raise _bad("body must be a JSON object with conversation_id, user_id and text")
    fields: dict[str, str] = {}
    for name, limit in (("conversation_id", MAX_ID), ("user_id", MAX_ID), ("text", None)):
        value = body.get(name)
        if value is None:
            raise _bad(f"missing field '{name}'")
        if not isinstance(value, str) or not value.strip():
            raise _bad(f"field '{name}' must be a non-empty string")
        if limit is not None and len(value) > limit:
            raise _bad(f"field '{name}' is longer than {limit} characters")
        fields[name] = check_text(value, f"field '{name}'")
    message_id = body.get("message_id")
    if message_id is not None:
        if not isinstance(message_id, str) or not 0 < len(message_id) <= MAX_ID:
            raise _bad(f"field 'message_id' must be a string of 1 to {MAX_ID} characters")
        fields["message_id"] = message_id
    return fields


def _shown(replies: list[Reply]) -> list[dict[str, Any]]:
    return [{"text": r.text, "notice": r.notice} for r in replies]


class RestAdapter:
    name = PLATFORM

    def __init__(self, token: Secret | None, *, timeout_s: float = 30.0) -> None:
        self._token = token
        self._timeout = timeout_s
        self._receive: Receive | None = None
        self._collector = ReplyCollector()
        self._waiting: set[str] = set()  # event ids a request here is waiting on
        self._answers = LateReplies()  # the replies to recent messages, for a retry of them
        self._holds: CallerHolds | None = None

    async def start(self, receive: Receive) -> None:
        self._receive = receive
        if not self._token:
            log.warning(
                "REST API disabled: every request to /api/v1/messages gets 401. "
                "Set SWITCHBOARD_API_TOKEN to a long random string to enable it."
            )

    def hold_callers(self, holds: CallerHolds) -> None:
        """Model answers for a waiting request come to the replica that holds it."""
        self._holds = holds

    async def stop(self) -> None:
        self._receive = None

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.post("/api/v1/messages", self.handle_message)]

    def _authorize(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if not self._token:
            raise _bad("the REST API is disabled: set SWITCHBOARD_API_TOKEN on the hub", 401)
        if scheme.lower() != "bearer" or not given or not self._token.matches(given.strip()):
            raise _bad("missing or wrong bearer token", 401)

    async def handle_message(self, request: web.Request) -> web.Response:
        self._authorize(request)
        if request.content_type != "application/json":
            raise _bad("Content-Type must be application/json", 415)
        raw = await request.read()  # the edge middleware already refused oversize and slow bodies
        try:
            body = load_json(raw)
        except BadInput as exc:
            raise _bad(exc.reason) from None
        fields = parse_message(body)
        if self._receive is None:
            raise web.HTTPServiceUnavailable(
                text=json.dumps({"error": "hub is shutting down"}), content_type="application/json"
            )
        native_id = fields.get("message_id") or uuid.uuid4().hex
        text = fields["text"]
        event = Event(
            id=f"{PLATFORM}:{fields['conversation_id']}:{native_id}",
            conversation=ConversationRef(PLATFORM, fields["conversation_id"]),
            sender_id=fields["user_id"],
            text=text,
            kind=EventKind.MESSAGE,  # a "/command" typed as text is the router's to read
            is_direct=True,
            message_id=native_id,
        )
        if event.id in self._waiting:
            # The same message is already being answered for another request here: the hub
            # still sees the redelivery (and drops it), the answer goes to the first request.
            record = await self._receive(event)
            return web.json_response(
                {"turn_id": record.turn_id, "event_id": event.id, "outcome": Outcome.DUPLICATE, "replies": []}
            )
        answered = self._answers.take(event.id)
        if any(not r.interim for r in answered):
            # a retry (its first call may have lost its connection): the first call's answer;
            # the hub still sees the redelivery, and drops it
            redelivered = self._receive(event)
            await redelivered.wait()
            return web.json_response(
                {
                    "turn_id": redelivered.turn_id,
                    "event_id": event.id,
                    "outcome": Outcome.DUPLICATE,
                    "replies": _shown(answered),
                }
            )
        self._waiting.add(event.id)
        self._collector.expect(event.id)
        try:
            if self._holds is not None:  # a model answer for it comes to this replica
                await self._holds.hold(event.id, event.conversation)
            task = self._receive(event)
            outcome, replies = await self._collector.collect(
                event.id, task, self._timeout, wait_on_duplicate=True
            )
        except TimeoutError:
            return web.json_response(
                {"error": f"no answer within {self._timeout:g} s", "event_id": event.id},
                status=504,
            )
        finally:
            self._waiting.discard(event.id)
            if self._holds is not None:  # a later answer waits in Redis for a retry
                await self._holds.release(event.id)
        if outcome == Outcome.DUPLICATE and replies:
            outcome = Outcome.REPLIED  # a concurrent copy of this request ran the turn
        return web.json_response(
            {
                "turn_id": task.turn_id,
                "event_id": event.id,
                "outcome": outcome,
                "replies": _shown(replies),
            }
        )

    async def send(self, reply: Reply) -> SentRef | None:
        if not self._collector.offer(reply):
            log.info("reply for an API request nobody waits for any more; kept for its retry")
        self._answers.keep(reply)  # in memory only, bounded: a retry gets the same answer
        return SentRef(PLATFORM, uuid.uuid4().hex, reply.conversation.channel_id)
