"""Every signed JSON webhook of the hub, as the fuzz suite addresses it: its path, how a sender
signs a body for it (the same helpers the adapter tests use), valid payloads to mutate, and the
ids made fresh on each request so that no case is dropped as a redelivery before it is parsed.

Each request is signed for exactly the bytes it carries, so what gets exercised is the parser
behind the signature check, not the check."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.kit.verify import standard_webhooks
from adapters.slack.verify import signature
from adapters.telegram.inbound import SECRET_HEADER
from tests.discord.conftest import signed_headers as discord_signed
from tests.fuzz.shapes import payload
from tests.helpdesk.signing import signed as helpdesk_signed
from tests.telegram.conftest import SECRET as TELEGRAM_SECRET
from tests.test_embedded_run import TOKEN

SIGNING_SECRET = "fuzz-signing-secret-5e1d0c"
HOOK_NAME = "orders"
HOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HOOK_FIELDS = {
    "ticket": "data.order_id",
    "text": "data.message",
    "author": "data.customer.id",
    "role": "data.role",
    "subject": "data.subject",
}
HELPDESKS = ("zendesk", "freshdesk", "jsm", "intercom", "chatwoot", "zammad")
_serial = itertools.count(1)


def fresh() -> str:
    return f"{time.time_ns()}{next(_serial)}"


@dataclass(frozen=True)
class JsonRoute:
    """`sign(body)`: the headers (Content-Type included) a genuine sender would send with it."""

    path: str
    sign: Callable[[bytes], dict[str, str]]
    payloads: tuple[dict[str, Any], ...]
    refresh: Callable[[dict[str, Any]], None] = lambda _data: None  # new ids, in place
    max_body: int = 256 * 1024


def slack_headers(body: bytes, stamp: str | None = None, content_type: str = "application/json") -> dict:
    stamp = stamp or str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": slack_sign(stamp, body),
    }


def slack_sign(stamp: str, body: bytes) -> str:
    """Slack's v0 signature; over UTF-8 bytes, so Unicode-digit timestamps are signed too."""
    if stamp.isascii():
        return signature(SIGNING_SECRET, stamp, body)
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


def _rest_headers(_body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}


def _telegram_headers(_body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", SECRET_HEADER: TELEGRAM_SECRET}


def _helpdesk_signer(vendor: str) -> Callable[[bytes], dict[str, str]]:
    def sign(body: bytes) -> dict[str, str]:
        return {"Content-Type": "application/json", **helpdesk_signed(vendor, body, f"fz-{fresh()}")}

    return sign


HOOK_SIGNER = standard_webhooks(HOOK_SECRET)


def _hook_headers(body: bytes) -> dict[str, str]:
    msg_id, stamp = f"msg_{fresh()}", str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": stamp,
        "webhook-signature": HOOK_SIGNER.sign(body, ts=stamp, id=msg_id),
    }


def _set(key: str, make: Callable[[], Any]) -> Callable[[dict[str, Any]], None]:
    def refresh(data: dict[str, Any]) -> None:
        data[key] = make()

    return refresh


def _telegram_refresh(data: dict[str, Any]) -> None:
    """A new update id, and a chat of its own: Telegram's pace (20 messages a minute per group)
    would otherwise queue the answers to one group for minutes."""
    serial = next(_serial)
    data["update_id"] = 900_000_000 + serial
    for key in ("message", "business_message"):
        chat = data.get(key, {}).get("chat") if isinstance(data.get(key), dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            chat["id"] = -(10**12 + serial) if chat["id"] < 0 else 10**9 + serial


HOOK_EVENT = {
    "type": "order.message",
    "timestamp": "2026-11-30T11:02:00Z",
    "data": {
        "order_id": "7731",
        "message": "Where is my order 7731? It was due Monday.",
        "role": "customer",
        "subject": "Late order",
        "customer": {"id": "c-42"},
    },
}
REST_MESSAGE = {"conversation_id": "fuzz", "user_id": "u", "text": "hello there", "message_id": "m1"}


def json_routes() -> list[JsonRoute]:
    helpdesks = [
        JsonRoute(
            f"/hooks/{vendor}",
            _helpdesk_signer(vendor),
            (payload(vendor, "customer_replied"), payload(vendor, "ticket_created")),
            refresh=_set("id", lambda: f"notif_{fresh()}") if vendor == "intercom" else lambda _d: None,
            max_body=512 * 1024,
        )
        for vendor in HELPDESKS
    ]
    return [
        JsonRoute(
            "/api/v1/messages",
            _rest_headers,
            (REST_MESSAGE,),
            _set("message_id", lambda: f"m{fresh()}"),
            max_body=1_048_576,
        ),
        JsonRoute(
            "/slack/events",
            slack_headers,
            (payload("slack", "message_im"), payload("slack", "app_mention")),
            _set("event_id", lambda: f"Ev{fresh()}"),
        ),
        JsonRoute(
            "/discord/interactions",
            discord_signed,
            (payload("discord", "interaction_ask"), payload("discord", "interaction_stop_button")),
            _set("id", fresh),
        ),
        JsonRoute(
            "/telegram/webhook",
            _telegram_headers,
            (
                payload("telegram", "private_text"),
                payload("telegram", "caption_photo_mention"),
                payload("telegram", "business_message"),
            ),
            _telegram_refresh,
            max_body=1_048_576,
        ),
        *helpdesks,
        JsonRoute(f"/hooks/{HOOK_NAME}", _hook_headers, (HOOK_EVENT,), max_body=512 * 1024),
    ]
