"""A skill module that conflicts with skills.help (used by the load-error test)."""

from core.skills import SkillContext, SkillResult, skill


@skill("helper", commands=["help"])
async def helper(ctx: SkillContext) -> SkillResult:
    return ctx.reply("conflict")
