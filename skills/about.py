"""`about`: who this bot is and whether it is up (the public status; admins have `status`)."""

from __future__ import annotations

import time

from core.skills import SkillContext, SkillResult, skill


@skill(
    "about",
    description="tells who I am and whether I'm up",
    commands=["about", "ping"],
    examples=[
        "who are you",
        "what are you",
        "are you a bot",
        "are you up",
        "are you alive",
        "tell me about yourself",
        "introduce yourself",
    ],
)
async def about(ctx: SkillContext) -> SkillResult:
    uptime = int(time.time() - ctx.services.started_at)
    model = ctx.bot.model
    brain = "no language model yet" if model.backend == "none" else f"model {model.name or model.backend}"
    text = (
        f"I'm {ctx.bot.name}, a Switchboard bot ({brain}). "
        f"I've been up for {uptime // 3600}h {uptime % 3600 // 60}m. "
        "Send /help to see what I can do."
    )
    return ctx.reply(text)
