"""The skills API: `@skill` marks a function; `collect()` finds them in the listed modules.

Importing a module registers nothing (opsdroid's annotate-then-collect): a bot's definition
lists its skill modules and only those are loaded.

A skill returns one result: a `Reply` (`ctx.reply`), an `AskModel` for model work, a `Question`
(`ctx.ask`: the person's next message comes back as `ctx.answer`), `Results` (several of these
in order, e.g. a note plus a ticket update), or None. Every reply leaves through the hub's one
send path. Commands may declare typed arguments (`args=` a dataclass, see `core.args`).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

from core.args import params_of, usage_of
from core.errors import ConfigError, SkillConflictError
from core.events import CopyTo, Event, Reply, TicketUpdate, Visibility, reply_to
from core.followups import DEFAULT_TIMEOUT_S, Answer, Question
from core.services import Services

if TYPE_CHECKING:
    from core.botdef import BotDefinition

A = TypeVar("A")


@dataclass(frozen=True, slots=True)
class Intent:
    """What routing decided the person wants."""

    name: str
    skill: str
    via: str  # "command" | "pattern" | "example" | "fallback" | "ticket" | "answer"
    score: float = 1.0
    slots: Mapping[str, str] = field(default_factory=dict)
    args: str = field(default="", repr=False)  # text after a command name


@dataclass(frozen=True, slots=True)
class AskModel:
    """A skill's request for model work. `prompt` is already masked.

    `footer` (masked text, e.g. the sources used) is added under the model's final answer;
    `visibility` overrides the event's (a draft as an internal note); `ticket` travels with the
    answer to a helpdesk."""

    prompt: str = field(repr=False)
    system: str = ""
    max_tokens: int = 256
    temperature: float = 0.7
    use_memory: bool = True
    footer: str = field(default="", repr=False)
    visibility: Visibility | None = None
    ticket: TicketUpdate | None = None
    copies: tuple[CopyTo, ...] = ()  # other conversations that get the final answer too (a bridge)
    lane: str = ""  # "urgent" | "high": served before the normal lane (tickets near their SLA)


@dataclass(frozen=True, slots=True)
class Results:
    """More than one result from one turn, sent in order; at most one AskModel, and last."""

    items: tuple[Reply | AskModel, ...]

    def __post_init__(self) -> None:
        asks = [i for i, item in enumerate(self.items) if isinstance(item, AskModel)]
        if len(asks) > 1 or (asks and asks[0] != len(self.items) - 1):
            raise ValueError("Results: at most one AskModel, as the last item")

    @property
    def replies(self) -> tuple[Reply, ...]:
        return tuple(item for item in self.items if isinstance(item, Reply))

    @property
    def ask(self) -> AskModel | None:
        last = self.items[-1] if self.items else None
        return last if isinstance(last, AskModel) else None


SkillResult = Reply | AskModel | Results | Question | None


@dataclass(slots=True)
class SkillContext:
    """Everything a skill may look at. `event.text` is the masked text."""

    event: Event
    intent: Intent
    bot: BotDefinition
    history: list[dict[str, str]]
    skills: tuple[Skill, ...]
    services: Services = field(default_factory=Services)
    args: object | None = None  # the parsed `args=` dataclass, when routed by its command
    answer: Answer | None = None  # set when this message answers the skill's `ask`

    def reply(self, text: str, *, ticket: TicketUpdate | None = None) -> Reply:
        return reply_to(self.event, text, ticket=ticket)

    def note(self, text: str, *, ticket: TicketUpdate | None = None) -> Reply:
        """An internal note (agents only) where the platform has them, else a plain reply."""
        return reply_to(self.event, text, visibility=Visibility.INTERNAL, ticket=ticket)

    def ask(
        self,
        text: str,
        *,
        step: str = "",
        state: Mapping[str, str] | None = None,
        timeout_s: int = DEFAULT_TIMEOUT_S,
    ) -> Question:
        """Ask `text`; this person's next message here comes back to this skill as `ctx.answer`
        (with `step` and `state`), unless it is a command or `timeout_s` passes first."""
        return Question(reply_to(self.event, text), step=step, state=dict(state or {}), timeout_s=timeout_s)

    def args_as(self, spec: type[A]) -> A | None:
        """The typed arguments (None when the skill was reached by other means than its command)."""
        return self.args if isinstance(self.args, spec) else None


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
    args: type | None = None  # a dataclass the words after the command are parsed into

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
    args: type | None = None,
) -> Callable[[SkillFunction], Skill]:
    """Mark an async function as a skill. Registers nothing; see `collect`.

    `args`: a dataclass for the words after the command (`/ask <question>`); a wrong or missing
    argument is answered with the usage line, generated from it unless `usage` is given."""
    command_names = tuple(c.lstrip("/").lower() for c in commands)
    if args is not None:
        params_of(args)  # a TypeError here names an unsupported field, at import time
        if not usage and command_names:
            usage = usage_of(command_names[0], args)

    def wrap(func: SkillFunction) -> Skill:
        return Skill(
            name=name,
            func=func,
            description=description or (func.__doc__ or "").strip().split("\n")[0],
            intents=frozenset(intents) | {name},
            commands=command_names,
            patterns=tuple(re.compile(p, re.IGNORECASE) for p in patterns),
            examples=tuple(examples),
            priority=priority,
            platforms=frozenset(platforms) if platforms is not None else None,
            usage=usage,
            tickets=tickets,
            args=args,
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
