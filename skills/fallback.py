"""`fallback`: the answer when nothing else matched.

Until a model is configured it says so plainly; with a model it hands the (masked) text to it.
"""

from __future__ import annotations

from core import messages
from core.skills import AskModel, SkillContext, SkillResult, skill


@skill("fallback", description="free conversation (needs a model)")
async def fallback(ctx: SkillContext) -> SkillResult:
    if ctx.bot.model.backend == "none":
        return ctx.reply(messages.NO_MODEL)
    model = ctx.bot.model
    return AskModel(
        prompt=ctx.event.text,
        system=ctx.bot.persona,
        max_tokens=model.max_tokens,
        temperature=model.temperature,
    )
