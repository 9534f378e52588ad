"""The hub: owns the adapters, schedules turns, and is the one error boundary per turn."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from core import logs, messages, tracing
from core.adapter import Adapter, SupportsStatus, SupportsWorking
from core.botdef import BotDefinition
from core.errors import SendFailed, is_outage
from core.events import Event, Reply, SentRef, reply_to
from core.metrics import Metrics
from core.outbound import DEFAULT_RETRY, Outbound, Outgoing, Retry
from core.pipeline import Pipeline, Turn
from core.skills import AskModel, Results
from core.stages.memory import ConversationMemory
from core.stages.pii import Masker
from core.tasks import TaskGroup
from core.turns import Outcome, RecentTurns, TurnHandle, TurnRecord, summary_of

log = logging.getLogger(__name__)


def apology_for(exc: BaseException) -> str:
    """What to tell the person when a turn failed: an outage is not "something went wrong"."""
    return messages.TEMPORARILY_UNAVAILABLE if is_outage(exc) else messages.APOLOGY


class ModelGateway(Protocol):
    """Takes a skill's AskModel. Returns an immediate reply (busy notice, cached answer), or
    None when the work is queued and the answer will be delivered later (`turn.outcome` is then
    QUEUED)."""

    async def submit(self, turn: Turn, ask: AskModel) -> Reply | None: ...


class Hub:
    def __init__(
        self,
        bot: BotDefinition,
        pipeline: Pipeline,
        *,
        metrics: Metrics,
        max_concurrent_turns: int = 64,
        model: ModelGateway | None = None,
        status_sources: dict[str, Callable[[], Awaitable[Any]]] | None = None,
        memory: ConversationMemory | None = None,
        masker: Masker | None = None,
        retry: Retry = DEFAULT_RETRY,
    ) -> None:
        self.bot = bot
        self.pipeline = pipeline
        self.metrics = metrics
        self.model = model
        self.adapters: dict[str, Adapter] = {}
        # The one way out: every answer leaves through it (restore, send or edit, remember).
        self.outbound = Outbound(bot, self.adapters, metrics, memory=memory, masker=masker, retry=retry)
        self.status_sources = dict(status_sources or {})
        self._slots = asyncio.Semaphore(max_concurrent_turns)
        self._turns = TaskGroup("hub turns")
        self._closing = False
        self.started_at = time.time()
        self.recent = RecentTurns()  # what the admin dashboard lists (no text)

    # -- adapters -------------------------------------------------------------------------
    def add_adapter(self, adapter: Adapter) -> None:
        if adapter.name in self.adapters:
            raise ValueError(f"adapter {adapter.name!r} added twice")
        self.adapters[adapter.name] = adapter

    async def start(self) -> None:
        for adapter in self.adapters.values():
            await adapter.start(self.receive)
            log.info("adapter started", extra={"platform": adapter.name})

    async def stop(self, grace: float = 10.0) -> None:
        """Stop taking turns; finish those in flight within `grace`, reject the rest."""
        self._closing = True
        if self.in_flight:
            log.info("waiting for %d turns in flight", self.in_flight)
            await self._turns.stop(grace)
        for adapter in reversed(list(self.adapters.values())):
            try:
                await adapter.stop()
            except Exception:  # noqa: BLE001 — keep stopping the others
                log.exception("adapter failed to stop", extra={"platform": adapter.name})

    # -- turns ----------------------------------------------------------------------------
    def receive(self, event: Event) -> TurnHandle:
        """Schedule a turn for `event` and return its handle at once (adapters ack before it runs)."""
        self.metrics.events_in.labels(event.platform).inc()
        turn = Turn(event=event, bot=self.bot, send_path=self.send)
        task = self._turns.spawn(self._reject(event) if self._closing else self._turn(turn))
        self.metrics.turns_in_flight.inc()
        task.add_done_callback(self._forget)
        return TurnHandle("" if self._closing else turn.id, event.id, task)

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every turn is over (those scheduled meanwhile too); False if some still run
        at `timeout`."""
        return await self._turns.drain(timeout)

    def _forget(self, _task: asyncio.Task[TurnRecord]) -> None:
        self.metrics.turns_in_flight.dec()

    @property
    def in_flight(self) -> int:
        return len(self._turns)

    async def _reject(self, event: Event) -> TurnRecord:
        """A turn that arrived after shutdown began: tell the person, run nothing."""
        record = TurnRecord(turn_id="", event_id=event.id, outcome=Outcome.REJECTED)
        await self._notify(reply_to(event, messages.SHUTTING_DOWN, notice=True), record)
        self.metrics.turns.labels(event.platform, Outcome.REJECTED).inc()
        return record

    async def _turn(self, turn: Turn) -> TurnRecord:
        with tracing.span("switchboard.turn", {"switchboard.platform": turn.event.platform}) as current:
            record = await self._turn_inside(turn)
            skill = turn.intent.skill if turn.intent is not None else ""
            tracing.annotate(
                current, **{"switchboard.outcome": str(record.outcome), "switchboard.skill": skill}
            )
            return record

    async def _turn_inside(self, turn: Turn) -> TurnRecord:
        event = turn.event
        logs.bind(event_id=event.id, turn_id=turn.id, platform=event.platform)  # this task's lines
        record = TurnRecord(turn_id=turn.id, event_id=event.id, outcome=Outcome.REPLIED)
        try:
            async with self._slots:
                await self._run(turn, record)
        except asyncio.CancelledError:
            turn.stop(Outcome.REJECTED)
            await self._notify(reply_to(event, messages.SHUTTING_DOWN, notice=True), record)
        except Exception as exc:  # noqa: BLE001 — the one error boundary per turn
            turn.stop(Outcome.ERROR)
            log.error(
                "turn failed: %s\n%s",
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
                extra={"event_id": event.id, "platform": event.platform},
            )
            await self._notify(reply_to(event, apology_for(exc), notice=True), record)
        record.outcome = turn.outcome
        self.metrics.turns.labels(event.platform, turn.outcome).inc()
        skill = turn.intent.skill if turn.intent is not None else ""
        self.recent.add(summary_of(event.platform, event.conversation.key, turn.outcome, skill, turn.started))
        self.metrics.turn_latency.labels(event.platform).observe(time.perf_counter() - turn.started)
        return record

    async def _run(self, turn: Turn, record: TurnRecord) -> None:
        event = turn.event
        adapter = self.adapters.get(event.platform)
        sign = adapter if isinstance(adapter, SupportsWorking) else None
        if sign is not None:
            await sign.working(event.conversation, event.message_id, True)
        try:
            result = await self.pipeline.run(turn)
            if isinstance(result, Results):
                for reply in result.replies:  # in order; the last one (or the model's) ends the turn
                    await self._answer(turn, reply, record, ends_turn=False)
                result = result.ask
            if isinstance(result, AskModel):
                result = await self._ask_model(turn, result)
        except BaseException:
            if sign is not None:
                await self.outbound.working_off(event.conversation, event.message_id)
            raise
        if isinstance(result, Reply):  # the one way out: restore → sign off → send → remember
            await self._answer(turn, result, record)
            return
        if result is None and turn.outcome == Outcome.REPLIED and not record.replies:
            turn.stop(Outcome.IGNORED)
        await self.outbound.remember(event.conversation, *turn.remember)
        if sign is not None and turn.outcome != Outcome.QUEUED:  # a queued turn's answer ends it
            await self.outbound.working_off(event.conversation, event.message_id)

    async def _answer(self, turn: Turn, reply: Reply, record: TurnRecord, *, ends_turn: bool = True) -> None:
        """One of the turn's replies, out through the one way; the turn's own memory entries (the
        asker's message) go with the first one delivered."""
        entries, turn.remember = tuple(turn.remember), []
        out = Outgoing(reply, turn.pii if turn.masked else None, entries, ends_turn=ends_turn)
        try:
            delivered = await self.outbound.deliver(out, retry=self.outbound.retry)
        except SendFailed:
            apology = await self.outbound.give_up(out, self.outbound.retry.attempts)
            if apology is not None:
                record.replies.append(apology)
            return
        record.replies.append(delivered.reply)

    async def _ask_model(self, turn: Turn, ask: AskModel) -> Reply | None:
        if self.model is None:
            return reply_to(turn.event, messages.NO_MODEL)
        return await self.model.submit(turn, ask)

    async def _notify(self, reply: Reply, record: TurnRecord) -> None:
        """A notice from the hub itself (an apology, "restarting"): one attempt, never raises."""
        await self.outbound.send_quietly(reply)
        record.replies.append(reply)

    async def send(self, reply: Reply) -> SentRef | None:
        """Hand a reply (already restored) to its adapter once; failures are logged, not raised."""
        return await self.outbound.send_quietly(reply)

    # -- status ---------------------------------------------------------------------------
    async def status(self) -> dict[str, Any]:
        adapters: dict[str, Any] = {}
        for name, adapter in self.adapters.items():
            if isinstance(adapter, SupportsStatus):
                try:
                    adapters[name] = await adapter.status()
                except Exception as exc:  # noqa: BLE001
                    adapters[name] = f"error ({type(exc).__name__})"
            else:
                adapters[name] = "running"
        data: dict[str, Any] = {
            "uptime_s": int(time.time() - self.started_at),
            "turns_in_flight": self.in_flight,
            "adapters": adapters,
        }
        for name, source in self.status_sources.items():
            try:
                data[name] = await source()
            except Exception as exc:  # noqa: BLE001
                data[name] = f"unavailable ({type(exc).__name__})"
        return data
