"""The admin gate: runs admin commands for admins, refuses and audits everyone else,
and keeps muted conversations quiet.

It runs after the PII stage, so the arguments it audits are masked (`/mute call me on
+48 22 …` is stored as `call me on <PHONE_NUMBER_1>`). Attempts the rate limit stops earlier
are audited through `audit_limited`, with their arguments withheld (they are not masked yet)."""

from __future__ import annotations

import logging
import time
from typing import Any

from core import messages
from core.admin import AdminCommands, AdminContext, StatusSource
from core.audit import AuditEntry, AuditLog
from core.controls import ConversationControls
from core.events import EventKind, reply_to
from core.pipeline import Next, Outcome, Turn
from core.routing import looks_like_command, parse_command
from core.skills import Skill, SkillResult

log = logging.getLogger(__name__)

ARGS_WITHHELD = "[withheld: rate limited before masking]"


class AdminGateStage:
    name = "admin_gate"

    def __init__(
        self,
        commands: AdminCommands,
        controls: ConversationControls,
        audit: AuditLog,
        skills: tuple[Skill, ...],
        status: StatusSource,
    ) -> None:
        self._commands = commands
        self._controls = controls
        self._audit = audit
        self._skills = skills
        self._status = status

    def prefetch(self, turn: Turn, batch: Any) -> int:
        self._controls.queue_is_muted(batch, turn.event.conversation)
        return 1

    def admin_command(self, turn: Turn) -> str | None:
        """The admin command this turn attempts, if any."""
        event = turn.event
        if event.kind is EventKind.COMMAND or looks_like_command(event.text):
            command = self._commands.get(parse_command(event.text)[0])
            if command is not None and not command.anyone:
                return command.name
        return None

    async def audit_limited(self, turn: Turn) -> None:
        """Audit an admin attempt the rate limit refused (before masking: no arguments kept)."""
        name = self.admin_command(turn)
        if name is None:
            return
        await self._record(turn, name, ARGS_WITHHELD, allowed=False, result="rate_limited")

    async def process(self, turn: Turn, call_next: Next) -> SkillResult:
        event = turn.event
        if event.kind is EventKind.COMMAND or looks_like_command(event.text):
            name, args = parse_command(event.text)
            command = self._commands.get(name)
            if command is not None:
                allowed = turn.bot.is_admin(event.qualified_sender)
                return await self._run(turn, command.name, args, user=event.qualified_sender, allowed=allowed)
        (muted,) = turn.prefetched[self.name]
        if muted:
            turn.stop(Outcome.MUTED)
            return None
        return await call_next(turn)

    def knows(self, name: str) -> bool:
        """Whether this bot has the admin command `name` (a dashboard asks before it runs one)."""
        return self._commands.get(name) is not None

    async def run_trusted(self, turn: Turn, *, user: str) -> SkillResult:
        """Run the admin command in `turn` for `user`, an admin the caller authenticated outside
        chat (the web dashboard): the same handler and the same audit entry as a chat command.
        Put it behind the PII stage too, so that its arguments are audited masked."""
        name, args = parse_command(turn.event.text)
        if self._commands.get(name) is None:
            raise ValueError(f"no admin command named {name!r}")
        return await self._run(turn, name, args, user=user, allowed=True)

    async def _run(self, turn: Turn, name: str, args: str, *, user: str, allowed: bool) -> SkillResult:
        event = turn.event
        command = self._commands.get(name)
        assert command is not None
        allowed = allowed or command.anyone
        result = ""
        if allowed:
            turn.stop(command.outcome)
            ctx = AdminContext(
                event=event,
                args=args.split(),
                bot=turn.bot,
                skills=self._skills,
                controls=self._controls,
                audit=self._audit,
                status=self._status,
            )
            text = await command.handler(ctx)
            result = "ok"
        else:
            turn.stop(Outcome.REFUSED)
            text = messages.ADMIN_REFUSED.format(command=name)
            result = "refused"
            log.warning(
                "admin command refused",
                extra={"event_id": event.id, "platform": event.platform, "command": name},
            )
        if not command.anyone:  # a person's own controls (`/stop`) are not admin actions
            await self._record(turn, name, args, allowed=allowed, result=result, user=user)
        return reply_to(event, text, ephemeral=True, notice=not allowed)

    async def _record(
        self, turn: Turn, name: str, args: str, *, allowed: bool, result: str, user: str | None = None
    ) -> None:
        event = turn.event
        await self._audit.record(
            AuditEntry(
                at=time.time(),
                user=user or event.qualified_sender,
                command=name,
                args=args,
                allowed=allowed,
                conversation=event.conversation.key,
                result=result,
            )
        )
