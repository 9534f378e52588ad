"""The innermost step: route the (masked) event to one skill and run it.

A message that answers a skill's question goes back to that skill (`ctx.answer`); a command
with typed arguments is parsed first, and a bad argument gets the usage line instead of a run.
"""

from __future__ import annotations

from typing import Any

from core import logs
from core.args import ArgsError, parse_args
from core.controls import ConversationControls
from core.events import EventKind
from core.followups import Answer, FollowUps, Question
from core.metrics import Metrics
from core.pipeline import Turn
from core.routing import Router, looks_like_command
from core.services import Services
from core.skills import Intent, Skill, SkillContext, SkillResult


class SkillDispatch:
    def __init__(
        self,
        router: Router,
        controls: ConversationControls,
        metrics: Metrics,
        services: Services | None = None,
        follow_ups: FollowUps | None = None,
    ) -> None:
        self._router = router
        self._controls = controls
        self._metrics = metrics
        self._services = services or Services()
        self._follow_ups = follow_ups
        self._skills = tuple(router.skills.values())

    name = "dispatch"

    def prefetch(self, turn: Turn, batch: Any) -> int:
        self._controls.queue_disabled_skills(batch, turn.event.conversation)
        if self._follow_ups is None:
            return 1
        self._follow_ups.queue_peek(batch, turn.event.conversation, turn.event.sender_id)
        return 2

    async def __call__(self, turn: Turn) -> SkillResult:
        members, *waiting = turn.prefetched[self.name]
        disabled = {str(m) for m in members}
        answered = await self._waiting_answer(turn, disabled) if waiting and waiting[0] else None
        if answered is not None:
            intent, answer = answered
        else:
            intent, answer = self._router.classify(turn.event, disabled=disabled), None
        turn.intent = intent
        chosen = self._router.skills[intent.skill]
        self._metrics.skill_calls.labels(chosen.name, intent.via).inc()
        logs.bind(skill=chosen.name)
        ctx = SkillContext(
            event=turn.event,
            intent=intent,
            bot=turn.bot,
            history=turn.history,
            skills=self._skills,
            services=self._services,
            answer=answer,
        )
        if chosen.args is not None and intent.via == "command":
            try:
                ctx.args = parse_args(chosen.args, intent.args)
            except ArgsError as exc:
                return ctx.reply(f"{exc}. Usage: {chosen.usage}")
        result = await chosen(ctx)
        if isinstance(result, Question):
            return await self._ask(chosen, result, turn)
        return result

    async def _waiting_answer(self, turn: Turn, disabled: set[str]) -> tuple[Intent, Answer] | None:
        """The question this message answers, claimed (once across replicas); a command drops it."""
        assert self._follow_ups is not None
        event = turn.event
        if event.kind is EventKind.COMMAND or looks_like_command(event.text):
            await self._follow_ups.drop(event.conversation, event.sender_id)
            return None
        waiting = await self._follow_ups.claim(event.conversation, event.sender_id)
        if waiting is None:
            return None
        owner = self._router.skills.get(waiting.skill)
        if owner is None or owner.name in disabled or not owner.supports(event.platform):
            return None
        return Intent(name=owner.name, skill=owner.name, via="answer"), waiting.answer

    async def _ask(self, chosen: Skill, question: Question, turn: Turn) -> SkillResult:
        if self._follow_ups is None:
            raise RuntimeError("this hub keeps no follow-up state: build SkillDispatch with follow_ups")
        event = turn.event
        await self._follow_ups.wait_for(chosen.name, question, event.conversation, event.sender_id)
        return question.reply
