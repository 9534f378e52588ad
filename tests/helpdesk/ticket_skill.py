"""Test skills for ticket events: `answer` replies at once; `held` waits until the test lets it go
(an agent can answer meanwhile)."""

from __future__ import annotations

import asyncio

from core.skills import SkillContext, SkillResult, skill

release: asyncio.Event | None = None
started: asyncio.Event | None = None


@skill("answer", description="answers a ticket with what it read")
async def answer(ctx: SkillContext) -> SkillResult:
    if release is not None:
        if started is not None:
            started.set()
        await release.wait()
    return ctx.reply(f"Suggested answer for: {ctx.event.text}")
