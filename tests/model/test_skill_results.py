"""Several results from one turn through the real queue: a reply goes out at once, then the
model's answer arrives with the skill's footer under it, as an internal note carrying a ticket
update — the AskModel's settings survive the queue (they are kept with the pending turn)."""

from __future__ import annotations

from core.events import TicketUpdate, Visibility
from core.skills import AskModel, Results, SkillContext, SkillResult, skill
from tests.model.test_queue import MODEL, EchoEngine, until, work_off

TAGS = TicketUpdate(add_tags=("sb_drafted",), priority="high")


@skill("draft", commands=["draft"])
async def draft(ctx: SkillContext) -> SkillResult:
    ask = AskModel(
        prompt="draft please", footer="Sources: [1] Billing", visibility=Visibility.INTERNAL, ticket=TAGS
    )
    return Results((ctx.reply("Working on a draft."), ask))


async def test_a_reply_now_then_the_model_answer_as_a_note_with_its_footer_and_ticket_update(
    modelkit, redis_url
):
    _assembly, chat = await modelkit(
        model=MODEL, skills=["skills.help", "tests.model.test_skill_results", "skills.fallback"]
    )
    await chat.say("/draft")
    assert chat.texts() == ["Working on a draft."]
    work_off(redis_url, EchoEngine())
    await until(lambda: len(chat.sent) == 2)
    answer = chat.sent[1]
    assert answer.text == "You said: draft please\n\nSources: [1] Billing"
    assert answer.visibility is Visibility.INTERNAL and answer.ticket == TAGS
