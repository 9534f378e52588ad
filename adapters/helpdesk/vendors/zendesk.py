"""Zendesk: webhooks from event subscriptions (`zen:event-type:ticket.*`), signed with base64
HMAC-SHA256 over `timestamp + body`; answers via `PUT /api/v2/tickets/{id}.json` with
`comment.public` always sent (it defaults to true and persists) and the bot's `author_id`.

https://developer.zendesk.com/api-reference/webhooks/event-types/ticket-events/
https://developer.zendesk.com/documentation/webhooks/verifying/"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from adapters.helpdesk.text import plain
from adapters.helpdesk.ticket import AuthorRole, Comment, Skip, Ticket, TicketKind, TicketState, comment_kind
from adapters.helpdesk.vendor import Vendor, pick, text_of, ticket_fields
from adapters.kit.http import FindExisting, HttpError
from adapters.kit.route import MalformedPayload
from adapters.kit.verify import HmacVerifier, Verifier
from core.events import TicketUpdate

CLOSED = {"solved", "closed"}
PRIORITY = ("low", "normal", "high", "urgent")
STAFF_ROLES = {"agent", "admin"}
SAFE_UPDATE_TRIES = 3  # a ticket busy enough to conflict three times running is left to its people


def _when(value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _tags(value: Any) -> tuple[str, ...]:
    """A list (event subscriptions) or the space-separated `{{ticket.tags}}` (trigger bodies)."""
    if isinstance(value, str):
        return tuple(value.split())
    return tuple(str(t) for t in value or ())


class Zendesk(Vendor):
    name = "zendesk"
    label = "Zendesk"
    env = {
        "url": "ZENDESK_URL",
        "email": "ZENDESK_EMAIL",
        "api_token": "ZENDESK_API_TOKEN",
        "oauth_token": "ZENDESK_OAUTH_TOKEN",
        "webhook_secret": "ZENDESK_WEBHOOK_SECRET",
    }
    required = ("url", "webhook_secret")
    delivery_header = "X-Zendesk-Webhook-Invocation-Id"

    def verifier(self) -> Verifier:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        return HmacVerifier(
            secret,
            signature_header="X-Zendesk-Webhook-Signature",
            timestamp_header="X-Zendesk-Webhook-Signature-Timestamp",
            timestamp_format="iso8601",
            layout="{ts}{body}",
            encoding="base64",
        )

    def auth_headers(self) -> dict[str, str]:
        oauth = self.config.secret("oauth_token")
        if oauth is not None:
            return {"Authorization": f"Bearer {oauth.reveal()}"}
        email, token = self.config.secret("email"), self.config.secret("api_token")
        if email is None or token is None:
            return {}
        pair = f"{email.reveal()}/token:{token.reveal()}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        kind = payload.get("type")
        detail = payload.get("detail")
        if not isinstance(kind, str) or not isinstance(detail, Mapping) or "id" not in detail:
            raise MalformedPayload("not a Zendesk event (no 'type' or 'detail.id')")
        status = text_of(detail.get("status")).lower()
        requester = text_of(detail.get("requester_id"))
        base = Ticket(
            delivery_id=delivery_id,
            account=text_of(payload.get("account_id")),
            kind=TicketKind.STATUS_CHANGED,
            ref=text_of(detail["id"]),
            author_id="",
            author_role=AuthorRole.SYSTEM,
            public=False,
            requester=requester,
            status=status,
            closed=status in CLOSED,
            assignee=text_of(detail.get("assignee_id")),
            priority=text_of(detail.get("priority")).lower(),
            tags=_tags(detail.get("tags")),
            channel=text_of(pick(detail, "via", "channel")),
            subject=text_of(detail.get("subject")),
        )
        if kind == "zen:event-type:ticket.created":
            body = plain(text_of(detail.get("description")))
            return replace(
                base,
                kind=TicketKind.CREATED,
                author_id=requester,
                author_role=AuthorRole.CUSTOMER,
                public=True,
                body=body,
            )
        if kind == "zen:event-type:ticket.comment_added":
            comment = pick(payload, "event", "comment", default={})
            author = text_of(pick(comment, "author", "id"))
            public = bool(comment.get("is_public", True))
            if author and author == bot_id:
                role = AuthorRole.BOT
            elif pick(comment, "author", "is_staff", default=False):
                role = AuthorRole.AGENT
            else:
                role = AuthorRole.CUSTOMER
            ticket = replace(
                base,
                kind=comment_kind(role, public),
                author_id=author,
                author_role=role,
                public=public,
                body=plain(text_of(comment.get("body"))),
                comment_id=text_of(comment.get("id")),
            )
            return Skip("the bot's own comment", ticket) if role is AuthorRole.BOT else ticket
        if kind == "zen:event-type:ticket.status_changed":
            return Skip("status changed", base)
        return Skip(f"unhandled event type {kind[:60]}")

    async def whoami(self) -> str:
        result = await self.client.get("/api/v2/users/me.json")
        return text_of(pick(result.data, "user", "id"))

    async def state(self, ref: str, account: str) -> TicketState:
        ticket = (await self.client.get(f"/api/v2/tickets/{ref}.json")).data
        listed = (await self.client.get(f"/api/v2/tickets/{ref}/comments.json", sort_order="desc")).data
        requester = text_of(pick(ticket, "ticket", "requester_id"))
        comments = tuple(
            Comment(
                id=text_of(c.get("id")),
                author_id=text_of(c.get("author_id")),
                public=bool(c.get("public")),
                created_at=_when(c.get("created_at")),
                body=text_of(c.get("body")),
                by_customer=text_of(c.get("author_id")) == requester,
            )
            for c in pick(listed, "comments", default=[])
            if isinstance(c, Mapping)
        )
        status = text_of(pick(ticket, "ticket", "status")).lower()
        return TicketState(status, status in CLOSED, text_of(pick(ticket, "ticket", "assignee_id")), comments)

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        return await self.write_as(ref, account, text, public=public, author_id=None, find=find)

    async def agent_for(self, email: str) -> str | None:
        """`GET /api/v2/users/search.json?query=<email>`: the agent or admin with that address."""
        found = (await self.client.get("/api/v2/users/search.json", query=email)).data
        for user in pick(found, "users", default=[]):
            if not isinstance(user, Mapping) or text_of(user.get("role")) not in STAFF_ROLES:
                continue
            if text_of(user.get("email")).lower() == email.lower() and user.get("active", True):
                return text_of(user.get("id")) or None
        return None

    def link_to(self, ref: str) -> str:
        return f"{self.config.url}/agent/tickets/{ref}"

    async def write_as(
        self, ref: str, account: str, text: str, *, public: bool, author_id: str | None, find: FindExisting
    ) -> str:
        comment: dict[str, Any] = {"body": text, "public": public}  # always explicit
        author = author_id or self.bot_id
        if author:
            comment["author_id"] = int(author) if author.isdigit() else author
        body = {"ticket": {"comment": comment}}
        result = await self.client.request(
            "PUT", f"/api/v2/tickets/{ref}.json", json=body, idempotent=False, find_existing=find
        )
        if result.recovered:
            return str(result.data)
        audit = pick(result.data, "audit", "events", default=[])
        ids = [text_of(e.get("id")) for e in audit if isinstance(e, Mapping) and e.get("type") == "Comment"]
        return ids[0] if ids else text_of(pick(result.data, "ticket", "id"))

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        """Tags merge (`additional_tags` / `remove_tags`); priority, group and agent go with
        `safe_update` and the ticket's `updated_stamp`, so an agent's change in the meantime is
        never overwritten: on 409 the ticket is read again, a field someone else changed since
        is left as they set it, and the rest is tried again."""
        tags: dict[str, Any] = {}
        if change.add_tags:
            tags["additional_tags"] = list(change.add_tags)  # added to the ticket's tags, not replacing
        if change.remove_tags:
            tags["remove_tags"] = list(change.remove_tags)
        fields = ticket_fields(change, PRIORITY, agent_field="assignee_id")
        left: list[str] = []
        seen = await self._ticket(ref) if fields else {}
        for _attempt in range(SAFE_UPDATE_TRIES):
            if not fields:
                if tags:
                    await self._put(ref, tags)
                return left
            try:
                stamp = text_of(seen.get("updated_at"))
                await self._put(ref, {**tags, **fields, "safe_update": True, "updated_stamp": stamp})
                return left
            except HttpError as exc:
                if exc.status != 409:  # UpdateConflict: the ticket changed since it was read
                    raise
            now = await self._ticket(ref)
            for name in [n for n in fields if text_of(now.get(n)) != text_of(seen.get(n))]:
                del fields[name]
                left.append(f"Zendesk: {name} was changed on the ticket meanwhile; left as it is")
            seen = now
        raise HttpError(f"zendesk PUT /api/v2/tickets: still conflicting after {SAFE_UPDATE_TRIES} tries")

    async def _put(self, ref: str, fields: Mapping[str, Any]) -> None:
        await self.client.request(
            "PUT", f"/api/v2/tickets/{ref}.json", json={"ticket": fields}, idempotent=True
        )

    async def _ticket(self, ref: str) -> Mapping[str, Any]:
        found = pick((await self.client.get(f"/api/v2/tickets/{ref}.json")).data, "ticket", default={})
        return found if isinstance(found, Mapping) else {}
