"""The knowledge skills: `/ask <question>`, `/kb search <terms>`, and `knowledge`, which answers
free text from the documents when a bot makes it its fallback (`fallback = "knowledge"`).

The model answers from the passages found (its prompt goes the normal masked way), and the
sources are put under its answer; when nothing good enough is found, no model is asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import skills.fallback as chat
from core.skills import AskModel, SkillContext, SkillResult, skill
from skills.knowledge.answer import (
    DONT_KNOW,
    NO_DOCUMENTS,
    excerpt_answer,
    found_list,
    prompt_for,
    sources_line,
    usable,
)

SEARCH_LIMIT = 5


@dataclass
class AskArgs:
    question: str


@dataclass
class KbArgs:
    action: Literal["search"]
    terms: str


@skill("ask", commands=["ask"], args=AskArgs, description="answers from my documents, with sources")
async def ask(ctx: SkillContext) -> SkillResult:
    args = ctx.args_as(AskArgs)
    return await answer(ctx, args.question if args else ctx.event.text, free_text=False)


@skill("knowledge", description="answers from my documents, with sources")
async def knowledge(ctx: SkillContext) -> SkillResult:
    return await answer(ctx, ctx.event.text, free_text=True)


@skill("kb", commands=["kb"], args=KbArgs, description="shows what my documents hold about some words")
async def kb(ctx: SkillContext) -> SkillResult:
    args = ctx.args_as(KbArgs)
    index = ctx.services.knowledge
    if index is None:
        return ctx.reply(NO_DOCUMENTS)
    found = await index.search(args.terms if args else ctx.event.text, SEARCH_LIMIT)
    return ctx.reply(found_list(found, ctx.bot.knowledge))


async def answer(ctx: SkillContext, question: str, *, free_text: bool) -> SkillResult:
    """Answer `question` (masked) from the documents; `free_text`: a message that may be chat,
    handed to the model as usual when the bot says so (`unmatched = "model"`)."""
    config = ctx.bot.knowledge
    index = ctx.services.knowledge
    if index is None:
        return await chat.fallback(ctx) if free_text else ctx.reply(NO_DOCUMENTS)
    passages = usable(await index.search(question, max(config.passages * 3, 6)), config)
    if not passages:
        if free_text and config.unmatched == "model":
            return await chat.fallback(ctx)
        return ctx.reply(DONT_KNOW)
    status = ctx.services.model
    if not ctx.bot.model.enabled or status is None or not await status.available():
        return ctx.reply(excerpt_answer(passages))
    return AskModel(
        prompt=prompt_for(question, passages, config.max_context_chars),
        system=ctx.bot.persona,
        max_tokens=ctx.bot.model.max_tokens,
        temperature=min(ctx.bot.model.temperature, 0.3),
        use_memory=False,
        footer=sources_line(passages),
    )
