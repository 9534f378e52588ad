"""A test skill module: every free-text message goes to the model (whatever the bot's model
section says), so the PII round trip can be checked with a model stand-in."""

from __future__ import annotations

from core.skills import AskModel, SkillContext, SkillResult, skill


@skill("ask", description="hand the (masked) text to the model")
async def ask(ctx: SkillContext) -> SkillResult:
    return AskModel(prompt=ctx.event.text, system=ctx.bot.persona)
