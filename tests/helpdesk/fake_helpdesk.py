"""One fake helpdesk API per vendor on 127.0.0.1: tickets in memory, every write recorded, and
knobs for the failures the adapter must survive (429 with Retry-After, a 500 after storing)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_ID = "90001"
AGENT_ID = "20002"
CUSTOMER_ID = "30003"
AGENTS = {"ann@example.com": AGENT_ID}  # the agents' e-mail addresses (Zendesk users search)


@dataclass
class FakeComment:
    id: str
    author_id: str
    public: bool
    body: str
    created_at: float
    customer: bool = False


@dataclass
class FakeTicket:
    ref: str
    status: str = "open"
    assignee: str = ""
    requester: str = CUSTOMER_ID
    comments: list[FakeComment] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    priority: str = ""
    group: str = ""
    version: int = 0  # bumped on every change: Zendesk's updated_at, for safe_update

    @property
    def updated_at(self) -> str:
        return iso(1_767_000_000 + self.version)


@dataclass
class Write:
    """One write request as the vendor received it (the JSON body) and whether it was stored."""

    ref: str
    body: dict[str, Any]
    stored: bool


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeHelpdesk:
    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.tickets: dict[str, FakeTicket] = {}
        self.writes: list[Write] = []
        self.updates: list[Write] = []  # ticket field updates (tags, priority, group), as received
        self.rate_limit: list[dict[str, str]] = []  # headers of 429s to answer the next writes with
        self.fail_after_store = 0  # the next N writes are stored, then answered 500
        self.created: list[tuple[str, dict[str, Any]]] = []  # webhooks and triggers made by setup
        self.configured: dict[str, list[dict[str, Any]]] = {}  # what setup made, by kind
        self.refuse_writes = 0  # the next N writes are refused (422), nothing stored
        self.agent_edit: dict[str, Any] = {}  # fields an agent sets just before the next update lands
        self._ids = itertools.count(5000)
        self.app = web.Application()
        from tests.helpdesk.fake_routes import ROUTES
        from tests.helpdesk.fake_setup import SETUP_ROUTES

        ROUTES[vendor](self)
        if vendor in SETUP_ROUTES:
            SETUP_ROUTES[vendor](self)
        self.server = TestServer(self.app, host="127.0.0.1", port=0)

    async def start(self) -> FakeHelpdesk:
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await self.server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    # -- the store ------------------------------------------------------------------------------
    def ticket(self, ref: str, **fields: Any) -> FakeTicket:
        ticket = self.tickets.setdefault(ref, FakeTicket(ref))
        for key, value in fields.items():
            setattr(ticket, key, value)
        return ticket

    def add_comment(self, ref: str, author: str, body: str, *, public: bool = True) -> FakeComment:
        ticket = self.ticket(ref)
        comment = FakeComment(
            str(next(self._ids)), author, public, body, time.time(), author == ticket.requester
        )
        ticket.comments.append(comment)
        ticket.version += 1
        return comment

    def apply(
        self,
        ref: str,
        body: dict[str, Any],
        *,
        add: list[str] | None = None,
        remove: list[str] | None = None,
        tags: list[str] | None = None,
        priority: Any = None,
        group: Any = None,
    ) -> FakeTicket:
        """A ticket field update: tags added, removed or replaced, priority and group set."""
        ticket = self.ticket(ref)
        if tags is not None:
            ticket.tags = list(tags)
        ticket.tags += [t for t in add or () if t not in ticket.tags]
        ticket.tags = [t for t in ticket.tags if t not in (remove or ())]
        if priority is not None:
            ticket.priority = str(priority)
        if group is not None:
            ticket.group = str(group)
        ticket.version += 1
        self.updates.append(Write(ref, body, stored=True))
        return ticket

    def bot_comments(self, ref: str | None = None) -> list[FakeComment]:
        refs = [ref] if ref else list(self.tickets)
        return [c for r in refs for c in self.ticket(r).comments if c.author_id == BOT_ID]

    def _write(
        self, ref: str, body: dict[str, Any], text: str, public: bool, author: str = BOT_ID
    ) -> web.Response | FakeComment:
        if self.refuse_writes:
            self.refuse_writes -= 1
            self.writes.append(Write(ref, body, stored=False))
            return web.json_response({"error": "RecordInvalid"}, status=422)
        if self.rate_limit:
            self.writes.append(Write(ref, body, stored=False))
            return web.json_response({"error": "TooManyRequests"}, status=429, headers=self.rate_limit.pop(0))
        comment = self.add_comment(ref, author, text, public=public)
        self.writes.append(Write(ref, body, stored=True))
        if self.fail_after_store:
            self.fail_after_store -= 1
            return web.json_response({"error": "InternalError"}, status=500)
        return comment
