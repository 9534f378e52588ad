"""`help`: what this bot can do, on the platform the person is using."""

from __future__ import annotations

from core.skills import SkillContext, SkillResult, skill


@skill(
    "help",
    description="shows what I can do here",
    commands=["help", "start"],
    examples=[
        "help",
        "what can you do",
        "what are you able to do",
        "how do I use this bot",
        "show me the commands",
        "which commands do you know",
        "what can this bot do",
    ],
    priority=10,
)
async def help_skill(ctx: SkillContext) -> SkillResult:
    platform = ctx.event.platform
    lines = [f"I'm {ctx.bot.display_name}. {ctx.bot.description}".strip(), "", "Here is what I can do:"]
    for item in ctx.skills:
        if not item.supports(platform) or item.name == ctx.bot.fallback:
            continue
        commands = ", ".join(f"/{c}" for c in item.commands)
        label = f"{commands} — " if commands else ""
        lines.append(f"• {label}{item.description or item.name}")
    fallback = next((s for s in ctx.skills if s.name == ctx.bot.fallback), None)
    if fallback is not None and fallback.description:
        lines.append(f"• anything else — {fallback.description}")
    admin_commands = list(ctx.services.admin_commands or ())
    lines.extend(f"• /{c.usage} — {c.summary}" for c in admin_commands if c.anyone)
    if admin_commands and ctx.bot.is_admin(ctx.event.qualified_sender):
        lines.append("")
        lines.append("Admin commands (you are an admin here):")
        lines.extend(f"• /{c.usage} — {c.summary}" for c in admin_commands if not c.anyone)
    return ctx.reply("\n".join(lines))
