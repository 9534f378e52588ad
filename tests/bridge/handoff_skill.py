"""A ticket skill that hands every ticket to a human, as the handoff skill does: a note, the
handoff tag and a higher priority, in one result."""

from __future__ import annotations

from core.events import TicketUpdate
from core.skills import SkillContext, SkillResult, skill


@skill("hand_off", description="hands the ticket to the billing team")
async def hand_off(ctx: SkillContext) -> SkillResult:
    change = TicketUpdate(add_tags=("sb_handoff",), priority="high", assign_group="billing")
    return ctx.note("Handed to the billing team.", ticket=change)
