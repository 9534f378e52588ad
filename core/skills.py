"""The skills API: `@skill` marks a function; `collect()` finds them in the listed modules.

Importing a module registers nothing (opsdroid's annotate-then-collect): a bot's definition
lists its skill modules and only those are loaded.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError, SkillConflictError
from core.events import Event, Reply, reply_to

if TYPE_CHECKING:
    from core.botdef import BotDefinition


@dataclass(frozen=True, slots=True)
class Intent:
    """What routing decided the person wants."""

    name: str
    skill: str
    via: str  # "command" | "pattern" | "example" | "fallback"
    score: float = 1.0
    slots: Mapping[str, str] = field(default_factory=dict)
    args: str = field(default="", repr=False)  # text after a command name


@dataclass(frozen=True, slots=True)
class AskModel:
    """A skill's request for model work. `prompt` is already masked."""

    prompt: str = field(repr=False)
    system: str = ""
    max_tokens: int = 256
    temperature: float = 0.7
    use_memory: bool = True


SkillResult = Reply | AskModel | None


@dataclass(slots=True)
class SkillContext:
    """Everything a skill may look at. `event.text` is the masked text."""

    event: Event
    intent: Intent
    bot: BotDefinition
    history: list[dict[str, str]]
    skills: tuple[Skill, ...]
    services: Mapping[str, Any] = field(default_factory=dict)

    def reply(self, text: str) -> Reply:
        return reply_to(self.event, text)


SkillFunction = Callable[[SkillContext], Awaitable[SkillResult]]


@dataclass(frozen=True, slots=True)
class Skill:
    name: str
    func: SkillFunction = field(repr=False)
    description: str = ""
    intents: frozenset[str] = frozenset()
    commands: tuple[str, ...] = ()
    patterns: tuple[re.Pattern[str], ...] = ()
    examples: tuple[str, ...] = ()
    priority: int = 0
    platforms: frozenset[str] | None = None  # None: every platform
    usage: str = ""
    tickets: bool = False  # answers helpdesk tickets (EventKind.TICKET events route only here)

    def supports(self, platform: str) -> bool:
        return self.platforms is None or platform in self.platforms

    async def __call__(self, ctx: SkillContext) -> SkillResult:
        return await self.func(ctx)


def skill(
    name: str,
    *,
    description: str = "",
    intents: Iterable[str] = (),
    commands: Iterable[str] = (),
    patterns: Iterable[str] = (),
    examples: Iterable[str] = (),
    priority: int = 0,
    platforms: Iterable[str] | None = None,
    usage: str = "",
    tickets: bool = False,
) -> Callable[[SkillFunction], Skill]:
    """Mark an async function as a skill. Registers nothing; see `collect`."""

    def wrap(func: SkillFunction) -> Skill:
        return Skill(
            name=name,
            func=func,
            description=description or (func.__doc__ or "").strip().split("\n")[0],
            intents=frozenset(intents) | {name},
            commands=tuple(c.lstrip("/").lower() for c in commands),
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in patterns),
            examples=tuple(examples),
            priority=priority,
            platforms=frozenset(platforms) if platforms is not None else None,
            usage=usage,
            tickets=tickets,
        )

    return wrap


def skills_in(module: ModuleType) -> list[Skill]:
    return [value for value in vars(module).values() if isinstance(value, Skill)]


def collect(
    module_names: Iterable[str], *, source: str = "bot definition", search_path: Path | None = None
) -> tuple[Skill, ...]:
    """Import the listed modules and return their skills; conflicts are load-time errors.

    `search_path` (the bot definition's folder) is where a bot's own skill modules are found,
    after the installed packages: `skills = ["weather"]` beside `mybot.toml` imports `weather.py`."""
    if search_path is not None and str(search_path.resolve()) not in sys.path:
        sys.path.append(str(search_path.resolve()))
    found: list[Skill] = []
    for module_name in module_names:
        try:
            module = importlib.import_module(module_name)
        except (ImportError, SyntaxError) as exc:
            raise ConfigError(
                f"key 'skills': cannot import skill module {module_name!r} ({exc}) — fix: "
                "list an importable module such as 'skills.help'",
                source=source,
            ) from None
        module_skills = skills_in(module)
        if not module_skills:
            raise ConfigError(
                f"key 'skills': module {module_name!r} defines no @skill — fix: remove it",
                source=source,
            )
        found.extend(module_skills)
    check_conflicts(found, source=source)
    return tuple(found)


def check_conflicts(found: Iterable[Skill], *, source: str) -> None:
    names: dict[str, Skill] = {}
    owners: dict[str, Skill] = {}
    for item in found:
        if item.name in names:
            raise SkillConflictError(f"two skills are named {item.name!r} — fix: rename one", source=source)
        names[item.name] = item
        for command in item.commands:
            if command in owners:
                raise SkillConflictError(
                    f"skills {owners[command].name!r} and {item.name!r} both claim the command "
                    f"/{command} — fix: remove it from one of them or drop one module",
                    source=source,
                )
            owners[command] = item
