"""Slash commands (`/ask`, `/switchboard <command>`), over the gateway or the signed endpoint.

Discord wants an answer to an interaction within 3 s. The command's turn runs at once; if its
reply is ready within `ack_within` it is the answer itself (type 4), otherwise the interaction is
deferred (type 5: "Switchboard is thinking…", ephemeral for admin commands) and the reply replaces
that message (`PATCH …/messages/@original`); later replies are follow-ups. The token lives 15
minutes: after that a reply is an ordinary channel message. Over HTTP the ack is the response
body of `POST /discord/interactions` (Ed25519-verified on the raw bytes: 401 for a bad, missing
or stale signature, `{"type": 1}` for Discord's PING); over the gateway it is a callback request.
A Stop press whose signed custom id does not verify gets "That button is not valid." (ephemeral)
and no turn; it is logged and counted with the refused signatures
(`switchboard_events_signature_failures_total{platform="discord"}`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.discord.answers import InteractionAnswers
from adapters.discord.convert import (
    PLATFORM,
    Interaction,
    MalformedPayload,
    Ping,
    Refused,
    Skip,
    from_interaction,
)
from adapters.discord.outbound import stop_button
from adapters.discord.rest import EPHEMERAL_FLAG, DiscordRest
from adapters.kit.buttons import INVALID_BUTTON
from adapters.kit.route import MalformedPayload as KitMalformed
from adapters.kit.route import VerifiedRoute
from adapters.kit.verify import Ed25519Verifier
from core.events import Event
from core.metrics import PLATFORM as PLATFORM_METRICS
from core.turns import TurnHandle

log = logging.getLogger(__name__)

MAX_SKEW_S = 300  # a signed request older (or newer) than this is refused as stale
PONG, ANSWER, DEFERRED = 1, 4, 5
HandOff = Callable[[Event], Any]
OnInteraction = Callable[[Interaction], Awaitable[Any]]


class Interactions:
    def __init__(self, rest: DiscordRest, answers: InteractionAnswers, *, ack_within: float) -> None:
        self._rest = rest
        self.answers = answers
        self._ack_within = ack_within
        self._seen: OrderedDict[str, None] = OrderedDict()  # interaction ids already acked here

    # -- in ---------------------------------------------------------------------------------------
    def routes(self, public_key: str, on_interaction: OnInteraction) -> list[web.AbstractRouteDef]:
        verifier = Ed25519Verifier(public_key, max_skew_s=MAX_SKEW_S)

        async def handle(payload: dict[str, Any], _request: web.Request) -> dict[str, Any] | None:
            try:
                result = from_interaction(payload, self.answers.buttons)
            except MalformedPayload as exc:
                raise KitMalformed(str(exc)) from None
            if isinstance(result, Ping):
                return {"type": PONG}
            if isinstance(result, Refused):
                return self.refuse(result)
            if isinstance(result, Skip):
                return {
                    "type": ANSWER,
                    "data": {"content": "I don't know that command.", "flags": EPHEMERAL_FLAG},
                }
            return await self.answer(result, on_interaction)

        route = VerifiedRoute("/discord/interactions", verifier, handle, platform=PLATFORM, label="Discord")
        return [route.route()]

    async def over_gateway(self, result: Interaction, hand_off: HandOff) -> None:
        async def on_interaction(item: Interaction) -> Any:
            return hand_off(item.event)

        body = await self.answer(result, on_interaction)
        try:
            await self._rest.callback(result.interaction_id, result.token, body)
        except Exception as exc:  # noqa: BLE001 — the turn's replies fall back to the channel
            log.warning("interaction not acknowledged: %s", exc, extra={"platform": PLATFORM})
            self.answers.drop(result.event.id)

    async def refuse_over_gateway(self, result: Refused) -> None:
        try:
            await self._rest.callback(result.interaction_id, result.token, self.refuse(result))
        except Exception as exc:  # noqa: BLE001 — the presser sees Discord's "interaction failed"
            log.warning("refusal not delivered: %s", exc, extra={"platform": PLATFORM})

    def refuse(self, result: Refused) -> dict[str, Any]:
        """A button press that does not verify: logged, counted, answered to the presser only."""
        log.warning(
            "discord button refused: its custom id does not verify",
            extra={"platform": PLATFORM, "event_id": result.event_id, "reason": result.reason},
        )
        PLATFORM_METRICS.signature_failed(PLATFORM)
        return {"type": ANSWER, "data": {"content": INVALID_BUTTON, "flags": EPHEMERAL_FLAG}}

    async def answer(
        self, result: Interaction, on_interaction: OnInteraction, asker: str | None = None
    ) -> dict[str, Any]:
        """Start the turn and return the interaction response: the answer if ready in time, else
        a deferral (the answer follows as an edit of @original). A Stop button press is a
        `/stop` command like any other, answered to the presser only."""
        flags = EPHEMERAL_FLAG if result.admin else 0
        if not self._first_time(result.interaction_id):
            return {"type": DEFERRED, "data": {"flags": flags}}
        slot = self.answers.open(result)
        turn = await on_interaction(result)
        if isinstance(turn, TurnHandle):
            await turn.wait(self._ack_within)
        text = slot.original_text()
        self.answers.acked(slot, result.event.sender_id)
        if not text:
            return {"type": DEFERRED, "data": {"flags": flags}}
        first = self.answers.chunks(text)[0]
        allowed = {"parse": [], "users": [result.event.sender_id], "replied_user": False}
        data: dict[str, Any] = {"content": first, "flags": flags, "allowed_mentions": allowed}
        button = stop_button(slot.stop_token, self.answers.buttons)
        if button is not None:  # a streamed answer already writing: stoppable from the start
            data["components"] = button
        return {"type": ANSWER, "data": data}

    def _first_time(self, interaction_id: str) -> bool:
        if interaction_id in self._seen:
            return False
        self._seen[interaction_id] = None
        if len(self._seen) > 10_000:
            self._seen.popitem(last=False)
        return True
