"""Finishing queued turns: results from the durable stream become replies, exactly once, in order.

Every hub replica runs one `Delivery` in the same consumer group. A final answer is stored on
its pending turn first, then each conversation is drained in order under a per-job claim, so
the answer is sent once even when several replicas (or a restarted hub) see it. Every answer
leaves through the one way out (`core.outbound`); one whose send fails stays pending, and the
sweeper tries it again at its `retry_at`.

One answer, one stream: the partial results of one job reach every replica, but one replica at
a time shows them — the holder of the job's stream lease in Redis, which also delivers the
final edit. The message ids already shown live on the pending turn in Redis, so when the owner
dies (its lease lapses) the next replica continues the same message(s) instead of posting new
ones. A stream's pace is the adapter's (`SupportsEdit.edit_interval`): the worker publishes at
it, the adapter coalesces to it; this module adds no throttle of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from dataclasses import replace

from core import messages
from core.errors import SendFailed
from core.events import ConversationRef, Reply, SentRef, TicketUpdate
from core.metrics import Metrics
from core.model.callers import HERE, Callers
from core.model.contract import Kind, with_footer
from core.model.pending import PendingStore, PendingTurn
from core.outbound import Outbound, Outgoing

log = logging.getLogger(__name__)

CLAIM_WAIT_S = 0.05
CLAIM_TRIES = 200
MAX_SHOWN_HERE = 10_000
STREAM_LEASE_S = 3.0  # a stream owner that stops renewing (it died) is replaced after this
KEEP_EVERY_S = 0.25  # how often an owner renews its streams' leases and looks for their results
FAILURE_MESSAGES = {"timeout": messages.MODEL_TIMEOUT, "poison": messages.MODEL_POISON}
CUT_OFF = "cut_off"  # the reason stored with a final answer that stopped at max_tokens
STOPPED = "stopped"  # the reason stored with an answer the person stopped (`/stop`)


class Delivery:
    def __init__(
        self,
        outbound: Outbound,
        store: PendingStore,
        *,
        owner: str,
        metrics: Metrics | None = None,
        stream_lease_s: float | None = None,
    ) -> None:
        self._outbound = outbound
        self._metrics = metrics or Metrics()
        self._store = store
        self._owner = owner
        self._lease_ms = int((STREAM_LEASE_S if stream_lease_s is None else stream_lease_s) * 1000)
        self._streams: dict[str, ConversationRef] = {}  # job id -> conversation: streams shown here
        # job id -> what this replica shows of it: also known when Redis could not record it, so
        # a stream is never started twice here (the person would see the answer twice)
        self._shown_here: OrderedDict[str, SentRef] = OrderedDict()
        self.handoff_ms: deque[float] = deque(maxlen=1000)  # queue wait + result pick-up, per answer
        self.callers: Callers | None = None  # set when web chat / REST callers wait on one replica
        self.stopping = asyncio.Event()

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
        if not text.strip():
            return
        turn = await self._store.load(job_id)
        if turn is None or not turn.stream or turn.result_kind or attempt < turn.attempt:
            return
        if turn.stream_owner not in ("", self._owner):
            return  # another replica shows this answer; a later partial it reads carries this text
        outbound = self._outbound
        if outbound.editor(turn.conversation.platform) is None:
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
        if not await self._store.hold_stream(job_id, self._owner, self._lease_ms):
            return
        self._streams[job_id] = turn.conversation
        if not await self._store.claim(job_id, self._owner):
            return
        try:
            reply = await outbound.restore(Outgoing(self._reply(turn, text), turn.pii, partial=True))
            reply = replace(reply, stop_token=job_id)  # still running: a Stop control may end it
            shown = turn.sent or self._shown_here.get(job_id)
            if shown is None:  # the stream's first frame: more follows (a draft, a preview)
                sent = await outbound.send(replace(reply, interim=True))
            else:
                sent = await outbound.edit(shown, reply, final=False)
            if sent is not None and sent != turn.sent:  # what is shown, for whoever continues it
                self._shown_here[job_id] = sent
                while len(self._shown_here) > MAX_SHOWN_HERE:
                    self._shown_here.popitem(last=False)
                await self._store.set_sent(job_id, sent)
        except SendFailed as exc:  # a lost partial is harmless: the next one, or the final, carries it
            log.info("streamed frame not shown: %s", exc, extra={"job_id": job_id})
        finally:
            await self._store.release(job_id, self._owner)
        fresh = await self._store.load(job_id)
        if fresh is not None and fresh.result_kind:
            await self.drain(fresh.conversation)

    async def keep_streams(self) -> None:
        """While this replica shows streams: renew their leases, and deliver each one's final
        answer once it is stored (whichever replica read it from the result stream)."""
        while not self.stopping.is_set():
            try:
                await asyncio.wait_for(self.stopping.wait(), KEEP_EVERY_S)
                return
            except TimeoutError:
                pass
            for job_id, conversation in list(self._streams.items()):
                try:
                    await self._keep(job_id, conversation)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 — a Redis hiccup: the next round tries again
                    log.warning("stream keeping failed: %s", type(exc).__name__, extra={"job_id": job_id})

    async def _keep(self, job_id: str, conversation: ConversationRef) -> None:
        turn = await self._store.load(job_id)
        if turn is None or not await self._store.hold_stream(job_id, self._owner, self._lease_ms):
            self._streams.pop(job_id, None)  # finished, or another replica took it over
            return
        if turn.result_kind:
            await self.drain(conversation)

    # -- in-order delivery ------------------------------------------------------------------
    async def drain(self, conversation: ConversationRef) -> int:
        """Deliver every answer at the head of this conversation that is ready; returns count.
        An answer whose send failed waits for its `retry_at` (the sweeper comes back for it);
        a streamed one is finished by the replica that shows its stream."""
        delivered = 0
        for _ in range(CLAIM_TRIES):
            seq, job_id = await self._store.head(conversation)
            if job_id is None:
                return delivered
            turn = await self._store.load(job_id)
            if turn is None:  # expired: skip it so later answers are not held forever
                await self._store.advance(conversation, seq)
                continue
            if not turn.result_kind or turn.retry_at > time.time():
                return delivered
            if turn.stream_owner not in ("", self._owner):
                return delivered  # its stream's owner finishes it (or we do once its lease lapses)
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
                if fresh is None or fresh.seq != seq:
                    continue
                if not await self._deliver(fresh):
                    return delivered  # kept pending: later answers wait behind it, in order
                self._streams.pop(job_id, None)
                await self._store.advance(conversation, seq)
                await self._store.finish(fresh)
                delivered += 1
            finally:
                await self._store.release(job_id, self._owner)
        return delivered

    async def _deliver(self, turn: PendingTurn) -> bool:
        """Send the turn's answer (or its failure notice) through the one way out; False when
        the send failed and is to be tried again (at `retry_at`)."""
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
            out = Outgoing(
                self._reply(turn, text, ticket=turn.ticket),
                turn.pii,
                sent=(turn.sent or self._shown_here.get(turn.job_id)) if turn.stream else None,
                kept=turn.result_text,  # memory keeps the answer, not its notes and footer
            )
        else:
            text = FAILURE_MESSAGES.get(turn.reason, messages.MODEL_UNAVAILABLE)
            out = Outgoing(self._reply(turn, text, notice=True))
            if not turn.send_failures:  # counted once, not at every try of its notice
                self._metrics.model_jobs_failed.labels(turn.model, turn.reason or "error").inc()
        retry = self._outbound.retry
        try:
            await self._outbound.deliver(out)
            self._shown_here.pop(turn.job_id, None)
        except SendFailed:
            failures, now = turn.send_failures + 1, time.time()
            since = turn.failing_since or now
            if retry.again(failures, now - since):
                await self._store.send_failed(turn.job_id, failures, now + retry.delay(failures), since)
                log.warning(
                    "model answer not sent (attempt %d); tried again later",
                    failures,
                    extra={"job_id": turn.job_id},
                )
                return False
            await self._outbound.give_up(out, failures)
            return True
        if final and not stopped:
            copied = with_footer(turn.result_text, turn.footer)
            for copy in turn.copies:  # e.g. a draft note shown in a bridge's Slack thread too
                shown = await self._outbound.restore(Outgoing(copy.reply(copied, turn.event_id), turn.pii))
                await self._outbound.send_quietly(shown)
        outcome = ("stopped" if stopped else "answered") if final else f"failed:{turn.reason or 'error'}"
        log.info(
            "model turn delivered (%s)", outcome, extra={"event_id": turn.event_id, "job_id": turn.job_id}
        )
        return True

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


def _reason_of(fields: dict[str, str]) -> str:
    """Why a final answer ended early, from the worker's counts: stopped, cut off, or neither."""
    if fields.get("stopped"):
        return STOPPED
    return CUT_OFF if fields.get("cut_off") else ""
