"""The README's example skill ("Add a skill"), word for word in its decorator."""

from __future__ import annotations

from core.skills import SkillContext, SkillResult, skill


@skill(
    "weather",
    commands=["weather"],
    examples=["what's the weather like"],
    patterns=[r"forecast for (?P<city>\w+)"],
)
async def weather(ctx: SkillContext) -> SkillResult:
    city = ctx.intent.slots.get("city") or ctx.intent.args or "where?"
    return ctx.reply(f"Forecast for {city}: sunny, 21 °C")
