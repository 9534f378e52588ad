"""The cross-platform admin command set, defined once; adapters expose it natively.

Each command is a small async function that gets an `AdminContext` and returns text.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from core.audit import AuditLog
from core.botdef import BotDefinition
from core.controls import ConversationControls
from core.errors import SkillConflictError
from core.events import Event
from core.skills import Skill
from core.turns import Outcome

StatusSource = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(slots=True)
class AdminContext:
    event: Event
    args: list[str]
    bot: BotDefinition
    skills: tuple[Skill, ...]
    controls: ConversationControls
    audit: AuditLog
    status: StatusSource
    extras: dict[str, Any] = field(default_factory=dict)


AdminHandler = Callable[[AdminContext], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class AdminCommand:
    """`anyone`: a control every person may run on their own behalf (`/stop`), not audited;
    `outcome`: what the turn is counted as when the command ran."""

    name: str
    usage: str
    summary: str
    handler: AdminHandler = field(repr=False)
    anyone: bool = False
    outcome: Outcome = Outcome.ADMIN


class AdminCommands:
    """The registry the admin gate consults. Later features `add()` their own commands."""

    def __init__(self, commands: Iterable[AdminCommand] = ()) -> None:
        self._commands: dict[str, AdminCommand] = {}
        for command in commands:
            self.add(command)

    def add(self, command: AdminCommand) -> None:
        if command.name in self._commands:
            raise ValueError(f"admin command {command.name!r} is defined twice")
        self._commands[command.name] = command

    def get(self, name: str) -> AdminCommand | None:
        return self._commands.get(name)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._commands.values())

    def names(self) -> list[str]:
        return sorted(self._commands)


def check_command_namespace(skills: Iterable[Skill], commands: AdminCommands, *, source: str) -> None:
    """Admin commands and skill commands share one namespace: a skill claiming an admin
    command's name would never run, so that is a load-time error naming both."""
    for item in skills:
        for name in item.commands:
            if commands.get(name) is not None:
                raise SkillConflictError(
                    f"skill {item.name!r} claims the command /{name}, which is the admin command "
                    f"/{name} — fix: give the skill another command name",
                    source=source,
                )


def _format_status(data: dict[str, Any], indent: str = "") -> list[str]:
    lines = []
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{key}:")
            lines.extend(_format_status(value, indent + "  "))
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines


async def status(ctx: AdminContext) -> str:
    data = await ctx.status()
    return "\n".join([f"Status of bot '{ctx.bot.name}'", *_format_status(data)])


async def skills(ctx: AdminContext) -> str:
    action = ctx.args[0].lower() if ctx.args else "list"
    conversation = ctx.event.conversation
    known = {s.name for s in ctx.skills}
    if action == "list":
        disabled = await ctx.controls.disabled_skills(conversation)
        lines = ["Skills in this conversation:"]
        for item in ctx.skills:
            state = "disabled" if item.name in disabled else "enabled"
            lines.append(f"- {item.name} ({state}): {item.description}")
        return "\n".join(lines)
    if action in {"enable", "disable"} and len(ctx.args) == 2:
        name = ctx.args[1]
        if name not in known:
            return f"There is no skill named '{name}'. Known skills: {', '.join(sorted(known))}."
        if name == ctx.bot.fallback and action == "disable":
            return f"'{name}' is the fallback skill and cannot be disabled."
        await ctx.controls.set_skill_enabled(conversation, name, action == "enable")
        return f"Skill '{name}' is now {action}d in this conversation."
    return "Usage: skills [list | enable <skill> | disable <skill>]"


async def mute(ctx: AdminContext) -> str:
    await ctx.controls.set_muted(ctx.event.conversation, True)
    return "Muted: I will not answer in this conversation until an admin runs `unmute`."


async def unmute(ctx: AdminContext) -> str:
    await ctx.controls.set_muted(ctx.event.conversation, False)
    return "Unmuted: I will answer in this conversation again."


async def audit(ctx: AdminContext) -> str:
    try:
        count = int(ctx.args[0]) if ctx.args else 10
    except ValueError:
        return "Usage: audit [count]"
    count = max(1, min(count, 100))
    entries = await ctx.audit.latest(count)
    if not entries:
        return "The audit log is empty."
    lines = [f"Last {len(entries)} admin actions:"]
    for entry in entries:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.at))
        verdict = "allowed" if entry.allowed else "REFUSED"
        shown = f"{entry.command} {entry.args}".strip()
        lines.append(f"- {when} {entry.user} `{shown}` {verdict}")
    return "\n".join(lines)


def default_commands() -> AdminCommands:
    return AdminCommands(
        [
            AdminCommand("status", "status", "adapters, Redis, queue depth, workers", status),
            AdminCommand(
                "skills",
                "skills [list|enable <skill>|disable <skill>]",
                "list or switch skills in this conversation",
                skills,
            ),
            AdminCommand("mute", "mute", "stop answering in this conversation", mute),
            AdminCommand("unmute", "unmute", "answer in this conversation again", unmute),
            AdminCommand("audit", "audit [count]", "the last admin actions", audit),
        ]
    )
