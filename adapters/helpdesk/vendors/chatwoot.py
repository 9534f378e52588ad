"""Chatwoot: `message_created` webhooks signed `X-Chatwoot-Signature: sha256=<hex>` over
`"{timestamp}.{body}"` (`X-Chatwoot-Timestamp`, signed webhooks since v4.11.2), deduplicated on
`X-Chatwoot-Delivery`; answers with `POST /api/v1/accounts/{a}/conversations/{c}/messages` and
`private` always sent.

https://www.chatwoot.com/developers/api/#tag/Messages/operation/create-a-new-message-in-a-conversation"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.helpdesk.text import plain
from adapters.helpdesk.ticket import AuthorRole, Comment, Skip, Ticket, TicketKind, TicketState, comment_kind
from adapters.helpdesk.vendor import Vendor, level, numeric, pick, text_of
from adapters.kit.http import FindExisting
from adapters.kit.route import MalformedPayload
from adapters.kit.verify import HmacVerifier, Verifier
from core.events import TicketUpdate

CLOSED = {"resolved"}
PRIORITY = ("low", "medium", "high", "urgent")
INCOMING = {"incoming", 0}


def _when(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


class Chatwoot(Vendor):
    name = "chatwoot"
    label = "Chatwoot"
    env = {
        "url": "CHATWOOT_URL",
        "api_token": "CHATWOOT_API_TOKEN",
        "webhook_secret": "CHATWOOT_WEBHOOK_SECRET",
    }
    required = ("url", "webhook_secret")
    delivery_header = "X-Chatwoot-Delivery"

    def verifier(self) -> Verifier:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        return HmacVerifier(
            secret,
            signature_header="X-Chatwoot-Signature",
            timestamp_header="X-Chatwoot-Timestamp",
            layout="{ts}.{body}",
            prefix="sha256=",
        )

    def auth_headers(self) -> dict[str, str]:
        token = self.config.secret("api_token")
        return {"api_access_token": token.reveal()} if token else {}

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        event = payload.get("event")
        if not isinstance(event, str):
            raise MalformedPayload("not a Chatwoot webhook (no 'event')")
        if event != "message_created":
            return Skip(f"{event[:40]} (the conversation's messages arrive as message_created)")
        conversation = payload.get("conversation")
        if not isinstance(conversation, Mapping) or "display_id" not in conversation:
            raise MalformedPayload("message_created without 'conversation.display_id'")
        sender_type, sender = text_of(pick(payload, "sender", "type")), text_of(pick(payload, "sender", "id"))
        private = bool(payload.get("private", False))
        incoming = payload.get("message_type") in INCOMING
        if payload.get("message_type") not in {"incoming", "outgoing", 0, 1}:
            return Skip("activity or template message")
        if sender_type == "agent_bot" or (not incoming and sender == bot_id):
            role = AuthorRole.BOT
        else:
            role = AuthorRole.CUSTOMER if incoming and sender_type in {"contact", ""} else AuthorRole.AGENT
        first = len(pick(conversation, "messages", default=[])) <= 1
        kind = comment_kind(role, not private)
        if kind is TicketKind.CUSTOMER_REPLIED and first:
            kind = TicketKind.CREATED
        status = text_of(conversation.get("status"))
        ticket = Ticket(
            delivery_id=delivery_id,
            account=text_of(pick(payload, "account", "id")),
            kind=kind,
            ref=text_of(conversation["display_id"]),
            author_id=sender,
            author_role=role,
            public=not private,
            body=plain(text_of(payload.get("content"))),
            requester=text_of(pick(conversation, "meta", "sender", "id")) or (sender if incoming else ""),
            status=status,
            closed=status in CLOSED,
            assignee=text_of(pick(conversation, "meta", "assignee", "id")),
            priority=text_of(conversation.get("priority")),
            tags=tuple(str(label) for label in conversation.get("labels") or ()),
            channel=text_of(conversation.get("channel")),
            comment_id=text_of(payload.get("id")),
        )
        return Skip("the bot's own message", ticket) if role is AuthorRole.BOT else ticket

    async def whoami(self) -> str:
        return text_of(pick((await self.client.get("/api/v1/profile")).data, "id"))

    def _base(self, account: str, ref: str) -> str:
        return f"/api/v1/accounts/{account}/conversations/{ref}"

    async def state(self, ref: str, account: str) -> TicketState:
        conversation = (await self.client.get(self._base(account, ref))).data or {}
        listed = (await self.client.get(self._base(account, ref) + "/messages")).data or {}
        comments = tuple(
            Comment(
                id=text_of(m.get("id")),
                author_id=text_of(pick(m, "sender", "id")),
                public=not m.get("private", False),
                created_at=_when(m.get("created_at")),
                body=text_of(m.get("content")),
                by_customer=m.get("message_type") in INCOMING,
            )
            for m in pick(listed, "payload", default=[])
            if isinstance(m, Mapping) and m.get("message_type") in {0, 1, "incoming", "outgoing"}
        )
        status = text_of(conversation.get("status"))
        assignee = text_of(pick(conversation, "meta", "assignee", "id"))
        return TicketState(status, status in CLOSED, assignee, comments)

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        body = {"content": text, "message_type": "outgoing", "private": not public}
        result = await self.client.request(
            "POST", self._base(account, ref) + "/messages", json=body, find_existing=find
        )
        return str(result.data) if result.recovered else text_of(pick(result.data, "id"))

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        base = self._base(account, ref)
        if change.add_tags or change.remove_tags:  # POST labels replaces them: merge with what is there
            current = (await self.client.get(base + "/labels")).data or {}
            labels = [
                str(t) for t in pick(current, "payload", default=[]) if str(t) not in change.remove_tags
            ]
            labels += [t for t in change.add_tags if t not in labels]
            await self.client.request("POST", base + "/labels", json={"labels": labels}, idempotent=True)
        if change.priority:
            body = {"priority": level(change.priority, PRIORITY)}
            await self.client.request("POST", base + "/toggle_priority", json=body, idempotent=True)
        if change.assign_group or change.assign_agent:
            body = {"team_id": numeric(change.assign_group)} if change.assign_group else {}
            if change.assign_agent:
                body["assignee_id"] = numeric(change.assign_agent)
            await self.client.request("POST", base + "/assignments", json=body, idempotent=True)
        return []
