"""The job the worker runs (`core.model.jobs.generate`, enqueued by dotted path).

This module runs inside `switchboard worker`, which installs the loaded model with `install()`
before its loop. It never imports a model library itself: the engine it is given does.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any, Protocol

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import get_current_job
from rq.timeouts import JobTimeoutException

from core import tracing
from core.model.contract import JobRequest, Kind, lease_value
from core.model.errors import ModelTimeoutError, ModelUnavailableError

log = logging.getLogger(__name__)

MIN_PARTIAL_INTERVAL_S = 0.05  # whatever pace the adapter asks, no faster than this into Redis
CANCEL_CHECK_S = 0.05  # how often, between tokens, the job looks at its cancel flag
STREAM_MAXLEN = 10_000
PUBLISH_PATIENCE_S = 120.0  # how long a result waits for Redis to come back before it is given up


class Engine(Protocol):
    """A loaded model on the worker side (see `bots/backends`)."""

    model: str

    def stream(self, request: JobRequest) -> Iterator[str]:
        """Yield the answer's text in pieces as it is generated. An engine that stopped at
        `request.max_tokens` (not at its end-of-answer) sets `cut_off = True` on itself."""


class _Installed:
    engine: Engine | None = None
    worker: str = ""
    running: tuple[str, float, float] | None = None  # (job id, monotonic start, timeout in s)
    done: int = 0  # jobs finished by this process
    tokens_per_s: float | None = None  # of the last finished job


def speed() -> dict[str, str]:
    """What the worker's heartbeat adds for the hubs (admin dashboard): jobs done, last speed."""
    if _Installed.tokens_per_s is None:
        return {"jobs_done": str(_Installed.done)}
    return {"jobs_done": str(_Installed.done), "tokens_per_s": f"{_Installed.tokens_per_s:.1f}"}


def running() -> tuple[str, float, float] | None:
    """The job in hand, for the worker's hang watchdog: (job id, monotonic start, timeout)."""
    return _Installed.running


def install(engine: Engine | None, worker: str = "") -> None:
    """Called once by the worker process after loading its model."""
    _Installed.engine = engine
    _Installed.worker = worker


def patiently(call: Any, *, patience_s: float = PUBLISH_PATIENCE_S, sleep: Any = time.sleep) -> Any:
    """Run a Redis call; while Redis is unreachable, retry with backoff for up to `patience_s`
    (a result computed across an outage is delivered after it, not dropped)."""
    began = time.monotonic()
    delay = 0.1
    while True:
        tried = time.monotonic()
        try:
            return call()
        except (RedisConnectionError, RedisTimeoutError):
            if time.monotonic() + delay > began + patience_s:
                raise
            excuse(time.monotonic() - tried + delay)  # before the pause, so no part of it counts
            sleep(delay)
            delay = min(delay * 2, 5.0)


def excuse(seconds: float) -> None:
    """Time spent waiting for Redis is not the model hanging: the watchdog's clock for the job in
    hand starts `seconds` later."""
    if _Installed.running is not None:
        job_id, started, timeout_s = _Installed.running
        _Installed.running = (job_id, started + seconds, timeout_s)


def publish(connection: Any, request: JobRequest, kind: str, **fields: Any) -> None:
    entry = {
        "job": request.job_id,
        "kind": kind,
        "model": request.model,
        "attempt": request.attempt,
        **fields,
    }
    if kind in (Kind.FINAL, Kind.FAILED):
        entry.update(tracing.carrier())  # the hub's delivery continues this job's trace

    def add() -> None:
        connection.xadd(request.results, entry, maxlen=STREAM_MAXLEN, approximate=True)

    if kind == Kind.PARTIAL:
        try:  # a lost partial is harmless: the next one, or the final text, carries it
            add()
        except (RedisConnectionError, RedisTimeoutError):
            log.info("partial result not published (Redis unreachable)", extra={"job_id": request.job_id})
        return
    patiently(add)


def generate(payload: dict[str, Any]) -> dict[str, Any]:
    """Generate one answer, streaming partial text; returns counts only (no text)."""
    request = JobRequest.from_payload(payload)
    job = get_current_job()
    if job is None:
        raise RuntimeError("core.model.jobs.generate must run inside an RQ worker")
    connection = job.connection
    engine = _Installed.engine
    if engine is None or engine.model != request.model:
        raise ModelUnavailableError(f"this worker does not serve model {request.model!r}")
    _Installed.running = (request.job_id, time.monotonic(), request.timeout_s)
    attributes: dict[str, str | int] = {
        "switchboard.model": request.model,
        "switchboard.attempt": request.attempt,
    }
    try:
        with tracing.span("switchboard.generate", attributes, parent=job.meta) as current:
            counts = _generate(connection, engine, request)
            tracing.annotate(current, **{f"switchboard.{k}": v for k, v in counts.items()})
            return counts
    finally:
        _Installed.running = None


def _generate(connection: Any, engine: Engine, request: JobRequest) -> dict[str, Any]:
    lease = request.lease
    queued_ms = (time.time() - request.enqueued_at) * 1000 if request.enqueued_at else 0.0
    if _cancelled(connection, request):  # stopped while it waited in the queue
        return _finish(
            connection, engine, request, [], started=time.monotonic(), queued_ms=queued_ms, stopped=True
        )
    value = lease_value(_Installed.worker or "?", time.time())
    patiently(lambda: connection.set(lease, value, ex=int(request.timeout_s) + 60))
    publish(connection, request, Kind.STARTED, worker=_Installed.worker)
    started = time.monotonic()
    deadline = started + request.timeout_s
    first_token: float | None = None
    pieces: list[str] = []
    last_partial = float("-inf")  # the first piece goes out at once
    interval = max(request.partial_interval_s, MIN_PARTIAL_INTERVAL_S)  # the adapter's pace
    last_check = started
    stopped = False
    stream = engine.stream(request)
    try:
        for piece in stream:
            now = time.monotonic()
            if first_token is None:
                first_token = now - started
            pieces.append(piece)
            if now > deadline:
                raise ModelTimeoutError(f"generation ran past {request.timeout_s:g} s")
            if now - last_check >= CANCEL_CHECK_S:
                last_check = now
                if _cancelled(connection, request):
                    stopped = True
                    break
            if request.stream and now - last_partial >= interval:
                publish(connection, request, Kind.PARTIAL, text="".join(pieces))
                last_partial = now
    finally:
        _close(stream)  # a stopped (or failed) answer ends the engine's generation at once
    return _finish(
        connection,
        engine,
        request,
        pieces,
        started=started,
        first_token=first_token,
        queued_ms=queued_ms,
        stopped=stopped,
    )


def _finish(
    connection: Any,
    engine: Engine,
    request: JobRequest,
    pieces: list[str],
    *,
    started: float,
    first_token: float | None = None,
    queued_ms: float = 0.0,
    stopped: bool = False,
) -> dict[str, Any]:
    """Publish the final text (all of it, or what was made before a stop) and return the counts."""
    text = "".join(pieces).strip()
    elapsed = time.monotonic() - started
    counts: dict[str, Any] = {
        "tokens": len(pieces),
        "ttft_ms": round((first_token if first_token is not None else elapsed) * 1000, 1),
        "gen_ms": round(elapsed * 1000, 1),
        "queued_ms": round(queued_ms, 2),
    }
    if stopped:
        counts["stopped"] = 1  # the person stopped it: the hub marks the partial answer
    elif request.cache_key and request.cache_ttl_s and text:
        patiently(lambda: connection.set(request.cache_key, text, ex=request.cache_ttl_s))
    if not stopped and getattr(engine, "cut_off", False):
        counts["cut_off"] = 1  # stopped at max_tokens: the hub marks the answer and offers more
    publish(connection, request, Kind.FINAL, text=text, published_at=f"{time.time():.6f}", **counts)
    _Installed.done += 1
    _Installed.tokens_per_s = len(pieces) / elapsed if elapsed > 0 else None
    patiently(lambda: connection.delete(request.lease))
    log.info(
        "job %s: %d pieces, first token %.0f ms, %.0f ms in all",
        "stopped" if stopped else "done",
        counts["tokens"],
        counts["ttft_ms"],
        counts["gen_ms"],
        extra={"job_id": request.job_id, "model": request.model},
    )
    return counts


def _close(stream: Iterator[str]) -> None:
    close = getattr(stream, "close", None)
    if callable(close):
        close()


def _cancelled(connection: Any, request: JobRequest) -> bool:
    """Whether the person stopped this answer (a Redis hiccup reads as "not stopped")."""
    if not request.cancel:
        return False
    try:
        return bool(connection.exists(request.cancel))
    except (RedisConnectionError, RedisTimeoutError):
        return False


def report_failure(job: Any, connection: Any, exc_type: Any, exc: Any, _tb: Any) -> None:
    """RQ failure callback: tell the hub, so the person gets an apology instead of silence."""
    try:
        request = JobRequest.from_payload(job.args[0])
    except (IndexError, TypeError, ValueError):
        log.error("failed job with an unreadable payload", extra={"job_id": job.id})
        return
    timed_out = isinstance(exc, (JobTimeoutException, ModelTimeoutError))
    reason = "timeout" if timed_out else "error"
    publish(connection, request, Kind.FAILED, reason=reason, error_type=getattr(exc_type, "__name__", "?"))
    connection.delete(request.lease)
    log.warning(
        "job failed (%s: %s)",
        reason,
        getattr(exc_type, "__name__", "?"),
        extra={"job_id": request.job_id, "model": request.model},
    )
