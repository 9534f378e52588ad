"""The admin `model` command, the `model` part of `status`, and the `/readyz` detail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis

from core.admin import AdminCommand, AdminContext
from core.botdef import BotDefinition
from core.model.contract import ModelKeys
from core.model.queue import ModelQueues
from core.model.routing import ModelRouter
from core.model.workers import live_workers, workers_by_model

USAGE = "model [show | use <name> | auto]"


def model_command(router: ModelRouter, workers: Callable[[], Awaitable[dict[str, int]]]) -> AdminCommand:
    async def handle(ctx: AdminContext) -> str:
        specs = ctx.bot.model.specs()
        if not specs:
            return "This bot has no model configured (set [model] backend in its definition)."
        names = [s.name for s in specs]
        action = ctx.args[0].lower() if ctx.args else "show"
        if action == "use" and len(ctx.args) == 2:
            name = ctx.args[1]
            if name not in names:
                return f"There is no model named '{name}'. Models of this bot: {', '.join(names)}."
            await router.set_override(ctx.bot, name)
            return f"From now on '{name}' answers in every conversation of this bot."
        if action == "auto" and len(ctx.args) == 1:
            await router.set_override(ctx.bot, None)
            return "Model choice is automatic again (by weight and latency ceiling)."
        if action != "show":
            return f"Usage: {USAGE}"
        chosen = await router.override(ctx.bot)
        live = await workers()
        lines = [f"Model in use: {chosen or 'automatic'}"]
        for spec in specs:
            marker = "*" if spec.name == chosen else "-"
            ttft = await router.first_token_ms(spec.name)
            speed = f", first token ~{ttft:.0f} ms" if ttft is not None else ""
            lines.append(
                f"{marker} {spec.name} ({spec.backend}, weight {spec.weight}, "
                f"{live.get(spec.name, 0)} worker(s){speed})"
            )
        return "\n".join(lines)

    return AdminCommand("model", USAGE, "show or switch the model that answers", handle)


def status_source(
    redis: Redis, keys: ModelKeys, queues: ModelQueues, bot: BotDefinition, router: ModelRouter
) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def status() -> dict[str, Any]:
        workers = workers_by_model(await live_workers(redis, keys))
        models: dict[str, Any] = {}
        for spec in bot.model.specs():
            stats = await queues.stats(spec.name)
            models[spec.name] = {"workers": workers.get(spec.name, 0), **stats}
        return {"in_use": await router.override(bot) or "automatic", "models": models}

    return status


def ready_check(
    redis: Redis, keys: ModelKeys, bot: BotDefinition
) -> Callable[[], Awaitable[tuple[bool, Any]]]:
    """Always ready (messages queue without a worker); the detail names models with a live worker."""

    async def check() -> tuple[bool, Any]:
        try:
            workers = workers_by_model(await live_workers(redis, keys))
        except Exception as exc:  # noqa: BLE001
            return True, f"unknown ({type(exc).__name__})"
        served = sorted(name for name in (s.name for s in bot.model.specs()) if workers.get(name))
        return True, {"models_with_worker": served, "workers": workers}

    return check
