"""Finishing queued turns: results from the durable stream become replies, exactly once, in order.

Every hub replica runs one `Delivery` in the same consumer group. A final answer is stored on
its pending turn first, then each conversation is drained in order under a per-job claim, so
the answer is sent once even when several replicas (or a restarted hub) see it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import replace
from typing import Any

from core import messages
from core.adapter import SupportsEdit, SupportsWorking
from core.botdef import BotDefinition
from core.errors import MaskingError
from core.events import ConversationRef, Reply, TicketUpdate
from core.metrics import Metrics
from core.model.callers import HERE, Callers
from core.model.contract import Kind, with_footer
from core.model.pending import PendingStore, PendingTurn
from core.stages.memory import ConversationMemory
from core.stages.pii import Masker

log = logging.getLogger(__name__)

CLAIM_WAIT_S = 0.05
CLAIM_TRIES = 200


MAX_TRACKED_EDITS = 10_000
FAILURE_MESSAGES = {"timeout": messages.MODEL_TIMEOUT, "poison": messages.MODEL_POISON}
CUT_OFF = "cut_off"  # the reason stored with a final answer that stopped at max_tokens
STOPPED = "stopped"  # the reason stored with an answer the person stopped (`/stop`)


class Delivery:
    def __init__(
        self,
        hub: Any,
        store: PendingStore,
        memory: ConversationMemory,
        masker: Masker | None,
        *,
        owner: str,
        edit_interval_s: float = 0.7,
        metrics: Metrics | None = None,
    ) -> None:
        self._hub = hub
        self._metrics = metrics or Metrics()
        self._store = store
        self._memory = memory
        self._masker = masker
        self._owner = owner
        self._edit_interval = edit_interval_s
        self._last_edit: dict[str, float] = {}
        self.handoff_ms: deque[float] = deque(maxlen=1000)  # queue wait + result pick-up, per answer
        self.callers: Callers | None = None  # set when web chat / REST callers wait on one replica

    @property
    def bot(self) -> BotDefinition:
        return self._hub.bot

    # -- stream entries ---------------------------------------------------------------------
    async def handle(self, fields: dict[str, str]) -> None:
        kind = fields.get("kind", "")
        job_id = fields.get("job", "")
        if kind == Kind.PARTIAL:
            await self._partial(job_id, int(fields.get("attempt") or 1), fields.get("text", ""))
        elif kind in (Kind.FINAL, Kind.FAILED):
            if fields.get("published_at"):
                pickup_ms = (time.time() - float(fields["published_at"])) * 1000
                self.handoff_ms.append(float(fields.get("queued_ms") or 0) + pickup_ms)
            reason = fields.get("reason", "") or _reason_of(fields)
            stored = await self._store.set_result(job_id, kind, fields.get("text", ""), reason)
            if not stored:
                log.info("result for a finished or unknown job ignored", extra={"job_id": job_id})
                return
            turn = await self._store.load(job_id)
            if turn is not None:
                await self.drain(turn.conversation)

    async def partial(self, job_id: str, attempt: int, text: str) -> None:
        """Show a streamed frame handed over by the replica that read it (see `callers`)."""
        await self._partial(job_id, attempt, text)

    async def _partial(self, job_id: str, attempt: int, text: str) -> None:
        now = time.monotonic()
        if not text.strip() or now - self._last_edit.get(job_id, 0.0) < self._edit_interval:
            return
        turn = await self._store.load(job_id)
        if turn is None or not turn.stream or turn.result_kind or attempt < turn.attempt:
            return
        seq, _head = await self._store.head(turn.conversation)
        if seq != turn.seq:
            return  # an earlier answer in this conversation is not out yet: keep the order
        if self.callers is not None:
            where = await self.callers.where(turn)
            if where != HERE:  # the caller waits on another replica (or on none just now)
                if where:
                    await self.callers.forward_partial(where, job_id, attempt, text)
                return
        adapter = self._hub.adapters.get(turn.conversation.platform)
        if not isinstance(adapter, SupportsEdit) or not await self._store.claim(job_id, self._owner):
            return
        try:
            self._last_edit[job_id] = now
            if len(self._last_edit) > MAX_TRACKED_EDITS:  # answers finished by another replica
                del self._last_edit[next(iter(self._last_edit))]
            reply = await self._restore(turn, self._reply(turn, text), partial=True)
            reply = replace(reply, stop_token=job_id)  # still running: a Stop control may end it
            if turn.sent is None:  # the stream's first frame: more follows (a draft, a preview)
                sent = await self._hub.send(replace(reply, interim=True))
                if sent is not None:
                    await self._store.set_sent(job_id, sent)
            else:
                await adapter.edit(turn.sent, reply, final=False)
        except Exception as exc:  # noqa: BLE001 — a lost partial is harmless
            log.warning("streamed edit failed: %s", type(exc).__name__, extra={"job_id": job_id})
        finally:
            await self._store.release(job_id, self._owner)
        fresh = await self._store.load(job_id)
        if fresh is not None and fresh.result_kind:
            await self.drain(fresh.conversation)

    # -- in-order delivery ------------------------------------------------------------------
    async def drain(self, conversation: ConversationRef) -> int:
        """Deliver every answer at the head of this conversation that is ready; returns count."""
        delivered = 0
        for _ in range(CLAIM_TRIES):
            seq, job_id = await self._store.head(conversation)
            if job_id is None:
                return delivered
            turn = await self._store.load(job_id)
            if turn is None:  # expired: skip it so later answers are not held forever
                await self._store.advance(conversation, seq)
                continue
            if not turn.result_kind:
                return delivered
            if self.callers is not None:
                where = await self.callers.where(turn)
                if where != HERE:  # its caller is held by another replica, or by none yet
                    if where:
                        await self.callers.wake(where, conversation)
                    else:
                        log.debug("answer waits for its caller to come back", extra={"job_id": job_id})
                    return delivered
            if not await self._store.claim(job_id, self._owner):
                await asyncio.sleep(CLAIM_WAIT_S)  # another replica (or a streamed edit) holds it
                continue
            try:
                fresh = await self._store.load(job_id)
                if fresh is not None and fresh.seq == seq:
                    await self._deliver(fresh)
                    await self._store.advance(conversation, seq)
                    await self._store.finish(fresh)
                    delivered += 1
            finally:
                await self._store.release(job_id, self._owner)
        return delivered

    async def _deliver(self, turn: PendingTurn) -> None:
        self._last_edit.pop(turn.job_id, None)
        stopped = turn.reason == STOPPED
        final = turn.result_kind == Kind.FINAL and (stopped or bool(turn.result_text.strip()))
        if final:
            text = turn.result_text
            if turn.reason == CUT_OFF:  # it stopped at max_tokens: say so, and how to get the rest
                text = f"{text.rstrip()}…\n\n{messages.CUT_OFF}"
            elif stopped:  # what was made before the stop, marked; no apology
                text = f"{text.rstrip()}… {messages.STOPPED_MARK}" if text.strip() else messages.STOPPED_MARK
            if not stopped:
                text = with_footer(text, turn.footer)
            reply = await self._restore(turn, self._reply(turn, text, ticket=turn.ticket), partial=False)
        else:
            text = FAILURE_MESSAGES.get(turn.reason, messages.MODEL_UNAVAILABLE)
            reply = self._reply(turn, text, notice=True)
            self._metrics.model_jobs_failed.labels(turn.model, turn.reason or "error").inc()
        adapter = self._hub.adapters.get(turn.conversation.platform)
        if final and turn.sent is not None and isinstance(adapter, SupportsEdit):
            try:
                await adapter.edit(turn.sent, reply, final=True)
            except Exception as exc:  # noqa: BLE001
                log.warning("final edit failed (%s); sending anew", type(exc).__name__)
                await self._hub.send(reply)
        else:
            await self._hub.send(reply)
        if final and not stopped:
            copied = with_footer(turn.result_text, turn.footer)
            for copy in turn.copies:  # e.g. a draft note shown in a bridge's Slack thread too
                shown = await self._restore(turn, copy.reply(copied, turn.event_id), partial=False)
                await self._hub.send(shown)
        if isinstance(adapter, SupportsWorking):
            try:
                await adapter.working(turn.conversation, turn.quote_id, False)
            except Exception:  # noqa: BLE001
                log.debug("working sign not removed", extra={"job_id": turn.job_id})
        if final and turn.result_text.strip():
            await self._memory.remember(self.bot, turn.conversation, ("assistant", turn.result_text))
        outcome = ("stopped" if stopped else "answered") if final else f"failed:{turn.reason or 'error'}"
        log.info(
            "model turn delivered (%s)", outcome, extra={"event_id": turn.event_id, "job_id": turn.job_id}
        )

    def _reply(
        self, turn: PendingTurn, text: str, *, notice: bool = False, ticket: TicketUpdate | None = None
    ) -> Reply:
        return Reply(
            text=text,
            conversation=turn.conversation,
            in_reply_to=turn.event_id,
            quote_id=turn.quote_id,
            notice=notice,
            recipient_id=turn.recipient_id,
            audience=turn.audience,
            visibility=turn.visibility,
            ticket=ticket,
        )

    async def _restore(self, turn: PendingTurn, reply: Reply, *, partial: bool) -> Reply:
        if self._masker is None:
            return reply
        try:
            if partial:
                return await self._masker.restore_partial(turn.pii, reply)
            return await self._masker.restore(turn.pii, reply)
        except MaskingError:
            log.error("PII restore failed; sending masked text", extra={"event_id": turn.event_id})
            return reply


def _reason_of(fields: dict[str, str]) -> str:
    """Why a final answer ended early, from the worker's counts: stopped, cut off, or neither."""
    if fields.get("stopped"):
        return STOPPED
    return CUT_OFF if fields.get("cut_off") else ""
