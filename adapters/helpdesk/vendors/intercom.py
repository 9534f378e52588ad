"""Intercom: notifications signed `X-Hub-Signature: sha1=<hex>` with the app's client secret,
deduplicated on the notification `id`; answers with `POST /conversations/{id}/reply`,
`message_type` note or comment, `type: admin`, `admin_id`. Its 429s carry no Retry-After: the kit
client waits for `X-RateLimit-Reset`.

https://developers.intercom.com/docs/references/webhooks/webhook-models
https://developers.intercom.com/docs/references/rest-api/api.intercom.io/conversations/replyconversation"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from adapters.helpdesk.text import plain
from adapters.helpdesk.ticket import AuthorRole, Comment, Skip, Ticket, TicketKind, TicketState
from adapters.helpdesk.vendor import Vendor, pick, text_of
from adapters.kit.http import FindExisting
from adapters.kit.route import MalformedPayload
from adapters.kit.verify import HmacVerifier, Verifier
from core.events import TicketUpdate

API_VERSION = "2.11"
TOPICS = {
    "conversation.user.created": TicketKind.CREATED,
    "conversation.user.replied": TicketKind.CUSTOMER_REPLIED,
    "conversation.admin.replied": TicketKind.AGENT_REPLIED,
    "conversation.admin.noted": TicketKind.NOTE,
}
CUSTOMERS = {"user", "lead", "contact"}


def _parts(conversation: Any) -> list[Mapping[str, Any]]:
    parts = pick(conversation, "conversation_parts", "conversation_parts", default=[])
    return [p for p in parts if isinstance(p, Mapping)]


class Intercom(Vendor):
    name = "intercom"
    label = "Intercom"
    env = {
        "url": "INTERCOM_URL",
        "access_token": "INTERCOM_ACCESS_TOKEN",
        "webhook_secret": "INTERCOM_CLIENT_SECRET",
        "admin_id": "INTERCOM_ADMIN_ID",
    }
    required = ("webhook_secret", "access_token", "admin_id")
    default_url = "https://api.intercom.io"

    def verifier(self) -> Verifier:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        return HmacVerifier(secret, signature_header="X-Hub-Signature", digest="sha1", prefix="sha1=")

    def delivery_id(self, headers: Mapping[str, str], payload: Mapping[str, Any], body: bytes) -> str:
        value = text_of(payload.get("id"))
        return value[:200] if value else super().delivery_id(headers, payload, body)

    def auth_headers(self) -> dict[str, str]:
        token = self.config.secret("access_token")
        headers = {"Intercom-Version": API_VERSION, "Accept": "application/json"}
        return {**headers, "Authorization": f"Bearer {token.reveal()}"} if token else headers

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        topic = payload.get("topic")
        item = pick(payload, "data", "item")
        if (
            payload.get("type") != "notification_event"
            or not isinstance(topic, str)
            or not isinstance(item, Mapping)
        ):
            raise MalformedPayload("not an Intercom notification (no 'topic' or 'data.item')")
        if item.get("type") != "conversation" or "id" not in item:
            return Skip(f"unhandled topic {topic[:60]}")
        state = text_of(item.get("state"))
        source = item.get("source") or {}
        requester = text_of(pick(source, "author", "id"))
        base = Ticket(
            delivery_id=delivery_id,
            account=text_of(payload.get("app_id")),
            kind=TicketKind.STATUS_CHANGED,
            ref=text_of(item["id"]),
            author_id="",
            author_role=AuthorRole.SYSTEM,
            public=False,
            subject=plain(text_of(source.get("subject"))),
            requester=requester,
            status=state,
            closed=state == "closed",
            assignee=text_of(item.get("admin_assignee_id")),
            priority=text_of(item.get("priority")),
            tags=tuple(
                text_of(t.get("name"))
                for t in pick(item, "tags", "tags", default=[])
                if isinstance(t, Mapping)
            ),
            channel=text_of(pick(source, "delivered_as")),
        )
        kind = TOPICS.get(topic)
        if kind is None:
            return Skip(f"unhandled topic {topic[:60]}", base)
        if kind is TicketKind.CREATED:
            return replace(
                base,
                kind=kind,
                author_id=requester,
                author_role=AuthorRole.CUSTOMER,
                public=True,
                body=plain(text_of(source.get("body"))),
                comment_id=text_of(source.get("id")),
            )
        parts = _parts(item)
        if not parts:
            raise MalformedPayload("Intercom reply notification without conversation_parts")
        part = parts[-1]
        author_type, author = text_of(pick(part, "author", "type")), text_of(pick(part, "author", "id"))
        if author == bot_id or author_type == "bot":
            role = AuthorRole.BOT
        else:
            role = AuthorRole.CUSTOMER if author_type in CUSTOMERS else AuthorRole.AGENT
        ticket = replace(
            base,
            kind=kind,
            author_id=author,
            author_role=role,
            public=kind is not TicketKind.NOTE,
            body=plain(text_of(part.get("body"))),
            comment_id=text_of(part.get("id")),
        )
        return Skip("the bot's own reply or note", ticket) if role is AuthorRole.BOT else ticket

    async def whoami(self) -> str:
        admin = self.config.secret("admin_id")
        return admin.reveal() if admin else ""

    async def state(self, ref: str, account: str) -> TicketState:
        conversation = (await self.client.get(f"/conversations/{ref}", display_as="plaintext")).data or {}
        comments = tuple(
            Comment(
                id=text_of(p.get("id")),
                author_id=text_of(pick(p, "author", "id")),
                public=p.get("part_type") != "note",
                created_at=float(p.get("created_at") or 0),
                body=text_of(p.get("body")),
                by_customer=text_of(pick(p, "author", "type")) in CUSTOMERS,
            )
            for p in _parts(conversation)
            if p.get("part_type") in {"comment", "note"}
        )
        state = text_of(conversation.get("state"))
        return TicketState(state, state == "closed", text_of(conversation.get("admin_assignee_id")), comments)

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        return await self.write_as(ref, account, text, public=public, author_id=None, find=find)

    async def agent_for(self, email: str) -> str | None:
        """`GET /admins`: the teammate with that address (replies and notes are written as them)."""
        found = (await self.client.get("/admins")).data
        for admin in pick(found, "admins", default=[]):
            if isinstance(admin, Mapping) and text_of(admin.get("email")).lower() == email.lower():
                return text_of(admin.get("id")) or None
        return None

    async def write_as(
        self, ref: str, account: str, text: str, *, public: bool, author_id: str | None, find: FindExisting
    ) -> str:
        body = {
            "message_type": "comment" if public else "note",
            "type": "admin",
            "admin_id": author_id or self.bot_id,
            "body": text,
        }
        result = await self.client.request(
            "POST", f"/conversations/{ref}/reply", json=body, find_existing=find
        )
        if result.recovered:
            return str(result.data)
        parts = _parts(result.data)
        return text_of(parts[-1].get("id")) if parts else ref

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        for name in change.add_tags:  # POST /tags creates the tag or returns the one of that name
            created = await self.client.request("POST", "/tags", json={"name": name}, idempotent=True)
            tag_id = text_of(pick(created.data, "id"))
            await self.client.request(
                "POST",
                f"/conversations/{ref}/tags",
                json={"id": tag_id, "admin_id": self.bot_id},
                idempotent=True,
            )
        if change.priority:
            flag = "priority" if change.priority in {"high", "urgent"} else "not_priority"
            await self.client.request("PUT", f"/conversations/{ref}", json={"priority": flag})
        for kind, target in (("team", change.assign_group), ("admin", change.assign_agent)):
            if target:
                body = {
                    "message_type": "assignment",
                    "type": kind,
                    "admin_id": self.bot_id,
                    "assignee_id": target,
                }
                await self.client.request("POST", f"/conversations/{ref}/parts", json=body, idempotent=True)
        return ["Intercom tags are only added"] if change.remove_tags else []
