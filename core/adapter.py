"""What an adapter is to the core, plus optional capabilities asked with `isinstance`.

An adapter is built by its package's `build(env, options, services)` (see `bots.registry`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.events import ConversationRef, Event, Reply, SentRef
from core.turns import TurnHandle

if TYPE_CHECKING:
    from aiohttp import web
    from redis.asyncio import Redis

# Adapters hand events to the hub with this; it schedules the turn and returns its handle at once.
Receive = Callable[[Event], TurnHandle]


@runtime_checkable
class Adapter(Protocol):
    name: str

    async def start(self, receive: Receive) -> None:
        """Connect, then return."""

    async def send(self, reply: Reply) -> SentRef | None:
        """Deliver `reply`; raise (`core.errors.AdapterError`) when it could not be delivered."""

    async def stop(self) -> None: ...


@runtime_checkable
class SupportsEdit(Protocol):
    """Can change a message it already sent (streaming answers grow in place).

    `max_chars`: the longest message the platform takes; longer text overflows into follow-up
    messages. `edit_interval`: the one pacing decision of a stream, the adapter's (it knows its
    platform's limits): the worker publishes partial text at this pace, and the adapter shows at
    most one frame per interval. A non-final edit may be coalesced and return before it shows
    (with the message ids known so far); a `final` edit is awaited and guaranteed (posted anew
    when the edit cannot be made), or it raises. `sent` may come from another replica: its ids
    (`SentRef.message_ids`) are what is already shown, to be continued, never posted again."""

    max_chars: int
    edit_interval: float

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool = False) -> SentRef | None: ...


@runtime_checkable
class SupportsWorking(Protocol):
    """Shows a "working on it" sign on the asking message (a Slack reaction, a Telegram chat
    action, Discord typing), kept alive while it is on. `active=False` comes from whichever hub
    replica delivers the final reply for that message; it says nothing about the turn."""

    async def working(self, conversation: ConversationRef, message_id: str | None, active: bool) -> None: ...


@runtime_checkable
class SupportsReactions(Protocol):
    async def react(self, conversation: ConversationRef, message_id: str, name: str, on: bool) -> None: ...


@runtime_checkable
class SupportsEphemeral(Protocol):
    """Can show a reply to `reply.recipient_id` only, inside a shared conversation."""

    async def send_ephemeral(self, reply: Reply) -> SentRef | None: ...


@runtime_checkable
class SupportsStaff(Protocol):
    """A helpdesk's staff side, for a bridge: which of its agents an e-mail address is (None: no
    agent, or the vendor cannot write as one), and where staff open a ticket."""

    async def agent_for(self, email: str, account: str | None) -> str | None: ...

    def link_to(self, conversation: ConversationRef) -> str: ...


@runtime_checkable
class SupportsTicketUpdate(Protocol):
    """Applies `Reply.ticket` (tags, priority, assignment) in the same write as the reply's text;
    a reply with no text then carries the update alone. The hub drops a text-less reply for
    adapters without this capability (there is nothing for them to show)."""

    ticket_updates: bool  # True


class CallerHolds(Protocol):
    """Where a request/response adapter says which callers this replica holds (`core.model.callers`)."""

    async def hold(self, key: str, conversation: ConversationRef) -> None: ...

    async def release(self, key: str) -> None: ...


@runtime_checkable
class HoldsCallers(Protocol):
    """Its callers wait on one replica (a web chat socket, a REST request): model answers for them
    are delivered by the replica that holds them. The model service hands it `holds` at start."""

    def hold_callers(self, holds: CallerHolds) -> None: ...


@runtime_checkable
class SupportsHttp(Protocol):
    """Serves routes on the hub's one HTTP port (webhooks, web chat, REST)."""

    def routes(self) -> list[web.AbstractRouteDef]: ...


StatusFn = Callable[[], Awaitable[dict[str, Any]]]


@runtime_checkable
class SupportsStatus(Protocol):
    async def status(self) -> dict[str, Any]: ...


@dataclass(slots=True)
class AdapterServices:
    """What the hub lends every adapter's `build`: shared Redis, the key prefix, the bot's name
    and the deployment settings (`core.settings.Settings`)."""

    redis: Redis
    key_prefix: str = "sb"
    bot_name: str = ""
    settings: Any = None
    source: str = "bot definition"  # the bot file, for config errors
    declared: frozenset[str] = frozenset()  # adapters the bot lists explicitly (must be configured)
    extra: dict[str, Any] = field(default_factory=dict)
