"""Jira Service Management: admin webhooks signed `X-Hub-Signature: sha256=<hex>` over the body,
deduplicated on `X-Atlassian-Webhook-Identifier`; comment bodies may be ADF. Answers:
`POST /rest/servicedeskapi/request/{key}/comment` with `public` always sent.

https://developer.atlassian.com/cloud/jira/platform/webhooks/
https://developer.atlassian.com/cloud/jira/service-desk/rest/api-group-request/#api-rest-servicedeskapi-request-issueidorkey-comment-post"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from adapters.helpdesk.text import adf_to_text, plain
from adapters.helpdesk.ticket import AuthorRole, Comment, Skip, Ticket, TicketKind, TicketState, comment_kind
from adapters.helpdesk.vendor import Vendor, level, pick, text_of
from adapters.kit.http import FindExisting
from adapters.kit.route import MalformedPayload
from adapters.kit.verify import HmacVerifier, Verifier
from core.events import TicketUpdate

PRIORITY = ("Low", "Medium", "High", "Highest")


def body_text(value: Any) -> str:
    return plain(adf_to_text(value)) if isinstance(value, Mapping) else plain(text_of(value))


class Jsm(Vendor):
    name = "jsm"
    label = "Jira Service Management"
    env = {
        "url": "JIRA_URL",
        "email": "JIRA_EMAIL",
        "api_token": "JIRA_API_TOKEN",
        "webhook_secret": "JIRA_WEBHOOK_SECRET",
    }
    required = ("url", "webhook_secret")
    delivery_header = "X-Atlassian-Webhook-Identifier"

    def verifier(self) -> Verifier:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        return HmacVerifier(secret, signature_header="X-Hub-Signature", prefix="sha256=")

    def auth_headers(self) -> dict[str, str]:
        email, token = self.config.secret("email"), self.config.secret("api_token")
        if email is None or token is None:
            return {}
        return {
            "Authorization": "Basic "
            + base64.b64encode(f"{email.reveal()}:{token.reveal()}".encode()).decode()
        }

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        event = payload.get("webhookEvent")
        issue = payload.get("issue")
        if not isinstance(event, str) or not isinstance(issue, Mapping) or not issue.get("key"):
            raise MalformedPayload("not a Jira webhook (no 'webhookEvent' or 'issue.key')")
        fields = issue.get("fields") or {}
        status_key = text_of(pick(fields, "status", "statusCategory", "key"))
        reporter = text_of(pick(fields, "reporter", "accountId"))
        base = Ticket(
            delivery_id=delivery_id,
            account=text_of(pick(payload, "matchedWebhookIds", 0)) or self.config.url,
            kind=TicketKind.STATUS_CHANGED,
            ref=text_of(issue["key"]),
            author_id="",
            author_role=AuthorRole.SYSTEM,
            public=False,
            subject=text_of(fields.get("summary")),
            requester=reporter,
            status=text_of(pick(fields, "status", "name")).lower(),
            closed=status_key == "done",
            assignee=text_of(pick(fields, "assignee", "accountId")),
            priority=text_of(pick(fields, "priority", "name")).lower(),
            tags=tuple(str(label) for label in fields.get("labels") or ()),
            sla_due=text_of(fields.get("duedate")),
        )
        if event == "jira:issue_created":
            return replace(
                base,
                kind=TicketKind.CREATED,
                author_id=reporter,
                author_role=AuthorRole.CUSTOMER,
                public=True,
                body=body_text(fields.get("description")),
            )
        if event == "comment_created":
            comment = payload.get("comment") or {}
            author = text_of(pick(comment, "author", "accountId"))
            public = bool(comment.get("jsdPublic", True))
            if author and author == bot_id:
                role = AuthorRole.BOT
            elif author == reporter or pick(comment, "author", "accountType") == "customer":
                role = AuthorRole.CUSTOMER
            else:
                role = AuthorRole.AGENT
            ticket = replace(
                base,
                kind=comment_kind(role, public),
                author_id=author,
                author_role=role,
                public=public,
                body=body_text(comment.get("body")),
                comment_id=text_of(comment.get("id")),
            )
            return Skip("the bot's own comment", ticket) if role is AuthorRole.BOT else ticket
        return Skip(f"unhandled event {event[:60]}", base)

    async def whoami(self) -> str:
        return text_of(pick((await self.client.get("/rest/api/3/myself")).data, "accountId"))

    def link_to(self, ref: str) -> str:
        return f"{self.config.url}/browse/{ref}"

    async def state(self, ref: str, account: str) -> TicketState:
        issue = (await self.client.get(f"/rest/api/3/issue/{ref}", fields="status,assignee,reporter")).data
        listed = (await self.client.get(f"/rest/servicedeskapi/request/{ref}/comment", limit=50)).data
        fields = pick(issue, "fields", default={})
        reporter = text_of(pick(fields, "reporter", "accountId"))
        comments = tuple(
            Comment(
                id=text_of(c.get("id")),
                author_id=text_of(pick(c, "author", "accountId")),
                public=bool(c.get("public")),
                created_at=float(pick(c, "created", "epochMillis", default=0)) / 1000,
                body=text_of(c.get("body")),
                by_customer=text_of(pick(c, "author", "accountId")) == reporter,
            )
            for c in pick(listed, "values", default=[])
            if isinstance(c, Mapping)
        )
        closed = pick(fields, "status", "statusCategory", "key") == "done"
        status = text_of(pick(fields, "status", "name")).lower()
        return TicketState(status, closed, text_of(pick(fields, "assignee", "accountId")), comments)

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        result = await self.client.request(
            "POST",
            f"/rest/servicedeskapi/request/{ref}/comment",
            json={"body": text, "public": public},
            find_existing=find,
        )
        return str(result.data) if result.recovered else text_of(pick(result.data, "id"))

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        labels = [{"add": t} for t in change.add_tags] + [{"remove": t} for t in change.remove_tags]
        body: dict[str, Any] = {"update": {"labels": labels}} if labels else {}
        if change.priority:
            body["fields"] = {"priority": {"name": level(change.priority, PRIORITY)}}
        if body:
            await self.client.request("PUT", f"/rest/api/3/issue/{ref}", json=body, idempotent=True)
        if change.assign_agent:
            await self.client.request(
                "PUT", f"/rest/api/3/issue/{ref}/assignee", json={"accountId": change.assign_agent}
            )
        # Jira issues have no group field: route by a queue's JQL on the sb_* labels instead
        return (
            ["Jira has no group on an issue (use a queue on the sb_handoff label)"]
            if change.assign_group
            else []
        )
