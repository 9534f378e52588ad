"""Fakes over mocks: an adapter that records what the bot sent and can `say` things."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from redis.asyncio import Redis

from core import messages
from core.adapter import Receive
from core.errors import AdapterError
from core.events import ConversationRef, Event, EventKind, Reply, SentRef, reply_to
from core.model.contract import JobRequest, Kind, ModelKeys
from core.pipeline import Turn
from core.skills import AskModel
from core.turns import Outcome


@dataclass
class FakeAdapter:
    """Records every reply; `say()` sends a message as a user and waits for its turn."""

    name: str = "fake"
    sent: list[Reply] = field(default_factory=list)
    edits: list[tuple[SentRef, Reply]] = field(default_factory=list)
    typing_events: list[bool] = field(default_factory=list)  # the working sign, on and off
    receive: Receive | None = None
    failing: int = 0  # the next `failing` sends raise, as a platform that is down would
    attempts: int = 0  # every send tried, failed ones included
    _ids: itertools.count = field(default_factory=itertools.count)

    async def start(self, receive: Receive) -> None:
        self.receive = receive

    async def stop(self) -> None:
        self.receive = None

    def fail(self, times: int) -> None:
        """The next `times` sends fail (AdapterError)."""
        self.failing = times

    async def send(self, reply: Reply) -> SentRef:
        self.attempts += 1
        if self.failing > 0:
            self.failing -= 1
            raise AdapterError("the fake platform refused the send")
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
    edit_interval = 0.0
    edited: list[str] = field(default_factory=list)

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool = False) -> SentRef:
        self.edits.append((sent, reply))
        self.edited.append(reply.text)
        return sent


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until `condition()` holds (a guard against hanging, not a timing assertion)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


MODEL_BOT = {"model": {"backend": "ctransformers", "name": "fake"}}


class ScriptedModel:
    """A ModelGateway stand-in that answers with fixed text.

    One piece: a direct reply (the hub's way out sends it). Several: streamed the way the model
    delivery streams, through the hub's way out — the first frame sent as an interim reply, later
    frames as edits (`pause` seconds after each), then the full text as the final edit. `queue=True` leaves
    the turn queued (no answer); `busy=True` first tells the asker their place in line."""

    def __init__(self, *pieces: str, queue: bool = False, busy: bool = False, pause: float = 0.0) -> None:
        self.pieces = pieces
        self.queue = queue
        self.busy = busy
        self.pause = pause
        self.hub: Any = None  # set by the test kits once the hub is built
        self.turns: list[Turn] = []
        self.sent: list[SentRef | None] = []  # what each streamed answer ended as

    async def submit(self, turn: Turn, ask: AskModel) -> Reply | None:
        self.turns.append(turn)
        if self.busy:
            await self.hub.send(reply_to(turn.event, messages.QUEUE_BUSY.format(position=2), notice=True))
        if self.queue:
            turn.stop(Outcome.QUEUED)
            return None
        if len(self.pieces) <= 1:
            return reply_to(turn.event, "".join(self.pieces))
        outbound = self.hub.outbound
        text, sent = "", None
        for piece in self.pieces:
            text += piece
            reply = reply_to(turn.event, text)
            if sent is None:
                sent = await outbound.send(replace(reply, interim=True))
            else:
                sent = await outbound.edit(sent, reply, final=False)
            if self.pause:
                await asyncio.sleep(self.pause)
        full = reply_to(turn.event, text)
        self.sent.append(await outbound.edit(sent, full, final=True) if sent else await outbound.send(full))
        return None


class ScriptedWorker:
    """Stands in for `switchboard worker`: finds the jobs a hub queued (their pending turns in
    Redis) and publishes results on the result stream the way `core.model.jobs` does."""

    def __init__(self, redis: Redis, prefix: str = "sb") -> None:
        self.redis = redis
        self.keys = ModelKeys(prefix)
        self._seen: set[str] = set()

    async def job(self, timeout: float = 10.0) -> JobRequest:
        """The next job queued since the last call."""
        async with asyncio.timeout(timeout):
            while True:
                for job_id in await self.redis.zrange(self.keys.inflight, 0, -1):
                    # numbered in its conversation (as it is before RQ hands it to a real worker)
                    payload, seq = await self.redis.hmget(self.keys.pending(job_id), ["payload", "seq"])
                    if job_id not in self._seen and payload and seq:
                        self._seen.add(job_id)
                        return JobRequest.from_payload(json.loads(payload))
                await asyncio.sleep(0.02)

    async def publish(self, request: JobRequest, kind: str, **fields: Any) -> None:
        entry = {"job": request.job_id, "kind": kind, "model": request.model, "attempt": request.attempt}
        await self.redis.xadd(request.results, {**entry, **fields})

    async def partial(self, request: JobRequest, text: str) -> None:
        await self.publish(request, Kind.PARTIAL, text=text)

    async def answer(self, request: JobRequest, *pieces: str, pause: float = 0.0) -> str:
        """Stream `pieces` (when the job asks for streaming), then the final text; returns it."""
        text = ""
        for piece in pieces:
            text += piece
            if request.stream and len(pieces) > 1:
                await self.partial(request, text)
                if pause:
                    await asyncio.sleep(pause)
        await self.publish(request, Kind.FINAL, text=text.strip())
        return text.strip()
