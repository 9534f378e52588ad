"""Per-vendor facts the shared behaviour tests need: the ticket in the payload files, and how to
read the visibility flag out of a recorded write."""

from __future__ import annotations

from typing import Any

REF = {"zendesk": "35436"}


def visibility(vendor: str, body: dict[str, Any]) -> bool | None:
    """True for public, False for internal, None when the flag was not sent explicitly."""
    if vendor == "zendesk":
        return body["ticket"]["comment"].get("public")
    raise KeyError(vendor)


def text(vendor: str, body: dict[str, Any]) -> str:
    if vendor == "zendesk":
        return body["ticket"]["comment"]["body"]
    raise KeyError(vendor)
