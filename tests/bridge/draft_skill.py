"""A ticket skill that drafts with the model: its answer is an internal note, written later."""

from __future__ import annotations

from core.events import Visibility
from core.skills import AskModel, SkillContext, SkillResult, skill


@skill("model_draft", description="drafts a reply for the agents with the model")
async def model_draft(ctx: SkillContext) -> SkillResult:
    return AskModel(prompt=ctx.event.text, visibility=Visibility.INTERNAL, use_memory=False)
