"""What an adapter is to the core, plus optional capabilities asked with `isinstance`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from core.events import ConversationRef, Event, Reply, SentRef

if TYPE_CHECKING:
    from aiohttp import web

# Adapters hand events to the hub with this; it schedules the turn and returns at once.
Receive = Callable[[Event], Any]


@runtime_checkable
class Adapter(Protocol):
    name: str

    async def start(self, receive: Receive) -> None:
        """Connect, then return."""

    async def send(self, reply: Reply) -> SentRef | None: ...

    async def stop(self) -> None: ...


@runtime_checkable
class SupportsEdit(Protocol):
    """Can change a message it already sent (streaming answers grow in place)."""

    async def edit(self, sent: SentRef, reply: Reply) -> None: ...


@runtime_checkable
class SupportsTyping(Protocol):
    """Can show that the bot is working on an answer."""

    async def typing(self, conversation: ConversationRef, active: bool) -> None: ...


@runtime_checkable
class SupportsHttp(Protocol):
    """Serves routes on the hub's one HTTP port (webhooks, web chat, REST)."""

    def routes(self) -> list[web.AbstractRouteDef]: ...


StatusFn = Callable[[], Awaitable[dict[str, Any]]]


@runtime_checkable
class SupportsStatus(Protocol):
    async def status(self) -> dict[str, Any]: ...
