"""The chat's admin commands, as the dashboard's buttons: each form becomes the same command
line an admin would type (`/mute`, `/skills disable chat`, `/model use beta`), and runs through
the same PII stage and the same admin-gate handler, audited with the actor `admin-web`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from core.botdef import BotDefinition
from core.events import ConversationRef, Event, EventKind, Reply
from core.http import BadInput
from core.metrics import Metrics
from core.pipeline import Pipeline, Turn
from core.skills import SkillResult
from core.stages.admin_gate import AdminGateStage
from core.stages.pii import Masker, PiiStage
from core.turns import Outcome

ACTOR = "admin-web"
ACTIONS = ("mute", "unmute", "skills", "model")
# Bot-wide commands (the model switch) are audited against this conversation.
DASHBOARD = ConversationRef(ACTOR, "dashboard")
MAX_KEY_CHARS = 300
MAX_NAME_CHARS = 100
_WORD = re.compile(r"^\S+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class ActionResult:
    ok: bool
    text: str = ""  # the command's own answer, as the chat would show it
    status: int = 200


def conversation_from_key(key: str) -> ConversationRef:
    """The inverse of `ConversationRef.key` (`platform:workspace:channel:thread`, `-` for none),
    or `BadInput` naming the expected form."""
    key = key.strip()
    parts = key.split(":")
    if len(key) > MAX_KEY_CHARS or len(parts) < 4 or _CONTROL.search(key) or not all(parts):
        raise BadInput(
            "conversation: write a conversation key as the dashboard lists it, "
            "platform:workspace:channel:thread with - for none (e.g. slack:T024:C0123:-)"
        )
    workspace, thread = parts[1], parts[-1]
    return ConversationRef(
        platform=parts[0],
        channel_id=":".join(parts[2:-1]),
        workspace_id=None if workspace == "-" else workspace,
        thread_id=None if thread == "-" else thread,
    )


def _name(form: Mapping[str, str], field: str) -> str:
    value = form.get(field, "").strip()
    if not value or len(value) > MAX_NAME_CHARS or not _WORD.match(value) or _CONTROL.search(value):
        raise BadInput(f"{field}: give one name without spaces (at most {MAX_NAME_CHARS} characters)")
    return value


def command_for(action: str, form: Mapping[str, str]) -> tuple[str, ConversationRef]:
    """The command line a form stands for, and the conversation it acts on."""
    if action in {"mute", "unmute"}:
        return action, conversation_from_key(form.get("conversation", ""))
    if action == "skills":
        state = form.get("state", "")
        if state not in {"enable", "disable"}:
            raise BadInput("state: enable or disable")
        skill = _name(form, "skill")
        return f"skills {state} {skill}", conversation_from_key(form.get("conversation", ""))
    if action == "model":
        choice = _name(form, "model")
        return ("model auto" if choice == "auto" else f"model use {choice}"), DASHBOARD
    raise BadInput(f"unknown action {action[:40]!r}; the dashboard has {', '.join(ACTIONS)}", status=404)


class AdminActions:
    """Runs dashboard actions: PII stage, then the admin gate's handler for a trusted caller."""

    def __init__(self, gate: AdminGateStage, masker: Masker | None, metrics: Metrics) -> None:
        async def trusted(turn: Turn) -> SkillResult:
            return await gate.run_trusted(turn, user=ACTOR)

        self._pipeline = Pipeline([PiiStage(masker, metrics)], trusted, batch=lambda: None)
        self._gate = gate

    async def perform(self, action: str, form: Mapping[str, str], bot: BotDefinition) -> ActionResult:
        line, conversation = command_for(action, form)
        name = line.split()[0]
        if not self._gate.knows(name):  # e.g. the model switch, on a bot without models
            raise BadInput(f"this bot has no /{name} command", status=404)
        event = Event(
            id=f"{ACTOR}:{uuid.uuid4().hex}",
            conversation=conversation,
            sender_id=ACTOR,
            text="/" + line,
            kind=EventKind.COMMAND,
        )
        turn = Turn(event=event, bot=bot)
        result = await self._pipeline.run(turn)
        text = result.text if isinstance(result, Reply) else ""
        if turn.outcome is Outcome.PRIVACY_STOP:  # masking failed: nothing ran (fail closed)
            return ActionResult(False, text, status=503)
        return ActionResult(True, text)
