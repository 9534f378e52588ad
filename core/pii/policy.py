"""Who may see what: the destination kind of a conversation (restoring: `core.pii.redaction`).

Adapters describe where a reply goes with what they already know: `Event.is_direct` for a
direct message; helpdesk adapters send `EventKind.TICKET` events and put
`raw["reply_visibility"] = "internal"` when the bot answers with an internal note."""

from __future__ import annotations

from core.events import Event, EventKind
from core.pii.config import CHANNEL, DIRECT, INTERNAL_NOTE, PUBLIC_REPLY


def destination_of(event: Event) -> str:
    """The destination kind a reply to `event` goes to (the one place this is decided)."""
    if event.kind is EventKind.TICKET:
        return INTERNAL_NOTE if event.raw.get("reply_visibility") == "internal" else PUBLIC_REPLY
    return DIRECT if event.is_direct else CHANNEL
