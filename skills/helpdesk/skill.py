"""The helpdesk skills for `Event(kind=ticket)`: `helpdesk` (triage, draft or auto-reply, handoff,
draft outcomes) and `/switchboard draft`, an agent's request for a draft in an internal note.

A new ticket is triaged (tags, priority, one line of confidences) and drafted for an agent as an
internal note (shadow mode); a category the hook promotes is answered in public when the
category is sure enough and the documents back it. A customer who asks for a person, is angry,
or is not getting anywhere, or a ticket the bot cannot place, is handed over: assigned to the
group, tagged `sb_handoff`, summarised in a note, and from then on the bot is silent there. An
agent's next public reply tells what became of the draft (sent as-is, edited, discarded)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from core.events import EventKind, TicketUpdate
from core.skills import Results, SkillContext, SkillResult, skill
from skills.helpdesk import draft, handoff, outcome, urgency
from skills.helpdesk.config import HelpdeskSkillsConfig, settings_of
from skills.helpdesk.store import HELPDESK_STORE, HelpdeskStore
from skills.helpdesk.triage import Triage, triage

log = logging.getLogger(__name__)

CUSTOMER_KINDS = {"created", "customer_replied"}
LANES = {"urgent": "urgent", "high": "high"}
SUMMARY_CHARS = 600
NO_MODEL_NOTE = "No draft: the model is not running right now (an agent can ask with `/switchboard draft`)."
NOT_A_TICKET = "`/switchboard` works in a helpdesk ticket's internal note: `/switchboard draft`."


def ticket_info(ctx: SkillContext) -> Mapping[str, Any]:
    info = ctx.event.raw.get("ticket")
    return info if isinstance(info, Mapping) else {}


def _store(ctx: SkillContext) -> HelpdeskStore:
    store = ctx.services.find(HELPDESK_STORE)
    if store is None:
        raise RuntimeError("the helpdesk skills need their store: bots.compose provides it")
    return store


@skill("helpdesk", tickets=True, priority=50, description="triages tickets and drafts replies for agents")
async def helpdesk(ctx: SkillContext) -> SkillResult:
    config = settings_of(ctx.bot).for_adapter(ctx.event.platform)
    if config.mode == "off" or ctx.event.kind is not EventKind.TICKET:
        return None
    info = ticket_info(ctx)
    kind, role = str(info.get("kind", "")), str(info.get("author_role", ""))
    store = _store(ctx)
    conversation = ctx.event.conversation
    if role == "agent":
        if kind == "agent_replied":
            await _judge_draft(ctx, store, config)
            await store.agent_replied(conversation)
        return None  # the bot never answers agents (their notes reach /switchboard as commands)
    if kind not in CUSTOMER_KINDS:
        return None
    sla_due = str(info.get("sla_due") or "")
    await store.customer_waits(conversation, urgency.due_in(sla_due))
    earlier = await store.customer_text(conversation) if kind != "created" else ""
    text = ctx.event.text
    await store.remember_customer(conversation, f"{earlier}\n\n{text}".strip() if earlier else text)
    if await store.handed_off(conversation):
        return None  # a person has the ticket: silent until an agent asks
    found = triage(text if not earlier else f"{earlier}\n\n{text}", config, sla_due=sla_due)
    update = _triage_update(found, config) if kind == "created" else None
    decision = handoff.decide(
        text,
        sentiment=found.sentiment,
        category=found.category,
        bot_turns=await store.bot_turns(conversation),
        config=config.handoff,
    )
    if decision is not None:
        return await _hand_off(ctx, store, config, found, decision, update, earlier)
    if kind == "created":
        store.metrics.helpdesk_triaged.labels(found.category.value).inc()
    question = f"{earlier}\n\n{text}" if earlier else text
    if not await _model_ready(ctx):  # the triage still lands on a new ticket, saying why no draft
        return ctx.note(f"{found.line()}\n{NO_MODEL_NOTE}", ticket=update) if kind == "created" else None
    passages = await draft.passages_for(ctx, question)
    lane = LANES.get(found.urgency.value, "")
    await store.bot_answered(conversation)
    # tags and priority are written at once, before the model answers (Results: first the update)
    if _promoted(found, config, bool(passages)):
        await store.count("auto_reply")
        await store.answered_in_public(conversation)
        answer = draft.ask(ctx, question, found, passages, config, public=True, lane=lane)
        note = ctx.note(found.line() if config.triage.note else "", ticket=update)
        return Results((note, answer)) if note.text or update else answer
    await store.draft_written(conversation, ctx.event.id, found.category.value)
    ask = draft.ask(ctx, question, found, passages, config, public=False, lane=lane)
    return Results((ctx.note("", ticket=update), ask)) if update else ask


async def _model_ready(ctx: SkillContext) -> bool:
    status = ctx.services.model
    return ctx.bot.model.enabled and status is not None and await status.available()


def _triage_update(found: Triage, config: HelpdeskSkillsConfig) -> TicketUpdate | None:
    if not config.triage.enabled:
        return None
    return TicketUpdate(
        add_tags=found.tags() if config.triage.tags else (),
        priority=found.priority if config.triage.priority else None,
    )


def _promoted(found: Triage, config: HelpdeskSkillsConfig, cited: bool) -> bool:
    """Public only for a promoted category, above its threshold, with sources where required."""
    rule = config.auto_reply
    return (
        found.category.value in rule.intents
        and found.category.confidence >= rule.threshold
        and (cited or not rule.require_citations)
    )


async def _hand_off(
    ctx: SkillContext,
    store: HelpdeskStore,
    config: HelpdeskSkillsConfig,
    found: Triage,
    decision: handoff.Handoff,
    update: TicketUpdate | None,
    earlier: str,
) -> SkillResult:
    if not await store.hand_off(ctx.event.conversation, decision.reason):
        return None
    tags = (*(update.add_tags if update else ()), handoff.HANDOFF_TAG)
    change = TicketUpdate(
        add_tags=tags,
        priority=update.priority if update else None,
        assign_group=config.handoff.group or None,
    )
    return ctx.note(summary(decision, found, earlier, ctx.event.text, config), ticket=change)


def summary(
    decision: handoff.Handoff, found: Triage, earlier: str, latest: str, config: HelpdeskSkillsConfig
) -> str:
    """The note agents read when they take the ticket over (masked here; restored for agents)."""
    group = f" (group {config.handoff.group})" if config.handoff.group else ""
    lines = [f"Handed to a person{group}: {decision.detail}.", found.line()]
    if earlier:
        lines.append(f"Earlier, the customer wrote: {_clip(earlier)}")
    lines.append(f"Latest from the customer: {_clip(latest)}")
    lines.append("The bot stays silent on this ticket now; write `/switchboard draft` in a note for a draft.")
    return "\n".join(lines)


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SUMMARY_CHARS else flat[: SUMMARY_CHARS - 1] + "…"


async def _judge_draft(ctx: SkillContext, store: HelpdeskStore, config: HelpdeskSkillsConfig) -> None:
    pending = await store.take_draft(ctx.event.conversation)
    if pending is None:
        return
    written = _last_answer(ctx.history)
    if written is None:
        return
    verdict, value = outcome.judge(written, ctx.event.text, config.drafts)
    await store.count(verdict.value)
    log.info("draft %s (similarity %.2f)", verdict.value, value, extra={"event_id": ctx.event.id})


def _last_answer(history: list[dict[str, str]]) -> str | None:
    """The bot's latest answer in the ticket's memory (the model's draft, without its footer)."""
    for row in reversed(history):
        if row.get("role") == "assistant" and row.get("text"):
            return row["text"]
    return None


@dataclass
class SwitchboardArgs:
    action: Literal["draft"]


@skill(
    "switchboard",
    commands=["switchboard"],
    args=SwitchboardArgs,
    description="in a ticket's internal note: /switchboard draft asks me for a draft reply",
)
async def switchboard(ctx: SkillContext) -> SkillResult:
    info = ticket_info(ctx)
    if ctx.event.kind is not EventKind.TICKET or info.get("author_role") != "agent":
        return ctx.reply(NOT_A_TICKET)
    config = settings_of(ctx.bot).for_adapter(ctx.event.platform)
    store = _store(ctx)
    question = await store.customer_text(ctx.event.conversation)
    if not question:
        return ctx.note("I have nothing from the customer on this ticket to draft a reply to.")
    if not await _model_ready(ctx):
        return ctx.note(NO_MODEL_NOTE.split(" (", 1)[0] + ".")
    found = triage(question, config)
    passages = await draft.passages_for(ctx, question)
    await store.draft_written(ctx.event.conversation, ctx.event.id, found.category.value)
    lane = LANES.get(found.urgency.value, "")
    return draft.ask(ctx, question, found, passages, config, public=False, lane=lane)
