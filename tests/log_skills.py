"""A skill that logs from inside its turn and one that fails (used by the JSON log test)."""

from __future__ import annotations

import logging

from core.skills import SkillContext, SkillResult, skill

log = logging.getLogger(__name__)


@skill("note", commands=["note"], description="logs a line, then answers")
async def note(ctx: SkillContext) -> SkillResult:
    log.info("note skill ran (%d characters)", len(ctx.event.text))
    return ctx.reply("noted")


@skill("explode", commands=["explode"], description="always fails")
async def explode(ctx: SkillContext) -> SkillResult:
    raise RuntimeError("the explode skill failed on purpose")
