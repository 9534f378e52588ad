"""The innermost step: route the (masked) event to one skill and run it."""

from __future__ import annotations

from typing import Any

from core.controls import ConversationControls
from core.metrics import Metrics
from core.pipeline import Turn
from core.routing import Router
from core.skills import SkillContext, SkillResult


class SkillDispatch:
    def __init__(
        self,
        router: Router,
        controls: ConversationControls,
        metrics: Metrics,
        services: dict[str, Any] | None = None,
    ) -> None:
        self._router = router
        self._controls = controls
        self._metrics = metrics
        self._services = services or {}
        self._skills = tuple(router.skills.values())

    name = "dispatch"

    def prefetch(self, turn: Turn, batch: Any) -> int:
        self._controls.queue_disabled_skills(batch, turn.event.conversation)
        return 1

    async def __call__(self, turn: Turn) -> SkillResult:
        (members,) = turn.prefetched[self.name]
        disabled = {str(m) for m in members}
        intent = self._router.classify(turn.event, disabled=disabled)
        turn.intent = intent
        chosen = self._router.skills[intent.skill]
        self._metrics.skill_calls.labels(chosen.name, intent.via).inc()
        ctx = SkillContext(
            event=turn.event,
            intent=intent,
            bot=turn.bot,
            history=turn.history,
            skills=self._skills,
            services=self._services,
        )
        return await chosen(ctx)
