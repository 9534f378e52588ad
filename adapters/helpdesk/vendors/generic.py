"""Generic hooks: any system that signs its webhooks with Standard Webhooks v1 (`webhook-id`,
`webhook-timestamp`, `webhook-signature: v1,<base64>`) or an HMAC-SHA256 header, with the ticket
fields mapped from the JSON payload by configuration. Answers go to a callback URL, signed the
same way; the reference is the `webhook-id`, the receiver's idempotency key, so a retry is safe.

Declared in the bot definition, one table per hook (served at `POST /hooks/<name>`):

    [adapters.hooks.orders]
    secret_env = "ORDERS_WEBHOOK_SECRET"        # whsec_... for scheme "standard"
    callback_url = "https://orders.example.com/switchboard/replies"
    fields = { ticket = "data.order_id", text = "data.message", author = "data.customer.id",
               role = "data.author_role", subject = "data.subject" }

https://www.standardwebhooks.com/"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from adapters.helpdesk.config import HelpdeskConfig
from adapters.helpdesk.text import plain
from adapters.helpdesk.ticket import AuthorRole, Skip, Ticket, TicketState, comment_kind
from adapters.helpdesk.vendor import Vendor, text_of
from adapters.kit.http import FindExisting, HttpError, SharedSession, Sleep
from adapters.kit.route import MalformedPayload
from adapters.kit.verify import HmacVerifier, Verifier, standard_webhooks
from core.events import TicketUpdate

ROLES = {"customer": AuthorRole.CUSTOMER, "agent": AuthorRole.AGENT, "bot": AuthorRole.BOT}
REQUIRED_FIELDS = ("ticket", "text")


def at_path(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        elif isinstance(data, Mapping) and key in data:
            data = data[key]
        else:
            return None
    return data


class GenericHook(Vendor):
    label = "webhook"
    env: Mapping[str, str] = {}
    required = ("webhook_secret",)

    def __init__(
        self, name: str, config: HelpdeskConfig, session: SharedSession, *, sleep: Sleep | None = None
    ) -> None:
        self.name = name
        self.label = f"{name} webhook"
        super().__init__(config, session, sleep=sleep)
        options = config.options
        missing = [f for f in REQUIRED_FIELDS if f not in options.fields]
        if missing:
            raise ValueError(
                f"adapters.hooks.{name}.fields needs {', '.join(missing)} (dotted paths in the payload)"
            )
        self.delivery_header = "webhook-id" if options.scheme == "standard" else None

    def verifier(self) -> Verifier:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        if self.config.options.scheme == "standard":
            return standard_webhooks(secret)
        return HmacVerifier(secret, signature_header=self.config.options.signature_header, prefix="sha256=")

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        fields = self.config.options.fields
        ref = text_of(at_path(payload, fields["ticket"]))
        text = at_path(payload, fields["text"])
        if not ref or not isinstance(text, str):
            raise MalformedPayload(
                f"payload has no ticket at '{fields['ticket']}' or text at '{fields['text']}'"
            )
        role_name = (
            text_of(at_path(payload, fields.get("role", ""))).lower() if "role" in fields else "customer"
        )
        role = ROLES.get(role_name, AuthorRole.SYSTEM)
        public = at_path(payload, fields["public"]) is not False if "public" in fields else True
        ticket = Ticket(
            delivery_id=delivery_id,
            account=self.name,
            kind=comment_kind(role, public),
            ref=ref,
            author_id=text_of(at_path(payload, fields["author"])) if "author" in fields else "",
            author_role=role,
            public=public,
            subject=text_of(at_path(payload, fields["subject"])) if "subject" in fields else "",
            body=plain(text),
        )
        if role in (AuthorRole.BOT, AuthorRole.SYSTEM):
            return Skip(f"author role {role_name[:20] or 'missing'}", ticket)
        return ticket

    async def state(self, ref: str, account: str) -> TicketState:
        return TicketState(status="", closed=False)  # no API to ask: only the webhook-side checks apply

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        url = self.config.options.callback_url
        if not url:
            raise HttpError(f"{self.name}: no callback_url configured: the answer cannot be delivered")
        reference = (
            text.rsplit("(ref ", 1)[-1].rstrip(")")
            if "(ref " in text
            else hashlib.sha256(text.encode()).hexdigest()[:16]
        )
        body = json.dumps(
            {
                "type": "switchboard.reply",
                "ticket": ref,
                "text": text,
                "visibility": "public" if public else "internal",
                "reference": reference,
            },
            separators=(",", ":"),
        ).encode()
        headers = self._signed(body, reference)
        await self.client.request("POST", url, data=body, headers=headers, idempotent=True)
        return reference

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        """`{"type": "switchboard.update", "ticket", "update": {add_tags, remove_tags, priority,
        assign_group, assign_agent}, "reference"}` to the callback URL, signed like answers."""
        url = self.config.options.callback_url
        if not url:
            raise HttpError(f"{self.name}: no callback_url configured: the update cannot be delivered")
        update = change.to_dict()
        reference = hashlib.sha256(json.dumps([ref, update], sort_keys=True).encode()).hexdigest()[:16]
        body = json.dumps(
            {"type": "switchboard.update", "ticket": ref, "update": update, "reference": reference},
            separators=(",", ":"),
        ).encode()
        await self.client.request(
            "POST", url, data=body, headers=self._signed(body, reference), idempotent=True
        )
        return []

    def _signed(self, body: bytes, reference: str) -> dict[str, str]:
        secret = self.config.secret("webhook_secret")
        assert secret is not None
        headers = {"Content-Type": "application/json"}
        if self.config.options.scheme == "standard":
            ts = str(int(time.time()))
            signer = standard_webhooks(secret)
            return {
                **headers,
                "webhook-id": reference,
                "webhook-timestamp": ts,
                "webhook-signature": signer.sign(body, ts=ts, id=reference),
            }
        mac = hmac.new(secret.reveal().encode(), body, hashlib.sha256).hexdigest()
        return {**headers, self.config.options.signature_header: "sha256=" + mac}
