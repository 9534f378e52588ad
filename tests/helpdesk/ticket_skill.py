"""Test skills for ticket events: `answer` replies at once; `held` waits until the test lets it go
(an agent can answer meanwhile)."""

from __future__ import annotations

import asyncio
import dataclasses

from core.events import Visibility
from core.skills import SkillContext, SkillResult, skill

release: asyncio.Event | None = None
started: asyncio.Event | None = None
visibility: Visibility | None = None  # a test can make the skill ask for an internal note


@skill("answer", description="answers a ticket with what it read")
async def answer(ctx: SkillContext) -> SkillResult:
    if release is not None:
        if started is not None:
            started.set()
        await release.wait()
    reply = ctx.reply(f"Suggested answer for: {ctx.event.text}")
    return reply if visibility is None else dataclasses.replace(reply, visibility=visibility)
