"""Prometheus metrics: one catalogue, one naming scheme.

Every name is `switchboard_<subsystem>_<what>[_<unit>]`: the subsystem is one of `SUBSYSTEMS`,
counters end in `_total`, durations in `_seconds`. Labels are platforms, models, outcomes,
entity types, stage and skill names, HTTP statuses: never message text, user, chat or session ids.
`docs/metrics.md` is generated from `CATALOGUE` (`python -m core.metrics`) and a test keeps it so.

Two scopes. `hub` metrics live in one registry per hub (`Metrics`), so tests and several hubs
in one process do not collide. `process` metrics are recorded by the adapters' kit (signature
checks, the HTTP client, pacing), which runs below any hub: they live in one registry per process
(`PLATFORM`), and every hub's `/metrics` shows them with its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)
disable_created_metrics()  # no `_created` series: a start time per child is noise to every query

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
RATE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
SUBSYSTEMS = ("events", "turns", "skills", "replies", "platform", "pii", "model", "http")
REFRESH_TIMEOUT_S = 2.0

Kind = Literal["counter", "gauge", "histogram"]
Scope = Literal["hub", "process"]


@dataclass(frozen=True, slots=True)
class Spec:
    attr: str  # the attribute on `Metrics` / `PlatformMetrics`
    name: str  # as exposed (counters with `_total`)
    kind: Kind
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = LATENCY_BUCKETS
    scope: Scope = "hub"


CATALOGUE: tuple[Spec, ...] = (
    # -- inbound events and turns ------------------------------------------------------------
    Spec(
        "events_in", "switchboard_events_received_total", "counter", "Events handed to the hub", ("platform",)
    ),
    Spec(
        "dedup_hits",
        "switchboard_events_duplicate_total",
        "counter",
        "Redelivered events dropped by the dedup stage",
        ("platform",),
    ),
    Spec(
        "signature_failures",
        "switchboard_events_signature_failures_total",
        "counter",
        "Webhook requests refused for a missing or wrong signature (401/403)",
        ("platform",),
        scope="process",
    ),
    Spec(
        "rate_limited",
        "switchboard_events_rate_limited_total",
        "counter",
        "Events over a per-user or per-conversation limit",
        ("platform", "scope"),
    ),
    Spec(
        "too_long",
        "switchboard_events_too_long_total",
        "counter",
        "Messages over the size cap, answered as too long",
        ("platform",),
    ),
    Spec(
        "turns", "switchboard_turns_total", "counter", "Turns finished, by outcome", ("platform", "outcome")
    ),
    Spec(
        "turn_latency",
        "switchboard_turns_duration_seconds",
        "histogram",
        "Time from receive to the end of a turn (a queued turn ends when it is queued)",
        ("platform",),
    ),
    Spec("turns_in_flight", "switchboard_turns_in_flight", "gauge", "Turns running or waiting for a slot"),
    Spec(
        "helpdesk_triaged",
        "switchboard_skills_helpdesk_triaged_total",
        "counter",
        "Tickets triaged by the helpdesk skills, by category (the bot definition's category names)",
        ("category",),
    ),
    Spec(
        "helpdesk_drafts",
        "switchboard_skills_helpdesk_drafts_total",
        "counter",
        "Agent drafts: written, then sent_as_is / edited / discarded (the agent's next public reply)",
        ("outcome",),
    ),
    Spec(
        "helpdesk_auto_replies",
        "switchboard_skills_helpdesk_auto_replies_total",
        "counter",
        "Public answers of promoted helpdesk intents",
    ),
    Spec(
        "helpdesk_handoffs",
        "switchboard_skills_helpdesk_handoffs_total",
        "counter",
        "Tickets handed to a person, by reason (requested, negative_sentiment, no_progress, low_confidence)",
        ("reason",),
    ),
    Spec(
        "bridge_messages",
        "switchboard_skills_bridge_messages_total",
        "counter",
        "What the ticket bridge carried: to_chat (parent, customer, agent, draft, status) or "
        "to_ticket (note, public_reply, refused)",
        ("direction", "kind"),
    ),
    Spec(
        "skill_calls",
        "switchboard_skills_calls_total",
        "counter",
        "Skill invocations, by how the router chose them",
        ("skill", "via"),
    ),
    # -- outbound ----------------------------------------------------------------------------
    Spec(
        "replies_sent",
        "switchboard_replies_sent_total",
        "counter",
        "Replies handed to adapters, by result (ok, error = send failed, no_adapter)",
        ("platform", "result"),
    ),
    Spec(
        "replies_undelivered",
        "switchboard_replies_undelivered_total",
        "counter",
        "Answers given up on after every send attempt failed (an apology went out where it could)",
        ("platform",),
    ),
    Spec(
        "background_failures",
        "switchboard_platform_background_failures_total",
        "counter",
        "Background tasks (core.tasks groups: hand-offs, working signs, wake-ups) that raised: should stay 0",
        ("group",),
        scope="process",
    ),
    Spec(
        "platform_retries",
        "switchboard_platform_retries_total",
        "counter",
        "Platform API calls repeated after a server error or a lost connection",
        ("platform",),
        scope="process",
    ),
    Spec(
        "platform_rate_limited",
        "switchboard_platform_rate_limited_total",
        "counter",
        "429 answers (or flood waits) from a platform API",
        ("platform",),
        scope="process",
    ),
    Spec(
        "platform_retry_after",
        "switchboard_platform_retry_after_seconds_total",
        "counter",
        "Seconds waited because a platform said Retry-After",
        ("platform",),
        scope="process",
    ),
    # -- PII ---------------------------------------------------------------------------------
    Spec(
        "pii_entities",
        "switchboard_pii_entities_masked_total",
        "counter",
        "PII entities masked, by type",
        ("platform", "entity"),
    ),
    Spec(
        "pii_reveals",
        "switchboard_pii_reveals_total",
        "counter",
        "Placeholders revealed to an admin",
        ("platform",),
    ),
    # -- model work (recorded by the hub replica that handles the event or the result) ---------
    Spec(
        "model_jobs_queued",
        "switchboard_model_jobs_queued_total",
        "counter",
        "Jobs put on a queue",
        ("model",),
    ),
    Spec(
        "model_jobs_refused",
        "switchboard_model_jobs_refused_total",
        "counter",
        "Questions not queued (reason: queue_full, no_worker)",
        ("model", "reason"),
    ),
    Spec(
        "model_jobs_failed",
        "switchboard_model_jobs_failed_total",
        "counter",
        "Model turns answered with an apology (reason: error, timeout, poison)",
        ("model", "reason"),
    ),
    Spec(
        "model_jobs_retried",
        "switchboard_model_jobs_retried_total",
        "counter",
        "Jobs re-queued because their worker died",
        ("model",),
    ),
    Spec(
        "model_cache_hits",
        "switchboard_model_cache_hits_total",
        "counter",
        "Questions answered from the answer cache",
        ("model",),
    ),
    Spec(
        "model_queue_wait",
        "switchboard_model_queue_wait_seconds",
        "histogram",
        "Time a job waited in its queue before a worker took it",
        ("model",),
        WAIT_BUCKETS,
    ),
    Spec(
        "model_first_token",
        "switchboard_model_first_token_seconds",
        "histogram",
        "Time from the worker taking a job to its first token",
        ("model",),
        WAIT_BUCKETS,
    ),
    Spec(
        "model_tokens_per_second",
        "switchboard_model_tokens_per_second",
        "histogram",
        "Generation speed of each answer (pieces streamed per second of generation)",
        ("model",),
        RATE_BUCKETS,
    ),
    Spec("model_tokens", "switchboard_model_tokens_total", "counter", "Tokens generated", ("model",)),
    Spec(
        "model_queue_depth",
        "switchboard_model_queue_depth",
        "gauge",
        "Jobs waiting in a model's queue (read from Redis at scrape time)",
        ("model",),
    ),
    Spec(
        "model_queue_oldest",
        "switchboard_model_queue_oldest_seconds",
        "gauge",
        "Age of the oldest waiting job (0 when the queue is empty; read at scrape time)",
        ("model",),
    ),
    Spec(
        "model_workers",
        "switchboard_model_workers_live",
        "gauge",
        "Workers with a fresh heartbeat, per model (read at scrape time)",
        ("model",),
    ),
    # -- the HTTP edge -----------------------------------------------------------------------
    Spec(
        "http_unhandled",
        "switchboard_http_unhandled_total",
        "counter",
        "Exceptions that escaped an HTTP handler (answered 500): should stay 0",
        ("route",),
    ),
    Spec(
        "http_refused",
        "switchboard_http_refused_total",
        "counter",
        "HTTP requests answered 4xx/5xx by the edge, by status",
        ("status",),
    ),
)

_TYPES: dict[Kind, Any] = {"counter": Counter, "gauge": Gauge, "histogram": Histogram}


def _register(target: object, registry: CollectorRegistry, scope: Scope) -> None:
    for spec in CATALOGUE:
        if spec.scope != scope:
            continue
        extra: dict[str, Any] = {"buckets": spec.buckets} if spec.kind == "histogram" else {}
        metric = _TYPES[spec.kind](spec.name, spec.help, list(spec.labels), registry=registry, **extra)
        setattr(target, spec.attr, metric)


class PlatformMetrics:
    """The process-wide metrics the adapters' kit records (below any hub)."""

    signature_failures: Counter
    background_failures: Counter
    platform_retries: Counter
    platform_rate_limited: Counter
    platform_retry_after: Counter

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        _register(self, self.registry, "process")

    def signature_failed(self, platform: str) -> None:
        self.signature_failures.labels(platform or "unknown").inc()

    def background_failed(self, group: str) -> None:
        self.background_failures.labels(group).inc()

    def retried(self, platform: str) -> None:
        self.platform_retries.labels(platform or "unknown").inc()

    def told_to_wait(self, platform: str, seconds: float) -> None:
        """A 429 / flood wait: count it, and the seconds we are about to wait."""
        self.platform_rate_limited.labels(platform or "unknown").inc()
        if seconds > 0:
            self.platform_retry_after.labels(platform or "unknown").inc(seconds)


PLATFORM = PlatformMetrics()

Refresh = Callable[[], Awaitable[None]]


class Metrics:
    """One registry per hub (plus the process-wide `PLATFORM` ones when rendered)."""

    content_type = CONTENT_TYPE_LATEST

    events_in: Counter
    dedup_hits: Counter
    rate_limited: Counter
    too_long: Counter
    turns: Counter
    turn_latency: Histogram
    turns_in_flight: Gauge
    skill_calls: Counter
    helpdesk_triaged: Counter
    helpdesk_drafts: Counter
    helpdesk_auto_replies: Counter
    helpdesk_handoffs: Counter
    bridge_messages: Counter
    replies_sent: Counter
    replies_undelivered: Counter
    pii_entities: Counter
    pii_reveals: Counter
    model_jobs_queued: Counter
    model_jobs_refused: Counter
    model_jobs_failed: Counter
    model_jobs_retried: Counter
    model_cache_hits: Counter
    model_queue_wait: Histogram
    model_first_token: Histogram
    model_tokens_per_second: Histogram
    model_tokens: Counter
    model_queue_depth: Gauge
    model_queue_oldest: Gauge
    model_workers: Gauge
    http_unhandled: Counter
    http_refused: Counter

    def __init__(
        self, registry: CollectorRegistry | None = None, platform: PlatformMetrics | None = None
    ) -> None:
        self.registry = registry or CollectorRegistry()
        self.platform = platform or PLATFORM
        self._refreshers: list[Refresh] = []
        _register(self, self.registry, "hub")

    def on_scrape(self, refresh: Refresh) -> None:
        """Run `refresh` (set gauges read from Redis) before each `/metrics` answer."""
        self._refreshers.append(refresh)

    async def refresh(self) -> None:
        for refresh in self._refreshers:
            try:
                async with asyncio.timeout(REFRESH_TIMEOUT_S):
                    await refresh()
            except Exception as exc:  # noqa: BLE001 — a scrape shows stale gauges, never a 500
                log.warning("metrics refresh failed: %s", type(exc).__name__)

    def render(self) -> bytes:
        return generate_latest(self.registry) + generate_latest(self.platform.registry)


def catalogue_markdown() -> str:
    """docs/metrics.md, generated from `CATALOGUE`."""
    lines = [
        "# Metrics",
        "",
        "Generated from `core/metrics.py` (`python -m core.metrics > docs/metrics.md`); a test checks",
        "that this page, the code and the `/metrics` endpoint of a running hub agree.",
        "",
        "Names follow `switchboard_<subsystem>_<what>[_<unit>]`; counters end in `_total`, durations in",
        "`_seconds`; the subsystems are " + ", ".join(f"`{s}`" for s in SUBSYSTEMS) + ".",
        "Labels never carry message text or user, chat or session ids. Histograms also expose `_bucket`,",
        "`_sum` and `_count`. `process` metrics are recorded by the adapters' kit, once per hub process;",
        "`hub` metrics by each hub. The dashboard and alerts over them are in `deploy/grafana/` and",
        "`deploy/prometheus/`.",
        "",
        "| name | type | labels | scope | what it counts |",
        "|---|---|---|---|---|",
    ]
    for spec in CATALOGUE:
        labels = ", ".join(f"`{label}`" for label in spec.labels) or "—"
        lines.append(f"| `{spec.name}` | {spec.kind} | {labels} | {spec.scope} | {spec.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(catalogue_markdown(), end="")
