"""Prometheus metrics. Labels are platforms, outcomes and stage names: never user content."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """One registry per hub, so tests and several hubs in a process do not collide."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events_in = Counter("switchboard_events_total", "Events received", ["platform"], registry=r)
        self.turns = Counter("switchboard_turns_total", "Turns finished", ["outcome"], registry=r)
        self.dedup_hits = Counter("switchboard_dedup_hits_total", "Redelivered events dropped", registry=r)
        self.rate_limited = Counter(
            "switchboard_rate_limited_total", "Events over a rate limit", ["scope"], registry=r
        )
        self.turn_latency = Histogram(
            "switchboard_turn_seconds",
            "Time from receive to the end of a turn",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.replies_sent = Counter(
            "switchboard_replies_total",
            "Replies handed to adapters",
            ["platform", "result"],
            registry=r,
        )
        self.turns_in_flight = Gauge(
            "switchboard_turns_in_flight", "Turns running or waiting for a slot", registry=r
        )
        self.skill_calls = Counter(
            "switchboard_skill_calls_total", "Skill invocations", ["skill", "via"], registry=r
        )
        self.pii_entities = Counter(
            "switchboard_pii_entities_total",
            "PII entities masked, by type",
            ["entity"],
            registry=r,
        )

        self.too_long = Counter(
            "switchboard_too_long_total", "Messages over the size cap, answered as too long", registry=r
        )
        self.http_unhandled = Counter(
            "switchboard_http_unhandled_total",
            "Exceptions that escaped an HTTP handler (answered 500): should stay 0",
            ["route"],
            registry=r,
        )
        self.http_refused = Counter(
            "switchboard_http_refused_total",
            "HTTP requests answered 4xx/5xx, by status",
            ["status"],
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
