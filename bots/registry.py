"""The adapter registry: one line per adapter package, by dotted path.

Each package exposes `Options` (a pydantic model of its `[adapters.<name>]` keys, `extra`
forbidden), `build(env, options, services) -> Adapter | None` (None: not configured, so not
run) and, optionally, `DEFAULT_ENABLED` (bool), `ENDPOINTS` (banner lines with `{base}`) or
`endpoints(adapter, base) -> list[str]`, and
`problems(env, options, declared) -> list[str]` (environment checks for `switchboard check`),
and `wire(adapter, assembly)` (called once the hub is assembled, before it starts: e.g. to
publish the bot's commands natively).
The runner, the startup banner and `switchboard check` all iterate `ADAPTERS`; adding an
adapter touches its own package and one line here. An entry `module:name` is an object in that
module with the same attributes (the helpdesk vendors: one family, one entry per vendor)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from pydantic import BaseModel, ValidationError

from core.adapter import Adapter, AdapterServices
from core.botdef import BotDefinition
from core.errors import ConfigError

ADAPTERS: dict[str, str] = {
    "webchat": "adapters.webchat",
    "api": "adapters.rest",
    "slack": "adapters.slack",
    "discord": "adapters.discord",
    "telegram": "adapters.telegram",
    **{
        vendor: f"adapters.helpdesk.entries:{vendor}"
        for vendor in ("zendesk", "freshdesk", "jsm", "intercom", "chatwoot", "zammad")
    },
}


def package(name: str) -> ModuleType | Any:
    path, _, attribute = ADAPTERS[name].partition(":")
    module = importlib.import_module(path)
    return getattr(module, attribute) if attribute else module


def enabled(bot: BotDefinition, name: str) -> bool:
    return bot.adapter_enabled(name, default=bool(getattr(package(name), "DEFAULT_ENABLED", True)))


def options_of(bot: BotDefinition, name: str, *, source: str) -> BaseModel:
    """The bot's `[adapters.<name>]` keys, validated by the adapter's own options model."""
    declared = bot.adapters.get(name)
    raw = declared.model_dump() if declared is not None else {}
    model: type[BaseModel] = package(name).Options
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"key 'adapters.{name}.{'.'.join(str(p) for p in e['loc'])}': {e['msg']}"
            + (" — fix: remove it or check its spelling" if e["type"] == "extra_forbidden" else "")
            for e in exc.errors()
        ]
        raise ConfigError(problems, source=source) from None


def known_names() -> set[str]:
    """Registry names, the console, and `hooks` (generic helpdesk hooks, one adapter per table)."""
    return {*ADAPTERS, "console", "hooks"}


def unknown_adapters(bot: BotDefinition) -> list[str]:
    known = known_names()
    return [
        f"key 'adapters.{name}': no adapter is named {name!r} — fix: use one of {sorted(known)}"
        for name in bot.adapters
        if name not in known
    ]


def build_adapters(bot: BotDefinition, env: Mapping[str, str], services: AdapterServices) -> list[Adapter]:
    """Every enabled adapter that its environment configures, in registry order."""
    found = unknown_adapters(bot)
    if found:
        raise ConfigError(found, source=services.source)
    adapters: list[Adapter] = []
    for name in ADAPTERS:
        if not enabled(bot, name):
            continue
        options = options_of(bot, name, source=services.source)
        adapter = package(name).build(env, options, services)
        if adapter is not None:
            adapters.append(adapter)
    return adapters


def check(bot: BotDefinition, env: Mapping[str, str], *, source: str) -> list[str]:
    """What `switchboard check` reports about adapters: unknown names, bad option keys, and
    environment problems of every enabled adapter."""
    problems = [f"{source}: {p}" for p in unknown_adapters(bot)]
    for name in ADAPTERS:
        if not enabled(bot, name):
            continue
        try:
            options = options_of(bot, name, source=source)
        except ConfigError as exc:
            problems.extend(f"{exc.source}: {p}" for p in exc.problems)
            continue
        check_env: Any = getattr(package(name), "problems", None)
        if check_env is not None:
            declared = name in bot.adapters
            problems.extend(f"environment ({name}): {p}" for p in check_env(env, options, declared))
    hooks = bot.adapters.get("hooks")
    if hooks is not None:
        helpdesks = importlib.import_module("adapters.helpdesk")
        problems.extend(helpdesks.hook_problems(hooks.model_dump(), env, source=source))
    return problems


def wire(assembly: Any) -> None:
    """Let each built adapter see the assembled hub (its skills, admin commands) before start."""
    for name in ADAPTERS:
        adapter = assembly.hub.adapters.get(name)
        hook: Any = getattr(package(name), "wire", None)
        if adapter is not None and hook is not None:
            hook(adapter, assembly)


def banner(adapters: Mapping[str, Adapter], base: str) -> list[str]:
    lines: list[str] = []
    for name in ADAPTERS:
        adapter = adapters.get(name)
        if adapter is None:
            continue
        module = package(name)
        describe: Any = getattr(module, "endpoints", None)
        if describe is not None:
            lines.extend(describe(adapter, base))
        else:
            lines.extend(line.format(base=base) for line in getattr(module, "ENDPOINTS", ()))
    return lines
