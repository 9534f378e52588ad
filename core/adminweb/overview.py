"""What the dashboard shows, gathered in one pass: hub and adapters, readiness, Redis, queues
and workers per model, recent turns by outcome, the audit stream, muted conversations.
Ids, names and counts only: no message text is ever read here."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from core.audit import AuditEntry, AuditLog
from core.controls import ConversationControls
from core.hub import Hub
from core.model.service import ModelService
from core.model.workers import live_workers
from core.server import ReadyCheck, bounded
from core.skills import Skill
from core.turns import TurnSummary

CHECK_TIMEOUT_S = 1.0
AUDIT_ROWS = 50
TURN_ROWS = 25


@dataclass(slots=True)
class Sources:
    hub: Hub
    redis: Redis
    audit: AuditLog
    controls: ConversationControls
    skills: tuple[Skill, ...]
    ready_checks: Mapping[str, ReadyCheck] = field(default_factory=dict)
    model: ModelService | None = None


@dataclass(slots=True)
class ModelRow:
    name: str
    backend: str
    weight: int
    workers: int = 0
    queued: Any = "?"
    running: Any = "?"
    failed: Any = "?"
    oldest_wait_s: Any = None
    first_token_ms: float | None = None
    queued_by_lane: dict[str, int] = field(default_factory=dict)  # the lanes above normal


@dataclass(slots=True)
class Overview:
    bot: str
    uptime_s: int
    in_flight: int
    adapters: dict[str, Any]
    checks: list[tuple[str, bool, Any]]
    redis: dict[str, Any]
    model_in_use: str | None
    models: list[ModelRow]
    workers: list[dict[str, Any]]
    turns_by_outcome: dict[str, int]
    turns_counted: int
    turns: list[TurnSummary]
    audit: list[AuditEntry]
    muted: list[str]
    skills: list[tuple[str, str]]
    fallback: str


async def redis_facts(redis: Redis) -> dict[str, Any]:
    try:
        began = time.perf_counter()
        await redis.ping()
        ping_ms = round((time.perf_counter() - began) * 1000, 2)
        info = await redis.info()
    except Exception as exc:  # noqa: BLE001 — an outage is something to show, not a 500
        return {"ok": False, "error": f"unreachable ({type(exc).__name__})"}
    return {
        "ok": True,
        "version": info.get("redis_version", "?"),
        "ping_ms": ping_ms,
        "uptime_s": info.get("uptime_in_seconds", "?"),
        "clients": info.get("connected_clients", "?"),
        "memory": info.get("used_memory_human", "?"),
        "maxmemory_policy": info.get("maxmemory_policy", "?"),
        "aof": "on" if info.get("aof_enabled") in (1, "1") else "off",
    }


async def _checks(ready_checks: Mapping[str, ReadyCheck]) -> list[tuple[str, bool, Any]]:
    names = list(ready_checks)
    results = await asyncio.gather(*(bounded(ready_checks[n], CHECK_TIMEOUT_S) for n in names))
    return [(name, ok, detail) for name, (ok, detail) in zip(names, results, strict=True)]


async def _models(sources: Sources, status: dict[str, Any]) -> list[ModelRow]:
    service = sources.model
    model_status = status.get("model") if isinstance(status.get("model"), dict) else {}
    per_model = model_status.get("models", {}) if isinstance(model_status, dict) else {}
    rows = []
    for spec in sources.hub.bot.model.specs():
        row = ModelRow(spec.name, spec.backend or "none", spec.weight)
        stats = per_model.get(spec.name)
        if isinstance(stats, dict):
            row.workers = int(stats.get("workers", 0))
            row.queued, row.running = stats.get("queued", "?"), stats.get("running", "?")
            row.failed, row.oldest_wait_s = stats.get("failed", "?"), stats.get("oldest_wait_s")
            lanes = stats.get("queued_by_lane")
            row.queued_by_lane = dict(lanes) if isinstance(lanes, dict) else {}
        if service is not None:
            try:
                row.first_token_ms = await service.router.first_token_ms(spec.name)
            except Exception:  # noqa: BLE001 — Redis down: the Redis panel says so
                row.first_token_ms = None
        rows.append(row)
    return rows


async def gather(sources: Sources) -> Overview:
    hub = sources.hub
    status, checks, redis = await asyncio.gather(
        hub.status(), _checks(sources.ready_checks), redis_facts(sources.redis)
    )
    workers: list[dict[str, Any]] = []
    in_use: str | None = None
    if sources.model is not None:
        try:
            workers = await live_workers(sources.redis, sources.model.keys)
            in_use = await sources.model.router.override(hub.bot)
        except Exception:  # noqa: BLE001 — Redis down: the Redis panel says so
            workers = []
    try:
        audit = await sources.audit.latest(AUDIT_ROWS)
        muted = await sources.controls.muted_conversations()
    except Exception:  # noqa: BLE001
        audit, muted = [], []
    adapters = status.get("adapters", {})
    return Overview(
        bot=hub.bot.name,
        uptime_s=int(status.get("uptime_s", 0)),
        in_flight=int(status.get("turns_in_flight", 0)),
        adapters=adapters if isinstance(adapters, dict) else {},
        checks=checks,
        redis=redis,
        model_in_use=in_use,
        models=await _models(sources, status),
        workers=workers,
        turns_by_outcome=hub.recent.by_outcome(),
        turns_counted=len(hub.recent),
        turns=hub.recent.latest(TURN_ROWS),
        audit=audit,
        muted=muted,
        skills=[(s.name, s.description) for s in sources.skills],
        fallback=hub.bot.fallback,
    )
