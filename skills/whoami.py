"""`whoami`: the id this bot knows you by, in the form the bot definition lists admins."""

from __future__ import annotations

from core.skills import SkillContext, SkillResult, skill


@skill(
    "whoami",
    description="shows the id I know you by (for the admins list)",
    commands=["whoami"],
    examples=["who am i", "what is my user id", "what's my id"],
)
async def whoami(ctx: SkillContext) -> SkillResult:
    you = ctx.event.qualified_sender
    if ctx.bot.is_admin(you):
        return ctx.reply(f"You are {you}, an admin of this bot.")
    return ctx.reply(
        f'You are {you}. To make yourself an admin, add "{you}" to admins in the bot definition '
        "and restart the hub."
    )
