"""A ticket skill that sends a ticket update: with a note, or alone (`alone = True`)."""

from __future__ import annotations

from core.events import TicketUpdate
from core.skills import SkillContext, SkillResult, skill

alone = False
UPDATE = TicketUpdate(add_tags=("sb_category__billing", "sb_handoff"), priority="high", assign_group="77")


@skill("tag", tickets=True, description="tags, prioritises and assigns the ticket")
async def tag(ctx: SkillContext) -> SkillResult:
    return ctx.note("" if alone else "Handed to the billing team.", ticket=UPDATE)
