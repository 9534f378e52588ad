"""The normalized values every adapter speaks: Event in, Reply out.

Text fields may hold PII: they are kept out of every repr so a stray log line or
traceback cannot carry them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    MESSAGE = "message"
    COMMAND = "command"  # a platform-native command only (slash command, bot_command entity)
    TICKET = "ticket"  # a helpdesk ticket: routed to ticket skills


class Visibility(StrEnum):
    """Who a reply is for, where the platform tells them apart (helpdesk note vs reply)."""

    PUBLIC = "public"
    INTERNAL = "internal"  # agents only (a helpdesk internal note)


class Audience(StrEnum):
    """Who else reads the conversation a reply goes to (decides what PII it may show)."""

    DIRECT = "direct"  # a direct message: only the person asking
    GROUP = "group"  # a channel, group chat or room
    TICKET = "ticket"  # a helpdesk ticket (customer, CCs and agents)
    STAFF = "staff"  # a staff channel a ticket is mirrored into (a bridge): not the customer


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """Where a reply goes. Only the adapter named by `platform` reads the ids."""

    platform: str
    channel_id: str
    thread_id: str | None = None
    workspace_id: str | None = None  # Slack team, Discord guild, helpdesk account

    @property
    def key(self) -> str:
        """A stable, Redis-safe key for per-conversation state."""
        parts = (self.platform, self.workspace_id or "-", self.channel_id, self.thread_id or "-")
        return ":".join(parts)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "platform": self.platform,
            "channel_id": self.channel_id,
            "thread_id": self.thread_id,
            "workspace_id": self.workspace_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversationRef:
        return cls(
            platform=str(data["platform"]),
            channel_id=str(data["channel_id"]),
            thread_id=data.get("thread_id"),
            workspace_id=data.get("workspace_id"),
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that came with (or goes with) a message: metadata only, never downloaded here."""

    name: str
    content_type: str = "application/octet-stream"
    size: int | None = None
    url: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a person (or a helpdesk) said to the bot."""

    id: str  # "<platform>:<native id>", identical across redeliveries
    conversation: ConversationRef
    sender_id: str  # native user id on that platform
    text: str = field(repr=False)
    kind: EventKind = EventKind.MESSAGE
    is_direct: bool = False
    mentions_bot: bool = False
    message_id: str | None = None  # native id of the message, for quoting / threading
    sender_name: str | None = field(default=None, repr=False)
    sender_email: str | None = field(default=None, repr=False)  # where the platform tells it
    attachments: tuple[Attachment, ...] = ()
    reply_visibility: Visibility = Visibility.PUBLIC  # what a reply to it becomes (helpdesk note)
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def platform(self) -> str:
        return self.conversation.platform

    @property
    def qualified_sender(self) -> str:
        """`platform:user` — the form admins are listed in."""
        return f"{self.platform}:{self.sender_id}"

    def with_text(self, text: str) -> Event:
        return replace(self, text=text)


@dataclass(frozen=True, slots=True)
class Relay:
    """A person's message carried into another conversation (a bridge), not the bot's answer.

    The destination writes it as `author_id` (that person's own user id there) when given, else
    as the bot; the bot's answer rules (stand down when a human answered, hourly cap) do not apply.
    Whatever it writes carries the destination's marker, so its echo is never carried back."""

    author_id: str | None = None
    via: str = "Switchboard"  # where it came from, named in the written footer ("Slack")


@dataclass(frozen=True, slots=True)
class CopyTo:
    """Another conversation that gets a copy of a model's final answer (a bridge's thread):
    under `heading` (masked text), restored for its own destination (`audience`)."""

    conversation: ConversationRef
    audience: Audience = Audience.GROUP
    heading: str = field(default="", repr=False)

    def reply(self, text: str, in_reply_to: str | None) -> Reply:
        body = f"{self.heading}\n{text}" if self.heading else text
        return Reply(body, self.conversation, in_reply_to=in_reply_to, audience=self.audience)

    def to_dict(self) -> dict[str, Any]:
        where = self.conversation.to_dict()
        return {"conversation": where, "audience": self.audience.value, "heading": self.heading}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CopyTo:
        return cls(
            ConversationRef.from_dict(data["conversation"]),
            Audience(data.get("audience") or Audience.GROUP),
            str(data.get("heading") or ""),
        )


@dataclass(frozen=True, slots=True)
class TicketUpdate:
    """Changes to a helpdesk ticket that travel with a reply (its note or answer), applied by the
    helpdesk adapter in the same guarded write. Other adapters ignore them."""

    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    priority: str | None = None  # "low" | "normal" | "high" | "urgent"
    assign_group: str | None = None
    assign_agent: str | None = None

    def __bool__(self) -> bool:
        return bool(
            self.add_tags or self.remove_tags or self.priority or self.assign_group or self.assign_agent
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "add_tags": list(self.add_tags),
            "remove_tags": list(self.remove_tags),
            "priority": self.priority,
            "assign_group": self.assign_group,
            "assign_agent": self.assign_agent,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TicketUpdate:
        return cls(
            add_tags=tuple(str(t) for t in data.get("add_tags") or ()),
            remove_tags=tuple(str(t) for t in data.get("remove_tags") or ()),
            priority=data.get("priority"),
            assign_group=data.get("assign_group"),
            assign_agent=data.get("assign_agent"),
        )


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says back, addressed to one conversation."""

    text: str = field(repr=False)
    conversation: ConversationRef
    in_reply_to: str | None = None  # the Event.id this answers
    quote_id: str | None = None  # native message id to quote / thread under
    attachments: tuple[Attachment, ...] = ()
    ephemeral: bool = False  # visible to `recipient_id` only, where the platform can
    notice: bool = False  # a system notice (rate limit, apology), not an answer
    interim: bool = False  # more follows (e.g. a place in the queue): a waiting caller keeps waiting
    recipient_id: str | None = None  # the native user this answers (ephemeral replies, mentions)
    visibility: Visibility = Visibility.PUBLIC
    audience: Audience = Audience.GROUP
    relay: Relay | None = None  # set: a person's message relayed here (see `Relay`)
    ticket: TicketUpdate | None = None  # tags, priority, assignment (helpdesk adapters apply it)
    stop_token: str | None = None  # on a streamed answer still running: a Stop control may send it

    @property
    def thread_id(self) -> str | None:
        return self.conversation.thread_id

    def with_text(self, text: str) -> Reply:
        return replace(self, text=text)


@dataclass(frozen=True, slots=True)
class SentRef:
    """The platform's handle on what we sent, for later edits: the first message's id and,
    for an answer split into several messages, the ids of the others in order."""

    platform: str
    message_id: str
    channel_id: str = ""
    more_ids: tuple[str, ...] = ()
    # accepted but not shown yet: the platform asked us to wait (a long rate limit), so it is
    # written in about this many seconds (`message_id` is empty until then)
    due_in_s: float | None = None

    @property
    def message_ids(self) -> tuple[str, ...]:
        return (self.message_id, *self.more_ids)


def audience_of(event: Event) -> Audience:
    if event.kind is EventKind.TICKET:
        return Audience.TICKET
    return Audience.DIRECT if event.is_direct else Audience.GROUP


def reply_to(
    event: Event,
    text: str,
    *,
    notice: bool = False,
    ephemeral: bool = False,
    interim: bool = False,
    visibility: Visibility | None = None,
    ticket: TicketUpdate | None = None,
) -> Reply:
    """A reply to `event`, in the same conversation (and thread), addressed to its sender."""
    return Reply(
        text=text,
        conversation=event.conversation,
        in_reply_to=event.id,
        quote_id=event.message_id,
        notice=notice,
        ephemeral=ephemeral,
        interim=interim,
        recipient_id=event.sender_id,
        visibility=visibility or event.reply_visibility,
        audience=audience_of(event),
        ticket=ticket,
    )
