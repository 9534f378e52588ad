"""Everything model-related one hub replica runs, wired onto a hub in one call."""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from redis.asyncio import Redis

from core.adapter import HoldsCallers
from core.admin import AdminCommands
from core.hub import Hub
from core.metrics import Metrics
from core.model.admin import model_command, ready_check, status_source
from core.model.callers import Callers
from core.model.consumer import ResultReader, Sweeper
from core.model.contract import ModelKeys
from core.model.delivery import Delivery
from core.model.gateway import QueueGateway
from core.model.metering import scrape_gauges
from core.model.pending import PendingStore
from core.model.queue import ModelQueues
from core.model.routing import ModelRouter
from core.model.stop import Stopper, stop_command
from core.model.watch import WorkerWatch
from core.model.workers import live_workers, workers_by_model
from core.stages.memory import ConversationMemory
from core.stages.pii import Masker

log = logging.getLogger(__name__)

STOP_WAIT_S = 3.0


class ModelService:
    def __init__(
        self,
        redis: Redis,
        memory: ConversationMemory,
        *,
        prefix: str = "sb",
        masker: Masker | None = None,
        how_to_start_worker: str | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """`how_to_start_worker`: when given, questions for a model no live worker serves are
        answered at once with MODEL_NOT_RUNNING, and this hint is logged when that happens."""
        self.redis = redis
        self.metrics = metrics or Metrics()
        self.keys = ModelKeys(prefix)
        self.owner = f"hub-{uuid.uuid4().hex[:12]}"
        self.store = PendingStore(redis, self.keys)
        self.queues = ModelQueues(redis, self.keys)
        self.router = ModelRouter(redis, self.keys)
        self.memory = memory
        self.masker = masker
        self._how_to_start = how_to_start_worker
        self.watch: WorkerWatch | None = None
        self.gateway = QueueGateway(
            redis,
            self.store,
            self.queues,
            self.router,
            keys=self.keys,
            metrics=self.metrics,
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._loops: list[ResultReader | Sweeper | WorkerWatch | Callers | Delivery] = []
        self.hub: Hub | None = None
        self.delivery: Delivery | None = None
        self.stopper: Stopper | None = None
        self.callers: Callers | None = None

    def attach(self, hub: Hub, admin_commands: AdminCommands, ready_checks: dict[str, Any]) -> None:
        """Make `hub` queue model work here; add the `model` command, status and readiness."""
        self.hub = hub
        hub.model = self.gateway
        bot = hub.bot
        if self._how_to_start is not None:
            names = [spec.name for spec in bot.model.specs()]
            self.watch = WorkerWatch(self.redis, self.keys, names, how_to_start=self._how_to_start)
        self.gateway.bind(hub.outbound, self.watch)
        self.delivery = Delivery(hub.outbound, self.store, owner=self.owner, metrics=self.metrics)
        self.stopper = Stopper(self.redis, self.keys, self.store, self.queues, self.delivery.drain)
        self.metrics.on_scrape(scrape_gauges(self.metrics, self.redis, self.keys, self.queues, bot))
        holders = [a for a in hub.adapters.values() if isinstance(a, HoldsCallers)]
        if holders:  # web chat, REST: their answers go to the replica their caller waits on
            self.callers = Callers(
                self.redis, prefix=self.keys.prefix, replica=self.owner, platforms=[a.name for a in holders]
            )
            self.callers.bind(self.delivery.drain, self.delivery.partial)
            self.delivery.callers = self.callers
            for adapter in holders:
                adapter.hold_callers(self.callers)
        hub.status_sources["model"] = status_source(self.redis, self.keys, self.queues, bot, self.router)
        if admin_commands.get("model") is None:
            admin_commands.add(model_command(self.router, self.workers))
        if admin_commands.get("stop") is None:
            admin_commands.add(stop_command(self.stopper))
        ready_checks["models"] = ready_check(self.redis, self.keys, bot)

    async def available(self) -> bool:
        """Whether a question would be answered now (`ModelStatus` for skills)."""
        if self.hub is None:
            return False
        if self.watch is None:
            return True
        return await self.watch.serving(await self.router.choose(self.hub.bot))

    async def workers(self) -> dict[str, int]:
        return workers_by_model(await live_workers(self.redis, self.keys))

    async def start(self) -> None:
        """Start reading results and sweeping (call after the hub's adapters started)."""
        if self.hub is None or self.delivery is None:
            raise RuntimeError("ModelService.attach(hub, ...) first")
        reader = ResultReader(
            self.redis, self.keys, self.delivery, self.router, consumer=self.owner, metrics=self.metrics
        )
        await reader.ensure_group()
        config = self.hub.bot.model
        sweeper = Sweeper(
            self.redis,
            self.keys,
            self.store,
            self.queues,
            self.delivery,
            owner=self.owner,
            retries=config.retries,
            job_timeout_s=config.job_timeout_s,
            metrics=self.metrics,
        )
        loop = asyncio.get_running_loop()
        self._loops = [reader, sweeper, self.delivery]
        self._tasks = [
            loop.create_task(reader.run()),
            loop.create_task(sweeper.run()),
            loop.create_task(self.delivery.keep_streams()),  # the streams this replica shows
        ]
        if self.callers is not None:
            self._loops.append(self.callers)
            self._tasks.append(loop.create_task(self.callers.run()))
        if self.watch is not None:
            await self.watch.refresh()
            self.watch.announce()
            self._loops.append(self.watch)
            self._tasks.append(loop.create_task(self.watch.run()))
        log.info("model delivery started (consumer %s)", self.owner)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for running in self._loops:
            running.stopping.set()  # each loop ends after its current step (a read blocks <= 1 s)
        if tasks:
            _done, slow = await asyncio.wait(tasks, timeout=STOP_WAIT_S)
            for task in slow:
                task.cancel()
            if slow:
                await asyncio.wait(slow, timeout=STOP_WAIT_S)
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                log.error("model loop ended with %s", type(task.exception()).__name__)
        if self.callers is not None:
            await self.callers.close()
        self.queues.close()
