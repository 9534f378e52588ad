"""`switchboard worker`: an RQ SimpleWorker that loads one model once, then serves its queue.

No fork per job (a loaded model and a CUDA context do not survive fork). SIGTERM is a warm
shutdown: the job in hand is finished first. A heartbeat thread keeps this worker visible to
the hubs while a job runs, so a worker killed mid-job is noticed within seconds and its job
re-run elsewhere. When Redis goes away, RQ's loop ends: we wait for Redis with backoff and
start the loop again (the model stays loaded). A watchdog ends the process when a job runs far
past its timeout inside native code that no signal interrupts (a hung model); the supervisor
starts a fresh worker, and the hub has already apologised for that job.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from typing import Any, cast

import redis
from redis.typing import EncodableT, FieldT
from rq import Queue, SimpleWorker

from core import tracing
from core.botdef import BotDefinition
from core.model import jobs
from core.model.config import ModelSpec, with_env
from core.model.contract import ModelKeys
from core.model.workers import HEARTBEAT_EVERY_S, HEARTBEAT_TTL_S
from core.settings import Settings

log = logging.getLogger(__name__)

RECONNECT_FIRST_S = 0.25
RECONNECT_MAX_S = 5.0
WATCHDOG_GRACE_S = 45.0  # past a job's own timeout (RQ's SIGALRM backstop fires at +30 s)
WATCHDOG_ENV = "SWITCHBOARD_WORKER_WATCHDOG_S"  # override of that grace, in seconds
EXIT_HUNG = 75


class Heartbeat:
    """Refreshes this worker's key every second, from a thread, also while a job runs."""

    def __init__(self, connection: redis.Redis, keys: ModelKeys, name: str, info: dict[str, str]) -> None:
        self._connection = connection
        self._keys = keys
        self.name = name
        self._info = info
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self.beat()
        self._thread.start()
        return self

    def beat(self) -> None:
        key = self._keys.worker(self.name)
        pipe = self._connection.pipeline(transaction=True)
        info = {**self._info, **jobs.speed()}  # tokens/s of the last job, for the dashboard
        pipe.hset(key, mapping=cast("dict[FieldT, EncodableT]", info))
        pipe.expire(key, HEARTBEAT_TTL_S)
        pipe.sadd(self._keys.workers, self.name)
        pipe.execute()

    def _run(self) -> None:
        failing = False
        while not self._stop.wait(HEARTBEAT_EVERY_S):
            try:
                self.beat()
            except redis.RedisError as exc:
                if not failing:
                    log.warning("heartbeat failed: %s (retrying every second)", type(exc).__name__)
                failing = True
            else:
                if failing:
                    log.info("heartbeat back")
                failing = False
            watch_for_hang()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self._connection.delete(self._keys.worker(self.name))
            self._connection.srem(self._keys.workers, self.name)
        except redis.RedisError:
            pass


def watch_for_hang(now: float | None = None) -> None:
    """End the process when the job in hand ran far past its timeout (a hung native call)."""
    running = jobs.running()
    if running is None:
        return
    job_id, started, timeout_s = running
    grace = float(os.environ.get(WATCHDOG_ENV) or WATCHDOG_GRACE_S)
    if (now if now is not None else time.monotonic()) - started > timeout_s + grace:
        log.error(
            "job hangs %.0f s past its timeout; ending this worker",
            grace,
            extra={"job_id": job_id},
        )
        logging.shutdown()
        os._exit(EXIT_HUNG)


def wait_for_redis(connection: redis.Redis, stop_requested: Any) -> bool:
    """Ping until Redis answers (backoff up to RECONNECT_MAX_S); False if asked to stop first."""
    delay = RECONNECT_FIRST_S
    while not stop_requested():
        try:
            connection.ping()
            return True
        except redis.RedisError as exc:
            log.warning("Redis unreachable (%s); retrying in %.2f s", type(exc).__name__, delay)
            time.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)
    return False


def stop_was_asked(worker: SimpleWorker) -> bool:
    """SIGTERM/SIGINT reached RQ's handler (idle or busy), as opposed to a lost connection."""
    return bool(worker._stop_requested or getattr(worker, "_shutdown_requested_date", None))


def pick_model(bot: BotDefinition, name: str | None) -> ModelSpec:
    config = with_env(bot.model, os.environ)
    specs = config.specs()
    if not specs:
        from core.errors import ConfigError

        raise ConfigError(
            'this bot has no model (model.backend = "none") — fix: configure [model] in its definition',
            source=bot.name,
        )
    return config.spec(name) if name else specs[0]


def run_worker(
    settings: Settings, bot: BotDefinition, model: str | None = None, *, burst: bool = False
) -> int:
    """Load the model, then work until SIGTERM/SIGINT (or, with `burst`, until the queue is empty)."""
    from bots.backends import load_engine

    if not settings.redis_url:
        from core.errors import ConfigError

        raise ConfigError(
            "SWITCHBOARD_REDIS_URL is not set — fix: point the worker at the hub's Redis "
            "(`switchboard run` starts its own worker when it uses a private Redis)",
            source="environment",
        )
    spec = pick_model(bot, model)
    tracing.configure("switchboard-worker")
    engine = load_engine(spec)
    connection = redis.Redis.from_url(settings.redis_url)
    keys = ModelKeys(settings.key_prefix)
    name = f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex[:6]}"
    jobs.install(engine, name)
    describe: dict[str, Any] = getattr(engine, "describe", dict)()
    info = {
        "model": spec.name,
        "pid": str(os.getpid()),
        "host": socket.gethostname(),
        "started": f"{time.time():.0f}",
    }
    info.update({k: str(v) for k, v in describe.items()})
    heartbeat = Heartbeat(connection, keys, name, info).start()
    details = ", ".join(f"{k}={v}" for k, v in describe.items())
    log.info("worker %s serving model %s (%s) on queue %s", name, spec.name, details, keys.queue(spec.name))
    level = logging.getLevelName(logging.getLogger().level)
    try:
        rounds = 0
        while True:
            rq_name = name if rounds == 0 else f"{name}.r{rounds}"  # a lost teardown may keep a name
            lanes = [Queue(queue, connection=connection) for queue in keys.queues(spec.name)]
            worker = SimpleWorker(lanes, connection=connection, name=rq_name)  # urgent lane first
            try:
                worker.work(burst=burst, logging_level=level)
            except redis.RedisError as exc:  # RQ's own bookkeeping (teardown) hit the outage
                log.warning("worker loop ended on %s", type(exc).__name__)
            if burst or stop_was_asked(worker):
                break
            rounds += 1
            log.warning("worker loop ended (Redis unreachable?); reconnecting")
            if not wait_for_redis(connection, lambda w=worker: stop_was_asked(w)):
                break
            log.info("Redis reachable again; serving %s", keys.queue(spec.name))
    finally:
        heartbeat.stop()
        jobs.install(None)
        log.info("worker %s stopped", name)
    return 0
