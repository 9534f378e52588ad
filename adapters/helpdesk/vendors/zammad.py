"""Zammad: trigger webhooks signed `X-Hub-Signature: sha1=<hex>` over the body (not sent for an
empty body), deduplicated on `X-Zammad-Delivery`; the default payload carries `ticket` and
`article`. Answers: `POST /api/v1/ticket_articles` with `internal` always sent.

https://admin-docs.zammad.org/en/latest/manage/webhook/payload.html
https://docs.zammad.org/en/latest/api/ticket/articles.html"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from adapters.helpdesk.text import plain
from adapters.helpdesk.ticket import AuthorRole, Comment, Skip, Ticket, TicketKind, TicketState, comment_kind
from adapters.helpdesk.vendor import Vendor, numeric, pick, text_of, ticket_fields
from adapters.kit.http import FindExisting
from adapters.kit.route import MalformedPayload
from adapters.kit.verify import HmacVerifier, Verifier
from core.events import TicketUpdate

CLOSED = {"closed", "merged", "removed"}
PRIORITY = ("1 low", "2 normal", "3 high", "3 high")  # Zammad ships three


def _when(value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class Zammad(Vendor):
    name = "zammad"
    label = "Zammad"
    env = {"url": "ZAMMAD_URL", "api_token": "ZAMMAD_API_TOKEN", "webhook_secret": "ZAMMAD_WEBHOOK_SECRET"}
    required = ("url", "webhook_secret")
    delivery_header = "X-Zammad-Delivery"

    def verifier(self) -> Verifier:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        return HmacVerifier(secret, signature_header="X-Hub-Signature", digest="sha1", prefix="sha1=")

    def auth_headers(self) -> dict[str, str]:
        token = self.config.secret("api_token")
        return {"Authorization": f"Token token={token.reveal()}"} if token else {}

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        ticket = payload.get("ticket")
        if not isinstance(ticket, Mapping) or "id" not in ticket:
            raise MalformedPayload("not a Zammad webhook (no 'ticket.id')")
        state = text_of(ticket.get("state")).lower()
        article = payload.get("article")
        base = Ticket(
            delivery_id=delivery_id,
            account=self.config.url.removeprefix("https://").removeprefix("http://"),
            kind=TicketKind.STATUS_CHANGED,
            ref=text_of(ticket["id"]),
            author_id="",
            author_role=AuthorRole.SYSTEM,
            public=False,
            subject=text_of(ticket.get("title")),
            requester=text_of(ticket.get("customer_id")),
            status=state,
            closed=state in CLOSED,
            assignee=text_of(ticket.get("owner_id"))
            if text_of(ticket.get("owner_id")) not in {"", "1"}
            else "",
            priority=text_of(pick(ticket, "priority", "name")),
            tags=tuple(str(t) for t in ticket.get("tags") or ()),
            channel=text_of(ticket.get("create_article_type")),
            sla_due=text_of(ticket.get("escalation_at")),
        )
        if not isinstance(article, Mapping) or not article:
            return Skip("ticket update without an article", base)
        author = text_of(article.get("created_by_id"))
        sender = text_of(article.get("sender"))
        if author == bot_id and sender != "Customer":
            role = AuthorRole.BOT
        else:
            role = {"Customer": AuthorRole.CUSTOMER, "Agent": AuthorRole.AGENT}.get(sender, AuthorRole.SYSTEM)
        if role is AuthorRole.SYSTEM:
            return Skip("system article", base)
        public = not article.get("internal", False)
        kind = comment_kind(role, public)
        if kind is TicketKind.CUSTOMER_REPLIED and int(ticket.get("article_count") or 0) <= 1:
            kind = TicketKind.CREATED
        parsed = replace(
            base,
            kind=kind,
            author_id=author,
            author_role=role,
            public=public,
            body=plain(text_of(article.get("body"))),
            comment_id=text_of(article.get("id")),
        )
        return Skip("the bot's own article", parsed) if role is AuthorRole.BOT else parsed

    async def whoami(self) -> str:
        return text_of(pick((await self.client.get("/api/v1/users/me")).data, "id"))

    async def state(self, ref: str, account: str) -> TicketState:
        ticket = (await self.client.get(f"/api/v1/tickets/{ref}", expand="true")).data or {}
        listed = (await self.client.get(f"/api/v1/ticket_articles/by_ticket/{ref}")).data or []
        comments = tuple(
            Comment(
                id=text_of(a.get("id")),
                author_id=text_of(a.get("created_by_id")),
                public=not a.get("internal", False),
                created_at=_when(a.get("created_at")),
                body=text_of(a.get("body")),
                by_customer=a.get("sender") == "Customer",
            )
            for a in listed
            if isinstance(a, Mapping) and a.get("sender") in {"Customer", "Agent"}
        )
        state = text_of(ticket.get("state")).lower()
        owner = text_of(ticket.get("owner_id"))
        return TicketState(state, state in CLOSED, "" if owner in {"", "1"} else owner, comments)

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        body = {
            "ticket_id": int(ref) if ref.isdigit() else ref,
            "body": text,
            "content_type": "text/plain",
            "type": "note" if not public else "web",
            "internal": not public,
            "sender": "Agent",
        }
        result = await self.client.request("POST", "/api/v1/ticket_articles", json=body, find_existing=find)
        return str(result.data) if result.recovered else text_of(pick(result.data, "id"))

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        o_id = numeric(ref)
        for name in change.add_tags:
            body = {"object": "Ticket", "o_id": o_id, "item": name}
            await self.client.request("POST", "/api/v1/tags/add", json=body, idempotent=True)
        for name in change.remove_tags:
            body = {"object": "Ticket", "o_id": o_id, "item": name}
            await self.client.request("DELETE", "/api/v1/tags/remove", json=body)
        fields: dict[str, Any] = {}
        fields.update(ticket_fields(change, PRIORITY, agent_field="owner_id"))
        if fields:
            await self.client.request("PUT", f"/api/v1/tickets/{ref}", json=fields, idempotent=True)
        return []
