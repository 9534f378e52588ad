"""Updates in — from the webhook or the poller — to the hub: convert, drop what is not for the
bot, follow migrations and business connections, and hand each turn off at once.

The webhook route is the kit's verified route: size (413) → secret header compared in constant
time on bytes (403, as Telegram documents; a non-ASCII header is a mismatch, never a 500) →
media type (415) → JSON (400) → here. 200 goes back as soon as the update is handed to the hub.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from adapters.kit.buttons import SignedIds
from adapters.kit.recent import RecentIds
from adapters.kit.route import MalformedPayload, VerifiedRoute
from adapters.kit.verify import SecretHeaderVerifier
from adapters.telegram.config import WEBHOOK_PATH
from adapters.telegram.convert import (
    BotIdentity,
    BusinessLink,
    Inbound,
    MalformedUpdate,
    Migration,
    Skip,
    from_update,
)
from adapters.telegram.state import TelegramState
from adapters.telegram.stopping import StopPress, stop_press
from core.secrets import Secret

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_048_576
HandOff = Callable[[Inbound], None]  # hands off without waiting for the turn
BusinessLookup = Callable[[str], Awaitable[dict[str, str] | None]]
StopPressed = Callable[[StopPress], Awaitable[None]]


class UpdateIntake:
    def __init__(
        self,
        state: TelegramState,
        hand_off: HandOff,
        business: BusinessLookup,
        *,
        answer_bots: bool,
        stop_pressed: StopPressed | None = None,
        buttons: SignedIds | None = None,
    ) -> None:
        self._state = state
        self._buttons = buttons  # opens the inline Stop buttons' signed callback data
        self._hand_off = hand_off
        self._stop_pressed = stop_pressed
        self._business = business
        self._answer_bots = answer_bots
        self._recent = RecentIds()
        self.identity: BotIdentity | None = None

    def route(self, secret: Secret) -> web.AbstractRouteDef:
        verifier = SecretHeaderVerifier(secret, header=SECRET_HEADER)
        return VerifiedRoute(
            WEBHOOK_PATH,
            verifier,
            self._on_webhook,
            max_body=MAX_UPDATE_BYTES,
            platform="telegram",
            label="secret token",
            refusal_status=403,
        ).route()

    async def _on_webhook(self, update: dict[str, Any], _request: web.Request) -> web.Response | None:
        if self.identity is None:
            return web.json_response({"error": "starting"}, status=503)  # Telegram retries
        try:
            await self.take(update)
        except MalformedUpdate as exc:
            raise MalformedPayload(str(exc)) from None
        return None

    async def take(self, update: dict[str, Any]) -> None:
        """One update (webhook body or polled): hand it off, or drop it with a reason."""
        if self.identity is None:
            return
        press = stop_press(update, self.identity, self._buttons)
        if press is not None:  # a stop button (a draft's own, or the inline one; maybe refused)
            if self._stop_pressed is not None and self._recent.first_time(press.event.id):
                await self._stop_pressed(press)
            return
        result = from_update(update, self.identity, answer_bots=self._answer_bots)
        if isinstance(result, Skip):
            log.debug("telegram update ignored: %s", result.reason, extra={"platform": "telegram"})
            return
        if isinstance(result, Migration):
            await self._state.migrate(result.old_chat_id, result.new_chat_id)
            log.info("telegram group moved to a supergroup", extra={"platform": "telegram"})
            return
        if isinstance(result, BusinessLink):
            await self._state.put_business(
                result.connection_id, result.owner_id, can_reply=result.can_reply, enabled=result.enabled
            )
            return
        if not self._recent.first_time(result.event.id):
            return  # a redelivery this replica already handed off (the hub's dedup covers the rest)
        if result.business_connection_id and not await self._may_answer_business(result):
            return
        self._hand_off(result)

    async def _may_answer_business(self, inbound: Inbound) -> bool:
        link = await self._business(inbound.business_connection_id or "")
        if link is None or link.get("enabled") != "1" or link.get("can_reply") != "1":
            return False
        return link.get("owner") != inbound.event.sender_id  # the owner's own messages are theirs
