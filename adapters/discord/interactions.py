"""Slash commands (`/ask`, `/switchboard <command>`), over the gateway or the signed endpoint.

Discord wants an answer to an interaction within 3 s. The command's turn runs at once; if its
reply is ready within `ack_within` it is the answer itself (type 4), otherwise the interaction is
deferred (type 5: "Switchboard is thinking…", ephemeral for admin commands) and the reply replaces
that message (`PATCH …/messages/@original`); later replies are follow-ups. The token lives 15
minutes: after that a reply is an ordinary channel message. Over HTTP the ack is the response
body of `POST /discord/interactions` (Ed25519-verified on the raw bytes: 401 for a bad, missing
or stale signature, `{"type": 1}` for Discord's PING); over the gateway it is a callback request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from adapters.discord.convert import (
    PLATFORM,
    Interaction,
    MalformedPayload,
    Ping,
    Skip,
    Stop,
    from_interaction,
)
from adapters.discord.rest import EPHEMERAL_FLAG, DiscordRest
from adapters.kit.route import MalformedPayload as KitMalformed
from adapters.kit.route import VerifiedRoute
from adapters.kit.verify import Ed25519Verifier
from core.events import Event, Reply

log = logging.getLogger(__name__)

TOKEN_TTL_S = 15 * 60 - 30  # Discord accepts follow-ups for 15 minutes; keep a margin
MAX_SKEW_S = 300  # a signed request older (or newer) than this is refused as stale
PONG, ANSWER, DEFERRED = 1, 4, 5
HandOff = Callable[[Event], Any]
OnInteraction = Callable[[Interaction | Stop], Awaitable[Any]]


@dataclass(slots=True)
class _Pending:
    interaction: Interaction = field(repr=False)
    created: float = field(default_factory=time.monotonic)
    acked: bool = False
    original_used: bool = False
    replies: list[Reply] = field(default_factory=list)


def _content(replies: list[Reply]) -> str:
    return "\n\n".join(r.text for r in replies)[:2000]


class Interactions:
    def __init__(self, rest: DiscordRest, outbox: Any, *, ack_within: float) -> None:
        self._rest = rest
        self._outbox = outbox
        self._ack_within = ack_within
        self._pending: OrderedDict[str, _Pending] = OrderedDict()  # event id -> pending answer
        self._seen: OrderedDict[str, None] = OrderedDict()  # interaction ids already acked here

    # -- in ---------------------------------------------------------------------------------------
    def routes(self, public_key: str, on_interaction: OnInteraction) -> list[web.AbstractRouteDef]:
        verifier = Ed25519Verifier(public_key, max_skew_s=MAX_SKEW_S)

        async def handle(payload: dict[str, Any], _request: web.Request) -> dict[str, Any] | None:
            try:
                result = from_interaction(payload)
            except MalformedPayload as exc:
                raise KitMalformed(str(exc)) from None
            if isinstance(result, Ping):
                return {"type": PONG}
            if isinstance(result, Skip):
                return {
                    "type": ANSWER,
                    "data": {"content": "I don't know that command.", "flags": EPHEMERAL_FLAG},
                }
            return await self.answer(result, on_interaction)

        route = VerifiedRoute("/discord/interactions", verifier, handle, platform=PLATFORM, label="Discord")
        return [route.route()]

    async def over_gateway(self, result: Interaction | Stop, hand_off: HandOff) -> None:
        async def on_interaction(item: Interaction | Stop) -> Any:
            return hand_off(item.event) if isinstance(item, Interaction) else None

        body = await self.answer(result, on_interaction)
        try:
            await self._rest.callback(result.interaction_id, result.token, body)
        except Exception as exc:  # noqa: BLE001 — the turn's replies fall back to the channel
            log.warning("interaction not acknowledged: %s", exc, extra={"platform": PLATFORM})
            if isinstance(result, Interaction):
                self._pending.pop(result.event.id, None)

    async def answer(self, result: Interaction | Stop, on_interaction: OnInteraction) -> dict[str, Any]:
        """Start the turn and return the interaction response: the answer if ready in time, else
        a deferral (the answer follows as an edit of @original)."""
        if isinstance(result, Stop):
            await on_interaction(result)
            return {"type": 6}  # DEFERRED_UPDATE_MESSAGE: the button press is acknowledged
        flags = EPHEMERAL_FLAG if result.admin else 0
        if not self._first_time(result.interaction_id):
            return {"type": DEFERRED, "data": {"flags": flags}}
        self._forget_old()
        slot = self._pending[result.event.id] = _Pending(result)
        turn = await on_interaction(result)
        if isinstance(turn, asyncio.Future):
            await asyncio.wait({turn}, timeout=self._ack_within)
        slot.acked = True
        if slot.replies:
            slot.original_used = True
            return {
                "type": ANSWER,
                "data": {
                    "content": _content(slot.replies),
                    "flags": flags,
                    "allowed_mentions": {"parse": []},
                },
            }
        return {"type": DEFERRED, "data": {"flags": flags}}

    def _first_time(self, interaction_id: str) -> bool:
        if interaction_id in self._seen:
            return False
        self._seen[interaction_id] = None
        if len(self._seen) > 10_000:
            self._seen.popitem(last=False)
        return True

    # -- out --------------------------------------------------------------------------------------
    async def take(self, reply: Reply, asker: str | None) -> bool:
        """Deliver `reply` if it answers a live interaction; False when it does not (or the
        token has expired: the caller posts it in the channel)."""
        slot = self._pending.get(reply.in_reply_to or "")
        if slot is None:
            return False
        if not slot.acked:
            slot.replies.append(reply)
            return True
        if time.monotonic() - slot.created > TOKEN_TTL_S:
            self._pending.pop(reply.in_reply_to or "", None)
            return False
        token = slot.interaction.token
        chunks = self._outbox.chunks(reply.text)
        if not slot.original_used:
            slot.original_used = True
            await self._rest.edit_original(token, chunks[0], asker=asker)
            chunks = chunks[1:]
        for chunk in chunks:
            await self._rest.follow_up(token, chunk, asker=asker, ephemeral=slot.interaction.admin)
        return True

    def _forget_old(self) -> None:
        horizon = time.monotonic() - TOKEN_TTL_S
        while self._pending:
            key, slot = next(iter(self._pending.items()))
            if slot.created >= horizon and len(self._pending) < 10_000:
                break
            self._pending.pop(key)
