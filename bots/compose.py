"""Composition root: builds a Hub from a bot definition, Redis and the chosen adapters.

The stage order is this literal tuple — read it top to bottom to know what a turn does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from core.adapter import Adapter, SupportsHttp
from core.admin import AdminCommands, check_command_namespace, default_commands
from core.adminweb import AdminWeb, Sources, admin_web
from core.audit import AuditLog
from core.botdef import BOTS_DIR, BotDefinition
from core.controls import ConversationControls
from core.followups import FollowUps
from core.http import EdgeLimits
from core.hub import Hub, ModelGateway
from core.metrics import Metrics
from core.model.service import ModelService
from core.outbound import Retry
from core.pii.wiring import pii_parts
from core.pipeline import Pipeline
from core.routing import Router
from core.server import ReadyCheck, build_app, redis_check
from core.services import Services
from core.settings import Settings
from core.skills import Skill, collect
from core.stages.admin_gate import AdminGateStage
from core.stages.dedup import DedupStage
from core.stages.dispatch import SkillDispatch
from core.stages.memory import ConversationMemory, MemoryStage
from core.stages.pii import Masker, PiiStage
from core.stages.ratelimit import RateLimitStage
from core.stages.size import TextLimitStage
from core.state import Keys
from skills.bridge import BridgeStage, Links, bridge_keys, bridges_of
from skills.helpdesk import wiring as helpdesk_skills
from skills.knowledge.index import KnowledgeIndex
from skills.knowledge.setup import open_index

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Assembly:
    """Everything one hub process is made of, for the runner and for tests."""

    hub: Hub
    redis: Redis
    metrics: Metrics
    keys: Keys
    audit: AuditLog
    controls: ConversationControls
    memory: ConversationMemory
    admin_commands: AdminCommands
    ready_checks: dict[str, ReadyCheck] = field(default_factory=dict)
    masker: Masker | None = None  # restores model answers (the model gateway needs it)
    model_service: ModelService | None = None  # start()/stop() it around the hub (model answers)
    limits: EdgeLimits = field(default_factory=EdgeLimits)
    skills: tuple[Skill, ...] = ()  # what the bot can do (adapters publish their commands)
    knowledge: KnowledgeIndex | None = None  # the bot's document index ([knowledge] sources)
    services: Services = field(default_factory=Services)  # what skills were lent (tests may add to it)
    admin_gate: AdminGateStage | None = None  # the admin dashboard runs commands through it
    admin_web: AdminWeb | None = None  # /admin, when SWITCHBOARD_ADMIN_TOKEN is set

    def http_app(self, max_body_bytes: int | None = None) -> web.Application:
        routes: list[web.AbstractRouteDef] = []
        for adapter in self.hub.adapters.values():
            if isinstance(adapter, SupportsHttp):
                routes.extend(adapter.routes())
        if self.admin_web is not None:
            routes.extend(self.admin_web.routes())
        return build_app(
            metrics=self.metrics,
            ready_checks=self.ready_checks,
            routes=routes,
            max_body_bytes=max_body_bytes,
            limits=self.limits,
        )


def knowledge_index(bot: BotDefinition, skill_path: Path | None, source: str) -> KnowledgeIndex | None:
    """The bot's document index, brought up to date (incremental: unchanged files are skipped)."""
    if not bot.knowledge.enabled:
        return None
    index = open_index(bot, skill_path or BOTS_DIR, source=source)
    report = index.update()
    log.info("knowledge index %s: %s", index.path, report)
    return index


def assemble(
    bot: BotDefinition,
    redis: Redis,
    *,
    settings: Settings | None = None,
    adapters: Iterable[Adapter] = (),
    masker: Masker | None = None,
    model: ModelGateway | None = None,
    admin_commands: AdminCommands | None = None,
    source: str = "bot definition",
    skill_path: Path | None = None,
    require_worker: bool = False,
) -> Assembly:
    """`skill_path`: the bot definition's folder (its own skill modules live there).
    `require_worker`: a question for a model no live worker serves gets "the model is not
    running right now" at once instead of waiting in the queue (the runner turns it on)."""
    settings = settings or Settings()
    keys = Keys(settings.key_prefix)
    metrics = Metrics()
    skills = collect(bot.skills, source=source, search_path=skill_path)
    router = Router(skills, fallback=bot.fallback, source=source)
    controls = ConversationControls(redis, keys, bot.name)
    audit = AuditLog(redis, keys, bot.name)
    memory = ConversationMemory(redis, keys)
    commands = admin_commands or default_commands()
    pii = pii_parts(bot, redis, key_prefix=keys.prefix, env=settings.extra, masker=masker, metrics=metrics)
    masker = pii.masker
    for command in pii.commands:
        if commands.get(command.name) is None:
            commands.add(command)
    hub_ref: list[Hub] = []

    async def status() -> dict[str, Any]:
        return await hub_ref[0].status()

    knowledge = knowledge_index(bot, skill_path, source)
    services = Services(admin_commands=commands, knowledge=knowledge)
    admin_gate = AdminGateStage(commands, controls, audit, skills, status)
    bridges = bridges_of(bot, source=source)  # helpdesks mirrored into Slack threads
    links = Links(redis, keys.prefix, bot.name)
    bridge = BridgeStage(bridges, links, bridge_keys(bot), metrics) if bridges else None
    stages = (  # the admin gate runs after masking: audited arguments are masked
        DedupStage(redis, keys, metrics),
        RateLimitStage(redis, keys, metrics, on_limited=admin_gate.audit_limited),
        TextLimitStage(settings.max_message_chars, metrics),
        PiiStage(masker, metrics),
        admin_gate,
        *((bridge,) if bridge else ()),  # reads masked text; its threads never reach the skills
        MemoryStage(memory),
    )
    pipeline = Pipeline(
        stages,
        SkillDispatch(router, controls, metrics, services, FollowUps(redis, keys, bot.name)),
        batch=lambda: redis.pipeline(transaction=False),  # one opening round trip per turn
    )

    async def redis_status() -> dict[str, Any]:
        info = await redis.info("server")
        return {"ok": True, "version": info.get("redis_version", "?")}

    hub = Hub(
        bot,
        pipeline,
        metrics=metrics,
        max_concurrent_turns=settings.max_concurrent_turns,
        model=model,
        status_sources={"redis": redis_status},
        memory=memory,
        masker=masker,
        retry=Retry(settings.send_attempts, settings.send_backoff_s, deadline_s=settings.send_deadline_s),
    )
    hub_ref.append(hub)
    if bridge is not None:
        bridge.adapters = hub.adapters
    services.started_at = hub.started_at
    for adapter in adapters:
        hub.add_adapter(adapter)
    if bridge is not None and hub.adapters:  # (one built without adapters is given them later)
        bridge.check_chats(hub.adapters, source=source)
    if helpdesk_skills.wanted(bot):
        adapters_now = list(hub.adapters.values())
        desk = helpdesk_skills.attach(
            bot, services, redis, metrics, prefix=keys.prefix, adapters=adapters_now, source=source
        )
        hub.status_sources["helpdesk"] = desk.status
    ready_checks: dict[str, ReadyCheck] = {"redis": redis_check(redis), **pii.ready_checks}
    model_service = None
    if model is None and bot.model.enabled:
        hint = (
            f"`switchboard worker --bot {source}` with SWITCHBOARD_REDIS_URL set to this hub's "
            "Redis, or restart the hub with `switchboard run --workers 1`"
        )
        model_service = ModelService(
            redis,
            memory,
            prefix=keys.prefix,
            masker=masker,
            how_to_start_worker=hint if require_worker else None,
            metrics=metrics,
        )
        model_service.attach(hub, commands, ready_checks)
        services.model = model_service
    check_command_namespace(skills, commands, source=source)
    dashboard = admin_web(
        settings.extra,
        Sources(hub, redis, audit, controls, skills, ready_checks, model_service),
        gate=admin_gate,
        masker=masker,
        metrics=metrics,
        prefix=keys.prefix,
    )
    return Assembly(
        hub=hub,
        redis=redis,
        metrics=metrics,
        keys=keys,
        audit=audit,
        controls=controls,
        memory=memory,
        admin_commands=commands,
        ready_checks=ready_checks,
        masker=masker,
        model_service=model_service,
        limits=settings.limits,
        skills=skills,
        admin_gate=admin_gate,
        admin_web=dashboard,
        knowledge=knowledge,
        services=services,
    )
