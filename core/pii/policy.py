"""Who may see what: the destination kind of a reply (restoring: `core.pii.redaction`).

Decided from the reply alone, when restoring: its audience (set by `reply_to` from the event:
a direct message, a group conversation, a helpdesk ticket, a staff channel mirroring a ticket)
and its visibility (a helpdesk
internal note is `Visibility.INTERNAL`). The core never reads an adapter's raw payload."""

from __future__ import annotations

from core.events import Audience, Reply, Visibility
from core.pii.config import CHANNEL, DIRECT, INTERNAL_NOTE, MIRROR, PUBLIC_REPLY


def destination_of(reply: Reply) -> str:
    """The destination kind `reply` goes to (the one place this is decided)."""
    if reply.audience is Audience.TICKET:
        return INTERNAL_NOTE if reply.visibility is Visibility.INTERNAL else PUBLIC_REPLY
    if reply.audience is Audience.STAFF:
        return MIRROR
    return DIRECT if reply.audience is Audience.DIRECT else CHANNEL
