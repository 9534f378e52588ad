"""Who may see what: the destination kind of a conversation, and restoring placeholders in text.

Adapters describe where a reply goes with what they already know: `Event.is_direct` for a
direct message; helpdesk adapters send `EventKind.TICKET` events and put
`raw["reply_visibility"] = "internal"` when the bot answers with an internal note."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from core.events import Event, EventKind
from core.pii.config import CHANNEL, DIRECT, INTERNAL_NOTE, PUBLIC_REPLY
from core.pii.spans import PLACEHOLDER


def destination_of(event: Event) -> str:
    """The destination kind a reply to `event` goes to (the one place this is decided)."""
    if event.kind is EventKind.TICKET:
        return INTERNAL_NOTE if event.raw.get("reply_visibility") == "internal" else PUBLIC_REPLY
    return DIRECT if event.is_direct else CHANNEL


def restore_text(text: str, values: Mapping[str, str], allowed: Collection[str]) -> str:
    """Expand the placeholders whose value is known and whose type `allowed` holds; any other
    placeholder (not allowed, expired, invented by the model) stays as it is."""

    def expand(match) -> str:  # type: ignore[no-untyped-def]
        placeholder = match.group(0)
        if match.group(1) in allowed and placeholder in values:
            return values[placeholder]
        return placeholder

    return PLACEHOLDER.sub(expand, text)
