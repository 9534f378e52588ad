"""The loops a hub replica runs for model work: read the result stream, and sweep.

Reading: one consumer per replica in the `hubs` group; entries left unacknowledged by a
replica that died are claimed after `RECLAIM_IDLE_MS`. Sweeping (one replica at a time):
re-run jobs whose worker stopped heartbeating, time out turns past their deadline, finish
answers that got stuck between replicas.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import nullcontext
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from core import locks, tracing
from core.errors import is_outage
from core.metrics import Metrics
from core.model.contract import CONSUMER_GROUP, JobRequest, Kind, ModelKeys, parse_lease
from core.model.deadletters import POISON_AFTER_DEATHS, DeadLetters
from core.model.delivery import Delivery
from core.model.metering import observe_final
from core.model.pending import PendingStore, PendingTurn
from core.model.queue import ModelQueues
from core.model.routing import ModelRouter
from core.model.workers import HEARTBEAT_TTL_S, is_alive

log = logging.getLogger(__name__)

RECLAIM_IDLE_MS = 5_000
SWEEP_EVERY_S = 0.5
STUCK_AFTER_S = 3.0
SLOW_AFTER_S = 30.0  # pending this long: its caller is away (a closed tab, a dropped request)
SLOW_RETRY_S = 10.0
MAX_TRACKED_DRAINS = 10_000
OUTAGE_GRACE_S = 2.0 * HEARTBEAT_TTL_S  # after a Redis outage, before a lapsed heartbeat means death
HANG_GRACE_S = 5.0  # a job still running this long after its own timeout hangs: give up on it


class ResultReader:
    def __init__(
        self,
        redis: Redis,
        keys: ModelKeys,
        delivery: Delivery,
        router: ModelRouter,
        *,
        consumer: str,
        metrics: Metrics | None = None,
    ) -> None:
        self._redis = redis
        self._metrics = metrics or Metrics()
        self._keys = keys
        self._delivery = delivery
        self._router = router
        self.consumer = consumer
        self.stopping = asyncio.Event()

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._keys.results, CONSUMER_GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self) -> None:
        await self.ensure_group()
        last_reclaim = 0.0
        while not _should_stop(self.stopping):
            try:
                if time.monotonic() - last_reclaim > RECLAIM_IDLE_MS / 1000:
                    last_reclaim = time.monotonic()
                    await self._reclaim()
                batches = cast(
                    "list[tuple[str, list[tuple[str, dict[str, str]]]]] | None",
                    await self._redis.xreadgroup(
                        CONSUMER_GROUP, self.consumer, {self._keys.results: ">"}, count=64, block=1000
                    ),
                )
                for _stream, entries in batches or []:
                    for entry_id, fields in entries:
                        await self._handle(entry_id, fields)
            except asyncio.CancelledError:
                raise
            except ResponseError as exc:
                _reraise_if_cancelled()
                if "NOGROUP" in str(exc):
                    await self.ensure_group()
                    continue
                log.error("result stream error: %s", type(exc).__name__)
                await asyncio.sleep(0.5)
            except Exception as exc:  # noqa: BLE001 — keep reading; the entry stays pending
                _reraise_if_cancelled()
                log.error("result handling failed: %s", type(exc).__name__)
                await asyncio.sleep(0.5)

    async def _reclaim(self) -> None:
        _next, entries, *_ = await self._redis.xautoclaim(
            self._keys.results, CONSUMER_GROUP, self.consumer, RECLAIM_IDLE_MS, "0-0", count=64
        )
        for entry_id, fields in entries:
            if fields:
                await self._handle(entry_id, fields)

    async def _handle(self, entry_id: str, fields: dict[str, str]) -> None:
        if fields.get("kind") == Kind.FINAL:
            observe_final(self._metrics, fields)
        parent = {"traceparent": fields["traceparent"]} if fields.get("traceparent") else None
        attributes = {
            "switchboard.model": fields.get("model", ""),
            "switchboard.kind": fields.get("kind", ""),
        }
        with tracing.span("switchboard.deliver", attributes, parent=parent) if parent else nullcontext():
            await self._delivery.handle(fields)
        if fields.get("kind") == Kind.FINAL and fields.get("ttft_ms") and fields.get("model"):
            await self._router.observe(fields["model"], float(fields["ttft_ms"]))
        pipe = self._redis.pipeline(transaction=False)
        pipe.xack(self._keys.results, CONSUMER_GROUP, entry_id)
        pipe.xdel(self._keys.results, entry_id)
        await pipe.execute()


class Sweeper:
    def __init__(
        self,
        redis: Redis,
        keys: ModelKeys,
        store: PendingStore,
        queues: ModelQueues,
        delivery: Delivery,
        *,
        owner: str,
        retries: int,
        job_timeout_s: int,
        metrics: Metrics | None = None,
    ) -> None:
        self._redis = redis
        self._metrics = metrics or Metrics()
        self._keys = keys
        self._store = store
        self._queues = queues
        self._delivery = delivery
        self._owner = owner
        self._retries = retries
        self._job_timeout_s = job_timeout_s
        self.dead_letters = DeadLetters(redis, keys)
        self._trust_leases_after = 0.0
        self._last_drain: dict[str, float] = {}  # job id -> when a long-pending answer was retried
        self.stopping = asyncio.Event()

    async def run(self) -> None:
        while not _should_stop(self.stopping):
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                _reraise_if_cancelled()
                log.error("model sweep failed: %s", type(exc).__name__)
                if is_outage(exc):  # workers' heartbeats lapsed too: let them beat again first
                    self._trust_leases_after = time.monotonic() + OUTAGE_GRACE_S
            try:
                await asyncio.wait_for(self.stopping.wait(), SWEEP_EVERY_S)
            except TimeoutError:
                pass

    async def sweep(self) -> None:
        # One sweeper per period across replicas: the lock is not released, it expires.
        if not await locks.acquire(self._redis, self._keys.sweep_lock, self._owner, SWEEP_EVERY_S * 1.8):
            return
        now = time.time()
        for job_id, deadline in await self._store.inflight():
            turn = await self._store.load(job_id)
            if turn is None:
                await self._redis.zrem(self._keys.inflight, job_id)
            elif turn.result_kind:
                if turn.retry_at:  # its send failed: try it again when due
                    if now >= turn.retry_at:
                        await self._delivery.drain(turn.conversation)
                elif self._drain_due(job_id, now - turn.result_at, now):
                    await self._delivery.drain(turn.conversation)
            elif now > deadline:
                log.warning(
                    "model turn timed out waiting", extra={"job_id": job_id, "event_id": turn.event_id}
                )
                await self._queues.discard(turn.rq_id)
                if await self._store.set_result(job_id, Kind.FAILED, reason="timeout"):
                    await self._delivery.drain(turn.conversation)
            elif time.monotonic() >= self._trust_leases_after:
                await self._check_lease(turn)

    def _drain_due(self, job_id: str, age: float, now: float) -> bool:
        """An answer still pending after STUCK_AFTER_S is drained again; one that waits longer
        (its web chat or REST caller is away: a hold drains it the moment they are back) only
        every SLOW_RETRY_S, so a thousand closed tabs do not keep Redis busy."""
        if age <= STUCK_AFTER_S:
            return False
        if age < SLOW_AFTER_S:
            return True
        if now - self._last_drain.get(job_id, 0.0) < SLOW_RETRY_S:
            return False
        self._last_drain[job_id] = now
        while len(self._last_drain) > MAX_TRACKED_DRAINS:
            del self._last_drain[next(iter(self._last_drain))]
        return True

    async def _check_lease(self, turn: PendingTurn) -> None:
        lease = cast("str | None", await self._redis.get(self._keys.lease(turn.job_id)))
        if not lease:
            return
        worker, started = parse_lease(lease)
        if not await is_alive(self._redis, self._keys, worker):
            await self._worker_died(turn, worker)
            return
        timeout_s = float(turn.payload.get("timeout_s") or self._job_timeout_s)
        if started is not None and time.time() - started > timeout_s + HANG_GRACE_S:
            log.error(
                "model job hangs past its %.0f s timeout; giving up", timeout_s, extra={"job_id": turn.job_id}
            )
            await self._give_up(turn, "timeout")

    async def _give_up(self, turn: PendingTurn, reason: str) -> None:
        await self._redis.delete(self._keys.lease(turn.job_id))
        await self._queues.discard(turn.rq_id)
        if await self._store.set_result(turn.job_id, Kind.FAILED, reason=reason):
            await self._delivery.drain(turn.conversation)

    async def _worker_died(self, turn: PendingTurn, worker: str) -> None:
        """Re-run the job elsewhere — unless it is what killed its workers (a poison job)."""
        deaths = turn.attempt  # a job is re-run only when its worker died, so each attempt was one
        if deaths >= POISON_AFTER_DEATHS:
            log.error(
                "poison job: %d workers died running it; moved to the dead letters",
                deaths,
                extra={"job_id": turn.job_id, "model": turn.model},
            )
            await self.dead_letters.add(turn.job_id, turn.model, turn.payload, deaths=deaths, worker=worker)
            await self._give_up(turn, "poison")
            return
        if turn.attempt > self._retries:
            log.error("worker died on the last attempt; giving up", extra={"job_id": turn.job_id})
            await self._give_up(turn, "error")
            return
        await self._redis.delete(self._keys.lease(turn.job_id))
        await self._queues.discard(turn.rq_id)
        attempt = turn.attempt + 1
        payload = {**turn.payload, "attempt": attempt}
        request = JobRequest.from_payload(payload)
        deadline = time.time() + max(self._job_timeout_s * 2, 60)
        await self._store.set_attempt(turn.job_id, attempt, deadline)
        self._metrics.model_jobs_retried.labels(turn.model).inc()
        await self._queues.enqueue(
            request.model, payload, rq_id=f"{turn.job_id}-{attempt}", timeout_s=int(request.timeout_s)
        )
        log.warning(
            "worker %s died holding a job; re-queued (attempt %d)",
            worker,
            attempt,
            extra={"job_id": turn.job_id},
        )


def _should_stop(stopping: asyncio.Event) -> bool:
    """Stop when asked, or when cancelled (even if a client library swallowed the cancel)."""
    task = asyncio.current_task()
    return stopping.is_set() or (task is not None and task.cancelling() > 0)


def _reraise_if_cancelled() -> None:
    """A client library may turn our cancellation into its own error: do not swallow it."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
