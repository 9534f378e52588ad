"""`HelpdeskAdapter`: one vendor preset behind the core's Adapter protocol.

In: `POST /hooks/<vendor>` on the kit's verified route (413 → 401 → 415/400), the vendor's
delivery id deduplicated across replicas, the payload read into a `Ticket`, the bot's own comments
and human activity never answered, then handed to the hub and acknowledged at once.
Out: right before every write the ticket is read again (a human answered or took it: stand down;
closed: no public reply; hourly cap), then one comment with the visibility flag always explicit,
a footer reference that makes the write idempotent (a retry asks the ticket first)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from adapters.helpdesk.guard import HelpdeskState, already_written, has_marker, marker_for, stand_down_reason
from adapters.helpdesk.parked import MAX_TRIES, Clock, KeySource, ParkedWrites
from adapters.helpdesk.relay import Relayer
from adapters.helpdesk.ticket import HUMAN_ACTIVITY, AuthorRole, Skip, Ticket, TicketKind
from adapters.helpdesk.vendor import Vendor
from adapters.kit.http import HttpError, RateLimited
from adapters.kit.route import MalformedPayload, VerifiedRoute, parse_json_object
from core.adapter import Receive
from core.errors import AdapterError
from core.events import ConversationRef, Reply, SentRef, TicketUpdate, Visibility

log = logging.getLogger(__name__)


def read_ticket(vendor: Vendor, payload: Mapping[str, Any], delivery: str, bot_id: str) -> Ticket | Skip:
    """The vendor's parse, where a field of an unexpected type is a 400, never a 500."""
    try:
        parsed = vendor.parse(payload, delivery, bot_id)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise MalformedPayload(f"not a {vendor.label} webhook we can read ({type(exc).__name__})") from None
    if isinstance(parsed, Ticket) and not parsed.ref:
        raise MalformedPayload(f"{vendor.label} webhook without a ticket id")
    return parsed


SWEEP_EVERY_S = 5.0
RETRY_FAILED_S = 60.0  # a parked write that failed otherwise (5xx, network) waits this long


class HelpdeskAdapter:
    def __init__(
        self,
        vendor: Vendor,
        redis: Redis,
        *,
        key_prefix: str = "sb",
        vault_key: KeySource | None = None,
        clock: Clock | None = None,
        sweep_every_s: float | None = SWEEP_EVERY_S,
    ) -> None:
        self.vendor = vendor
        self.name = vendor.name
        self.options = vendor.config.options
        self.state = HelpdeskState(redis, key_prefix, vendor.name)
        self.parked = ParkedWrites(redis, key_prefix, vendor.name, vault_key, clock=clock)
        self._sweep_every = sweep_every_s
        self._sweeper: asyncio.Task[None] | None = None
        self.relayer = Relayer(vendor, self.state)
        self.bot_id = ""
        self._receive: Receive | None = None
        self.stood_down: list[str] = []  # reasons, newest last (status and tests); no ticket text
        self.ticket_updates = True  # SupportsTicketUpdate: tags, priority and assignment travel with replies
        self.watch_agents = self.options.agent_events  # hand agents' replies and notes to the skills

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, receive: Receive) -> None:
        self._receive = receive
        try:
            self.bot_id = self.vendor.bot_id = await self.vendor.whoami()
        except AdapterError as exc:  # the webhook side still works; own comments are known by marker
            log.warning(
                "%s: could not read the bot's own user id: %s", self.name, exc, extra={"platform": self.name}
            )
        if self._sweep_every is not None:
            self._sweeper = asyncio.create_task(self._sweep_forever(self._sweep_every))

    async def stop(self) -> None:
        self._receive = None
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None

    def routes(self) -> list[web.AbstractRouteDef]:
        route = VerifiedRoute(
            f"/hooks/{self.name}",
            self.vendor.verifier(),
            self.on_webhook,
            parse="raw",
            max_body=self.options.max_body_bytes,
            platform=self.name,
            label=self.vendor.label,
        )
        return [route.route()]

    async def status(self) -> dict[str, Any]:
        return {
            "url": self.vendor.config.url,
            "public_replies": self.options.public_replies,
            "parked_writes": await self.parked.waiting(),
        }

    # -- inbound --------------------------------------------------------------------------------
    async def on_webhook(self, body: bytes, request: web.Request) -> dict[str, Any]:
        payload = parse_json_object(body)
        delivery = self.vendor.delivery_id(request.headers, payload, body)
        parsed = read_ticket(self.vendor, payload, delivery, self.bot_id)
        if isinstance(parsed, Ticket) and self._watched(parsed):
            return await self._hand_over(parsed, delivery, Visibility.INTERNAL, human=True)
        mirrored = self._mirrored(parsed)
        if mirrored is not None:  # a status change or an agent's comment a bridge shows
            human = mirrored.kind in HUMAN_ACTIVITY
            return await self._hand_over(mirrored, delivery, Visibility.INTERNAL, human=human, bridge=True)
        if isinstance(parsed, Skip) or not parsed.answerable:
            if not await self.state.first_delivery(delivery):
                return {"status": "duplicate"}
            ticket = parsed.ticket if isinstance(parsed, Skip) else parsed
            await self._note_activity(ticket)
            reason = parsed.reason if isinstance(parsed, Skip) else f"{parsed.kind} by {parsed.author_role}"
            log.info("%s webhook ignored: %s", self.name, reason, extra={"platform": self.name})
            return {"status": "ignored", "reason": reason}
        visibility = Visibility.PUBLIC if self.options.public_replies else Visibility.INTERNAL
        return await self._hand_over(parsed, delivery, visibility)

    def _watched(self, ticket: Ticket) -> bool:
        """An agent's reply or note that the ticket skills asked to see (`agent_events`)."""
        return self.watch_agents and ticket.kind in HUMAN_ACTIVITY and ticket.author_role is AuthorRole.AGENT

    async def _hand_over(
        self,
        ticket: Ticket,
        delivery: str,
        visibility: Visibility,
        *,
        human: bool = False,
        bridge: bool = False,
    ) -> dict[str, Any]:
        event = dataclasses.replace(ticket.to_event(self.name), reply_visibility=visibility)
        if bridge:  # for the bridge only: no skill asked for it (it ends the turn)
            event = dataclasses.replace(event, raw={"ticket": {**event.raw["ticket"], "for_bridge": True}})
        if human:  # an agent is on it, whatever the skills make of the event
            await self.state.human_seen(ticket.ref)
        if not await self.state.claim(delivery, event.id, ticket, time.time()):  # one round trip
            return {"status": "duplicate"}
        if self._receive is not None:
            self._receive(event)
        return {"status": "accepted"}

    def _mirrored(self, parsed: Ticket | Skip) -> Ticket | None:
        """Where a bridge mirrors this helpdesk, what it shows beyond the customer's comments (else
        these never reach the hub): status changes, and agents' comments written in the helpdesk
        (the bridge's own carry the reference marker and are left out). No skill answers them."""
        ticket = parsed.ticket if isinstance(parsed, Skip) else parsed
        if self.options.bridge is None or ticket is None:
            return None
        if ticket.kind is TicketKind.STATUS_CHANGED:
            return ticket
        by_agent = ticket.kind in HUMAN_ACTIVITY and ticket.author_role is AuthorRole.AGENT
        return ticket if by_agent and not has_marker(ticket.body) else None

    async def _note_activity(self, ticket: Ticket | None) -> None:
        if ticket is not None and ticket.kind in HUMAN_ACTIVITY and ticket.author_role is AuthorRole.AGENT:
            await self.state.human_seen(ticket.ref)

    # -- outbound -------------------------------------------------------------------------------
    async def send(self, reply: Reply) -> SentRef | None:
        if reply.relay is not None:  # a person's note or reply carried by a bridge
            try:
                return await self.relayer.write(reply, reply.relay)
            except RateLimited as exc:  # parked like an answer; the bridge tells its writer when
                await self._park(self.relayer.marker(reply), reply, exc.retry_after)
                return SentRef(self.name, "", reply.conversation.channel_id, due_in_s=exc.retry_after)
        if reply.notice:  # queue positions, rate limits, apologies: not ticket content
            log.info("%s: notice not written to the ticket", self.name, extra={"platform": self.name})
            return None
        try:
            return await self._write(reply)
        except RateLimited as exc:  # longer than a turn may wait: parked, written when due
            await self._park(self._part(reply), reply, exc.retry_after)
            return None

    def _part(self, reply: Reply) -> str:
        """The write's marker: one per event and part (a note, a public reply, an update alone)."""
        marker = marker_for(
            reply.in_reply_to or "", "" if reply.visibility is Visibility.PUBLIC else "internal"
        )
        return marker if reply.text.strip() else marker + "-update"

    async def _park(self, marker: str, reply: Reply, wait_s: float, *, tries: int = 0) -> None:
        what = "relayed comment" if reply.relay is not None else "answer"
        if not await self.parked.park(marker, reply, wait_s, tries=tries):
            raise AdapterError(f"{self.name}: rate limited for {wait_s:.0f} s and nowhere to park the {what}")
        log.info(
            "%s: rate limited, %s parked for %.0f s", self.name, what, wait_s, extra={"platform": self.name}
        )

    async def sweep(self) -> int:
        """Write the parked answers and relayed comments that are due (each once, on one
        replica), each through the path it would have taken at once; how many went out."""
        written = 0
        for marker, reply, tries in await self.parked.claim_due():
            try:
                if reply.relay is not None:
                    await self.relayer.write(reply, reply.relay)
                else:
                    await self._write(reply)
            except (RateLimited, AdapterError) as exc:
                wait = exc.retry_after if isinstance(exc, RateLimited) else RETRY_FAILED_S
                if tries + 1 < MAX_TRIES:
                    await self._park(marker, reply, wait, tries=tries + 1)
                    continue
                log.warning("%s: parked write given up after %d tries", self.name, tries + 1)
            else:
                written += 1
            await self.parked.done(marker)
        return written

    async def _sweep_forever(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.sweep()
            except Exception as exc:  # noqa: BLE001 — Redis away for a moment: the next sweep
                log.warning("%s: sweep failed: %s", self.name, type(exc).__name__)

    async def _write(self, reply: Reply) -> SentRef | None:
        """The guarded write: context, lock, hourly cap, the ticket read again, stand-down, one
        comment with the visibility flag explicit. Raises `RateLimited` for a long 429."""
        ref = reply.conversation.channel_id
        account = reply.conversation.workspace_id or ""
        event_id = reply.in_reply_to or ""
        asked = await self.state.asked(event_id)
        if asked is None:
            self._stand_down("the event's context expired or was never recorded")
            return None
        has_text = bool(reply.text.strip())
        marker = marker_for(event_id, "" if reply.visibility is Visibility.PUBLIC else "internal")
        if not await self.state.lock_write(self._part(reply)):
            self._stand_down("another replica is writing this answer")
            return None
        keep_reservation = not has_text  # a ticket update alone is not an answer
        try:
            if has_text and not await self.state.reserve_answer(ref, self.options.max_answers_per_hour):
                self._stand_down("hourly answer cap reached for the ticket")
                keep_reservation = True  # nothing was reserved
                if not reply.ticket:
                    return None
                has_text = False  # tags and an assignment are no answer: they still go (a handoff)
            current = await self.vendor.state(ref, account)
            done = already_written(current, marker) if has_text else None
            if done is not None:
                return SentRef(self.name, done.id, ref)
            reason = stand_down_reason(current, asked, self.bot_id)
            if reason is None and await self.state.human_since(ref, asked.received_at):
                reason = "a human agent answered since the event (webhook)"
            if reason is not None:
                self._stand_down(reason)
                return None
            if reply.ticket:
                await self._update(ref, account, reply.ticket)
            if not has_text:
                return SentRef(self.name, "", ref)
            # the reply may ask for less than the policy allows (an internal note), never for more
            public = (
                reply.visibility is Visibility.PUBLIC and self.options.public_replies and not current.closed
            )
            text = f"{reply.text}\n\n— {self.options.marker} bot (ref {marker})"

            async def find() -> str | None:
                found = already_written(await self.vendor.state(ref, account), marker)
                return found.id if found else None

            try:
                comment_id = await self.vendor.write(ref, account, text, public=public, find=find)
            except RateLimited:
                raise
            except HttpError as exc:
                raise AdapterError(f"{self.name}: answer not written ({exc})") from None
            keep_reservation = True
            return SentRef(self.name, comment_id, ref)
        finally:
            if not keep_reservation:
                await self.state.release_answer(ref)
            await self.state.unlock_write(self._part(reply))

    async def _update(self, ref: str, account: str, change: TicketUpdate) -> None:
        """Tags, priority, assignment: before the comment, so a note saying "handed to the team"
        never stands on a ticket that was not handed over."""
        try:
            skipped = await self.vendor.update(ref, account, change)
        except RateLimited:
            raise
        except HttpError as exc:
            raise AdapterError(f"{self.name}: ticket update not applied ({exc})") from None
        for what in skipped:
            log.warning("%s: %s", self.name, what, extra={"platform": self.name})

    # -- the staff side (core.adapter.SupportsStaff, for a bridge) -----------------------------
    async def agent_for(self, email: str, account: str | None) -> str | None:
        return await self.relayer.agent_for(email)

    def link_to(self, conversation: ConversationRef) -> str:
        return self.vendor.link_to(conversation.channel_id)

    def _stand_down(self, reason: str) -> None:
        log.info("%s: bot stands down: %s", self.name, reason, extra={"platform": self.name})
        self.stood_down.append(reason)
        del self.stood_down[:-50]
