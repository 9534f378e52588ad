"""`continue`: carry on with an answer that was cut off at the length limit."""

from __future__ import annotations

from core import messages
from core.skills import AskModel, SkillContext, SkillResult, skill

CONTINUE_PROMPT = "Continue your previous answer exactly where it stopped, without repeating it."


@skill(
    "continue",
    description="carries on with an answer that was cut off",
    commands=["continue", "more"],
    patterns=[r"^\s*(continue|go on|keep going|more|and\?)\s*[.!…]*\s*$"],
    priority=5,
)
async def more(ctx: SkillContext) -> SkillResult:
    if ctx.bot.model.backend == "none":
        return ctx.reply(messages.NO_MODEL)
    if not any(turn.get("role") == "assistant" for turn in ctx.history):
        return ctx.reply("There is nothing to continue yet: ask me something first.")
    model = ctx.bot.model
    return AskModel(
        prompt=CONTINUE_PROMPT,
        system=ctx.bot.persona,
        max_tokens=model.max_tokens,
        temperature=model.temperature,
    )
