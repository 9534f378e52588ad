"""Fakes over mocks: an adapter that records what the bot sent and can `say` things."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass, field

from core.adapter import Receive
from core.events import ConversationRef, Event, EventKind, Reply, SentRef


@dataclass
class FakeAdapter:
    """Records every reply; `say()` sends a message as a user and waits for its turn."""

    name: str = "fake"
    sent: list[Reply] = field(default_factory=list)
    edits: list[tuple[SentRef, Reply]] = field(default_factory=list)
    typing_events: list[bool] = field(default_factory=list)  # the working sign, on and off
    receive: Receive | None = None
    _ids: itertools.count = field(default_factory=itertools.count)

    async def start(self, receive: Receive) -> None:
        self.receive = receive

    async def stop(self) -> None:
        self.receive = None

    async def send(self, reply: Reply) -> SentRef:
        self.sent.append(reply)
        return SentRef(self.name, f"m{next(self._ids)}", reply.conversation.channel_id)

    async def working(self, conversation: ConversationRef, message_id: str | None, active: bool) -> None:
        self.typing_events.append(active)

    def event(
        self,
        text: str,
        *,
        user: str = "alice",
        channel: str = "general",
        event_id: str | None = None,
        kind: EventKind | None = None,
    ) -> Event:
        native = event_id or uuid.uuid4().hex
        return Event(
            id=f"{self.name}:{native}",
            conversation=ConversationRef(self.name, channel),
            sender_id=user,
            text=text,
            kind=kind or EventKind.MESSAGE,
            message_id=native,
        )

    async def say(self, text: str, **kwargs: object):  # type: ignore[no-untyped-def]
        """Deliver a message and wait for its turn; returns the TurnRecord."""
        assert self.receive is not None, "adapter not started"
        task = self.receive(self.event(text, **kwargs))  # type: ignore[arg-type]
        return await asyncio.wait_for(task, timeout=10)

    def texts(self) -> list[str]:
        return [r.text for r in self.sent]

    def last(self) -> str:
        assert self.sent, "the bot sent nothing"
        return self.sent[-1].text


@dataclass
class EditingAdapter(FakeAdapter):
    """A FakeAdapter that can edit what it sent, as a streaming platform does."""

    max_chars = 40_000  # declared by every adapter that can edit (core.adapter.SupportsEdit)
    edited: list[str] = field(default_factory=list)

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool = False) -> SentRef:
        self.edits.append((sent, reply))
        self.edited.append(reply.text)
        return sent
