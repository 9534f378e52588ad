"""What a bridge carries into a ticket (`Reply.relay`): a person's note or public reply, written as
their agent user where the vendor allows it, never subject to the bot's answer rules, and with the
marker footer that keeps its webhook echo from being carried back; a long rate limit parks it
like the bot's own answers (`adapters.helpdesk.parked`). Also the agent directory the
bridge asks before it relays (`core.adapter.SupportsStaff`), cached per process."""

from __future__ import annotations

import logging
import time

from adapters.helpdesk.guard import HelpdeskState, already_written, marker_for
from adapters.helpdesk.vendor import Vendor
from adapters.kit.http import HttpError, RateLimited
from core.errors import AdapterError
from core.events import Relay, Reply, SentRef, Visibility
from core.lru import LruDict

log = logging.getLogger(__name__)

AGENT_TTL_S = 600.0


class Relayer:
    def __init__(self, vendor: Vendor, state: HelpdeskState) -> None:
        self.vendor = vendor
        self.state = state
        self._agents: LruDict[str, tuple[str | None, float]] = LruDict(2_000)

    async def agent_for(self, email: str) -> str | None:
        key = email.strip().lower()
        if not key:
            return None
        cached = self._agents.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            agent = await self.vendor.agent_for(key)
        except HttpError as exc:
            name = self.vendor.name
            log.warning("%s: agent lookup failed (%s)", name, exc, extra={"platform": name})
            return None  # not cached: the next message asks again
        self._agents[key] = (agent, time.monotonic() + AGENT_TTL_S)
        return agent

    @staticmethod
    def marker(reply: Reply) -> str:
        """The relayed comment's footer reference: one per relayed message (its event)."""
        return marker_for(reply.in_reply_to or f"{reply.conversation.channel_id}:{reply.text}")

    async def write(self, reply: Reply, relay: Relay) -> SentRef | None:
        """One comment for `reply` (a redelivered or retried relay finds the one it wrote).
        Raises `RateLimited` for a 429 longer than a turn may wait (the adapter parks it)."""
        ref, account = reply.conversation.channel_id, reply.conversation.workspace_id or ""
        marker = self.marker(reply)
        if not await self.state.lock_write(marker):
            return None  # another replica is writing it
        try:
            done = already_written(await self.vendor.state(ref, account), marker)
            if done is not None:
                return SentRef(self.vendor.name, done.id, ref)
            text = f"{reply.text}\n\n— via {relay.via} (ref {marker})"

            async def find() -> str | None:
                found = already_written(await self.vendor.state(ref, account), marker)
                return found.id if found else None

            public = reply.visibility is Visibility.PUBLIC
            comment_id = await self.vendor.write_as(
                ref, account, text, public=public, author_id=relay.author_id, find=find
            )
            return SentRef(self.vendor.name, comment_id, ref)
        except RateLimited:
            raise
        except HttpError as exc:
            raise AdapterError(f"{self.vendor.name}: relayed comment not written ({exc})") from None
        finally:
            await self.state.unlock_write(marker)
