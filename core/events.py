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
    COMMAND = "command"
    TICKET = "ticket"


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
    attachments: tuple[Attachment, ...] = ()
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
class Reply:
    """What the bot says back, addressed to one conversation."""

    text: str = field(repr=False)
    conversation: ConversationRef
    in_reply_to: str | None = None  # the Event.id this answers
    quote_id: str | None = None  # native message id to quote / thread under
    attachments: tuple[Attachment, ...] = ()
    ephemeral: bool = False  # visible to the asker only, where the platform can
    notice: bool = False  # a system notice (rate limit, apology), not an answer
    interim: bool = False  # more follows (e.g. a place in the queue): a waiting caller keeps waiting

    @property
    def thread_id(self) -> str | None:
        return self.conversation.thread_id

    def with_text(self, text: str) -> Reply:
        return replace(self, text=text)


@dataclass(frozen=True, slots=True)
class SentRef:
    """The platform's handle on a message we sent, for later edits."""

    platform: str
    message_id: str
    channel_id: str = ""


def reply_to(
    event: Event, text: str, *, notice: bool = False, ephemeral: bool = False, interim: bool = False
) -> Reply:
    """A reply to `event`, in the same conversation (and thread)."""
    return Reply(
        text=text,
        conversation=event.conversation,
        in_reply_to=event.id,
        quote_id=event.message_id,
        notice=notice,
        ephemeral=ephemeral,
        interim=interim,
    )
