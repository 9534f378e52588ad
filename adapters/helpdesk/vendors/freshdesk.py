"""Freshdesk: no native signature and no delivery id. Automation rules send the JSON template from
`docs/helpdesks.md` with a shared secret in a header (`X-Switchboard-Secret` by default) or basic
auth, compared in constant time; the source is low-trust (put an IP allow-list in front).
Answers: `POST /api/v2/tickets/{id}/notes` (`private: true`) or `/reply`.

https://developers.freshdesk.com/api/#add_note_to_a_ticket"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.helpdesk.text import plain
from adapters.helpdesk.ticket import AuthorRole, Comment, Skip, Ticket, TicketKind, TicketState
from adapters.helpdesk.vendor import Vendor, numeric, pick, text_of, ticket_fields
from adapters.kit.http import FindExisting
from adapters.kit.route import MalformedPayload
from adapters.kit.verify import SecretHeaderVerifier, Verifier
from core.events import TicketUpdate

CLOSED = {"4", "5", "resolved", "closed"}  # 4 Resolved, 5 Closed
PRIORITY = (1, 2, 3, 4)  # Low, Medium, High, Urgent
EVENTS = {
    "ticket_created": TicketKind.CREATED,
    "customer_replied": TicketKind.CUSTOMER_REPLIED,
    "agent_replied": TicketKind.AGENT_REPLIED,
    "note_added": TicketKind.NOTE,
}

BODY_FIELDS = {TicketKind.CREATED: "ticket_description", TicketKind.NOTE: "ticket_latest_private_comment"}


def _when(value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class Freshdesk(Vendor):
    name = "freshdesk"
    label = "Freshdesk"
    env = {
        "url": "FRESHDESK_URL",
        "api_key": "FRESHDESK_API_KEY",
        "webhook_secret": "FRESHDESK_WEBHOOK_SECRET",
    }
    required = ("url", "webhook_secret")

    def verifier(self) -> Verifier:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        return SecretHeaderVerifier(secret, header=self.config.options.secret_header)

    def auth_headers(self) -> dict[str, str]:
        key = self.config.secret("api_key")
        if key is None:
            return {}
        return {"Authorization": "Basic " + base64.b64encode(f"{key.reveal()}:X".encode()).decode()}

    def delivery_id(self, headers: Mapping[str, str], payload: Mapping[str, Any], body: bytes) -> str:
        """None is sent: ticket id + update time + a hash of the body (a retry is byte-identical)."""
        hook = payload.get("freshdesk_webhook") or {}
        ticket = text_of(hook.get("ticket_id"))[:40] if isinstance(hook, Mapping) else ""
        stamp = text_of(hook.get("ticket_updated_at"))[:40] if isinstance(hook, Mapping) else ""
        return f"{ticket}-{hashlib.sha256(stamp.encode() + b'|' + body).hexdigest()[:24]}"

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        hook = payload.get("freshdesk_webhook")
        if not isinstance(hook, Mapping) or not text_of(hook.get("ticket_id")):
            raise MalformedPayload(
                "not the Switchboard Freshdesk template (no 'freshdesk_webhook.ticket_id')"
            )
        kind = EVENTS.get(text_of(hook.get("switchboard_event")))
        if kind is None:
            return Skip("unhandled switchboard_event")
        status = text_of(hook.get("ticket_status")).lower()
        author = text_of(hook.get("actor_id"))
        role = (
            AuthorRole.CUSTOMER
            if kind in (TicketKind.CREATED, TicketKind.CUSTOMER_REPLIED)
            else AuthorRole.AGENT
        )
        if author and author == bot_id:
            role = AuthorRole.BOT
        raw_body = hook.get(BODY_FIELDS.get(kind, "ticket_latest_public_comment"))
        ticket = Ticket(
            delivery_id=delivery_id,
            account=self.config.url.removeprefix("https://").removeprefix("http://"),
            kind=kind,
            ref=text_of(hook["ticket_id"]),
            author_id=author or text_of(hook.get("ticket_requester_id")),
            author_role=role,
            public=kind is not TicketKind.NOTE,
            subject=text_of(hook.get("ticket_subject")),
            body=plain(text_of(raw_body)),
            requester=text_of(hook.get("ticket_requester_id")),
            status=status,
            closed=status in CLOSED,
            priority=text_of(hook.get("ticket_priority")).lower(),
            tags=tuple(t.strip() for t in text_of(hook.get("ticket_tags")).split(",") if t.strip()),
            channel=text_of(hook.get("ticket_source")).lower(),
            sla_due=text_of(hook.get("ticket_due_by")),
        )
        return Skip("the bot's own note", ticket) if role is AuthorRole.BOT else ticket

    async def whoami(self) -> str:
        return text_of(pick((await self.client.get("/api/v2/agents/me")).data, "id"))

    def link_to(self, ref: str) -> str:
        return f"{self.config.url}/a/tickets/{ref}"

    async def state(self, ref: str, account: str) -> TicketState:
        ticket = (await self.client.get(f"/api/v2/tickets/{ref}")).data or {}
        listed = (await self.client.get(f"/api/v2/tickets/{ref}/conversations")).data or []
        requester = text_of(ticket.get("requester_id"))
        comments = tuple(
            Comment(
                id=text_of(c.get("id")),
                author_id=text_of(c.get("user_id")),
                public=not c.get("private", False),
                created_at=_when(c.get("created_at")),
                body=text_of(c.get("body_text") or c.get("body")),
                by_customer=bool(c.get("incoming")) or text_of(c.get("user_id")) == requester,
            )
            for c in listed
            if isinstance(c, Mapping)
        )
        status = text_of(ticket.get("status")).lower()
        return TicketState(status, status in CLOSED, text_of(ticket.get("responder_id")), comments)

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        return await self.write_as(ref, account, text, public=public, author_id=None, find=find)

    async def agent_for(self, email: str) -> str | None:
        """`GET /api/v2/agents?email=`: the active agent with that address."""
        found = (await self.client.get("/api/v2/agents", email=email)).data
        for agent in found if isinstance(found, list) else ():
            contact = pick(agent, "contact", default={})
            active = pick(contact, "active", default=True)
            if active and text_of(pick(contact, "email")).lower() == email.lower():
                return text_of(pick(agent, "id")) or None
        return None

    async def write_as(
        self, ref: str, account: str, text: str, *, public: bool, author_id: str | None, find: FindExisting
    ) -> str:
        html = "<br>".join(line for line in text.replace("&", "&amp;").replace("<", "&lt;").splitlines())
        body: dict[str, Any] = {"body": html} if public else {"body": html, "private": True}
        path = f"/api/v2/tickets/{ref}/reply" if public else f"/api/v2/tickets/{ref}/notes"
        if author_id:  # notes and replies take the agent who writes them
            body["user_id"] = numeric(author_id)
        result = await self.client.request("POST", path, json=body, find_existing=find)
        return str(result.data) if result.recovered else text_of(pick(result.data, "id"))

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        fields: dict[str, Any] = {}
        if change.add_tags or change.remove_tags:  # `tags` replaces the list: merge with what is there
            current = (await self.client.get(f"/api/v2/tickets/{ref}")).data or {}
            tags = [str(t) for t in current.get("tags") or () if str(t) not in change.remove_tags]
            fields["tags"] = tags + [t for t in change.add_tags if t not in tags]
        fields.update(ticket_fields(change, PRIORITY, agent_field="responder_id"))
        if fields:
            await self.client.request("PUT", f"/api/v2/tickets/{ref}", json=fields, idempotent=True)
        return []
