"""The hub's `ModelGateway`: a skill's AskModel becomes an RQ job (masked text only).

Before queueing: pick the model (admin override, else weights and latency ceiling), answer
from the opt-in cache, refuse or warn when the queue is long. The turn's reply address and PII
state go to Redis so any replica can finish it (see `delivery`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import replace
from typing import cast

from redis.asyncio import Redis

from core import messages
from core.events import Reply, audience_of, reply_to
from core.metrics import Metrics
from core.model.contract import (
    LANES,
    PARTIAL_INTERVAL_S,
    JobRequest,
    ModelKeys,
    history_from_memory,
    with_footer,
)
from core.model.pending import PendingStore, PendingTurn
from core.model.queue import ModelQueues
from core.model.routing import ModelRouter
from core.model.watch import WorkerWatch
from core.outbound import Outbound
from core.pipeline import Outcome, Turn
from core.skills import AskModel

log = logging.getLogger(__name__)


def cache_digest(model: str, request: JobRequest) -> str:
    """Masked prompt + model + settings -> a key. Never fed with unmasked text."""
    material = [model, request.messages(), request.max_tokens, request.temperature]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()


class QueueGateway:
    def __init__(
        self,
        redis: Redis,
        store: PendingStore,
        queues: ModelQueues,
        router: ModelRouter,
        *,
        keys: ModelKeys,
        metrics: Metrics | None = None,
    ) -> None:
        self._redis = redis
        self._metrics = metrics or Metrics()
        self._store = store
        self._queues = queues
        self._router = router
        self._keys = keys
        self._outbound: Outbound | None = None
        self._watch: WorkerWatch | None = None

    def bind(self, outbound: Outbound, watch: WorkerWatch | None = None) -> None:
        """The way out that takes notices and says which platforms stream, at what pace; with
        `watch`, a question for a model no live worker serves is answered at once."""
        self._outbound = outbound
        self._watch = watch

    async def submit(self, turn: Turn, ask: AskModel) -> Reply | None:
        config = turn.bot.model
        model = await self._router.choose(turn.bot)
        job_id = uuid.uuid4().hex
        pace = self._outbound.stream_interval(turn.event.platform) if self._outbound else None
        request = JobRequest(
            job_id=job_id,
            model=model,
            prompt=ask.prompt,
            system=ask.system,
            history=history_from_memory(turn.history) if ask.use_memory else (),
            max_tokens=min(ask.max_tokens, config.max_tokens),
            temperature=ask.temperature,
            stream=config.stream and pace is not None,
            partial_interval_s=pace or PARTIAL_INTERVAL_S,  # the adapter's pace (SupportsEdit)
            results=self._keys.results,
            lease=self._keys.lease(job_id),
            cancel=self._keys.cancel(job_id),
            timeout_s=float(config.job_timeout_s),
            enqueued_at=time.time(),
            lane=ask.lane if ask.lane in LANES else "",
        )
        if config.cache_ttl_s:
            digest = self._keys.cache(cache_digest(model, request))
            cached = cast("str | None", await self._redis.get(digest))
            if cached:
                self._metrics.model_cache_hits.labels(model).inc()
                return await self._cached_answer(turn, cached, ask)
            request = replace(request, cache_key=digest, cache_ttl_s=config.cache_ttl_s)
        if self._watch is not None and not await self._watch.serving(model):
            log.info("no live worker for the model; told the person", extra={"event_id": turn.event.id})
            self._metrics.model_jobs_refused.labels(model, "no_worker").inc()
            return reply_to(turn.event, messages.MODEL_NOT_RUNNING, notice=True)
        depth = await self._queues.depth(model)
        if depth >= config.max_queue:
            log.warning("model queue full (%d); request refused", depth, extra={"event_id": turn.event.id})
            self._metrics.model_jobs_refused.labels(model, "queue_full").inc()
            return reply_to(turn.event, messages.QUEUE_FULL, notice=True)
        pending = PendingTurn(
            job_id=job_id,
            model=model,
            event_id=turn.event.id,
            conversation=turn.event.conversation,
            quote_id=turn.event.message_id,
            recipient_id=turn.event.sender_id,
            audience=audience_of(turn.event),
            visibility=ask.visibility or turn.event.reply_visibility,
            pii=turn.pii,
            stream=request.stream,
            payload=request.to_payload(),
            footer=ask.footer,
            ticket=ask.ticket,
            copies=ask.copies,
        )
        deadline = time.time() + config.wait_timeout_s
        await self._store.create(pending, deadline, ttl_s=config.wait_timeout_s + 3600)
        await self._queues.enqueue(model, request.to_payload(), rq_id=job_id, timeout_s=config.job_timeout_s)
        self._metrics.model_jobs_queued.labels(model).inc()
        turn.stop(Outcome.QUEUED)
        log.info("model job queued (depth %d)", depth, extra={"event_id": turn.event.id, "job_id": job_id})
        if depth >= config.busy_depth and self._outbound is not None:
            await self._outbound.send_quietly(
                reply_to(
                    turn.event, messages.QUEUE_BUSY.format(position=depth + 1), notice=True, interim=True
                )
            )
        return None

    async def _cached_answer(self, turn: Turn, masked_text: str, ask: AskModel) -> Reply:
        """A masked answer like any skill's reply: the hub's one way out restores and remembers it."""
        log.info("answer cache hit", extra={"event_id": turn.event.id})
        text = with_footer(masked_text, ask.footer)
        reply = reply_to(turn.event, text, visibility=ask.visibility, ticket=ask.ticket)
        for copy in ask.copies:  # restored for its own destination (Turn.send)
            await turn.send(copy.reply(text, turn.event.id))
        return reply
