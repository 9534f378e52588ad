"""The one normalised ticket every vendor's webhook becomes, and its `Event` form.

Subject and body may hold PII: they live in `Event.text` only (masked by the PII stage before the
queue and the model) and are kept out of every repr; `Event.raw` carries no free text."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from core.events import ConversationRef, Event, EventKind


class TicketKind(StrEnum):
    CREATED = "created"
    CUSTOMER_REPLIED = "customer_replied"
    AGENT_REPLIED = "agent_replied"
    NOTE = "note"
    STATUS_CHANGED = "status_changed"


class AuthorRole(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


ANSWERED = frozenset({TicketKind.CREATED, TicketKind.CUSTOMER_REPLIED})
HUMAN_ACTIVITY = frozenset({TicketKind.AGENT_REPLIED, TicketKind.NOTE})


@dataclass(frozen=True, slots=True)
class Ticket:
    delivery_id: str
    account: str
    kind: TicketKind
    ref: str  # the vendor's ticket / conversation / issue key, as a string
    author_id: str
    author_role: AuthorRole
    public: bool  # visibility of the triggering comment
    subject: str = field(default="", repr=False)
    body: str = field(default="", repr=False)
    requester: str = ""
    status: str = ""
    closed: bool = False
    assignee: str = ""
    priority: str = ""
    tags: tuple[str, ...] = ()
    channel: str = ""
    sla_due: str = ""
    comment_id: str = ""

    @property
    def answerable(self) -> bool:
        return self.kind in ANSWERED and self.author_role is AuthorRole.CUSTOMER

    def to_event(self, platform: str) -> Event:
        text = (
            self.body
            if self.kind is not TicketKind.CREATED or not self.subject
            else (f"{self.subject}\n\n{self.body}".strip())
        )
        return Event(
            id=f"{platform}:{self.delivery_id}",
            conversation=ConversationRef(platform, self.ref, workspace_id=self.account or None),
            sender_id=self.author_id
            if self.author_role is AuthorRole.AGENT
            else self.requester or self.author_id,
            text=text,
            kind=EventKind.TICKET,
            message_id=self.comment_id or None,
            raw={
                "ticket": {
                    "kind": str(self.kind),
                    "author_role": str(self.author_role),
                    "public": self.public,
                    "status": self.status,
                    "closed": self.closed,
                    "assignee": self.assignee,
                    "priority": self.priority,
                    "tags": list(self.tags),
                    "channel": self.channel,
                    "sla_due": self.sla_due,
                    "comment_id": self.comment_id,
                }
            },
        )


def comment_kind(role: AuthorRole, public: bool) -> TicketKind:
    """A comment's kind from who wrote it and whether the requester sees it."""
    if role is AuthorRole.CUSTOMER:
        return TicketKind.CUSTOMER_REPLIED
    return TicketKind.AGENT_REPLIED if public else TicketKind.NOTE


@dataclass(frozen=True, slots=True)
class Skip:
    """A webhook that is acknowledged and not answered (the bot's own note, a status change...)."""

    reason: str
    ticket: Ticket | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    id: str
    author_id: str
    public: bool
    created_at: float  # Unix seconds
    body: str = field(default="", repr=False)
    by_customer: bool = False


@dataclass(frozen=True, slots=True)
class TicketState:
    """What the vendor says right now, read right before every write."""

    status: str
    closed: bool
    assignee: str = ""
    comments: tuple[Comment, ...] = ()
