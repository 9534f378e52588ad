"""Per-vendor facts the shared behaviour tests need: the ticket in the payload files, its closed
state, and how to read the visibility flag and the text out of a recorded write."""

from __future__ import annotations

from typing import Any

REF = {
    "zendesk": "35436",
    "freshdesk": "1042",
    "jsm": "SUP-17",
    "intercom": "215468990",
    "chatwoot": "84",
    "zammad": "81",
}
CLOSED = {
    "zendesk": "solved",
    "freshdesk": "resolved",
    "jsm": "resolved",
    "intercom": "closed",
    "chatwoot": "resolved",
    "zammad": "closed",
}
NO_TIMESTAMP = {"freshdesk", "jsm", "intercom", "zammad"}  # no signed timestamp: dedup stops replays


def visibility(vendor: str, body: dict[str, Any]) -> bool | None:
    """True for public, False for internal, None when the flag was not sent explicitly."""
    if vendor == "zendesk":
        return body["ticket"]["comment"].get("public")
    if vendor == "freshdesk":
        return not body.get(
            "private", False
        )  # the endpoint is the flag: /notes sends private, /reply is public
    if vendor == "jsm":
        return body.get("public")
    if vendor == "intercom":
        return {"comment": True, "note": False}.get(body.get("message_type", ""))
    if vendor == "chatwoot":
        return None if "private" not in body else not body["private"]
    if vendor == "zammad":
        return None if "internal" not in body else not body["internal"]
    raise KeyError(vendor)


def text(vendor: str, body: dict[str, Any]) -> str:
    if vendor == "zendesk":
        return body["ticket"]["comment"]["body"]
    if vendor == "chatwoot":
        return body["content"]
    return body["body"]
