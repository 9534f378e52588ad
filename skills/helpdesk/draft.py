"""The model request for a ticket's answer: a draft for an agent (an internal note) or, for a
promoted intent, the public reply. The prompt holds the masked ticket and the passages found in
the bot's documents; the note's footer names the sources and says in one line why."""

from __future__ import annotations

from collections.abc import Sequence

from core.events import Visibility
from core.knowledge import Passage
from core.skills import AskModel, SkillContext
from skills.helpdesk.config import HelpdeskSkillsConfig
from skills.helpdesk.triage import Triage
from skills.knowledge.answer import sources_line, usable

PASSAGE_CHARS = 700
DRAFT_HEAD = "Draft reply for the agent (not sent to the customer)"

INSTRUCTIONS = (
    "You write the reply a support agent will send to a customer's ticket. Write the reply only, "
    "in the customer's language{language}, polite and short. Use the passages when they answer the "
    "ticket; if they do not, say what you need to know to help. Placeholders such as <PERSON_1> "
    "stand for personal data: keep them exactly as they are."
)


async def passages_for(ctx: SkillContext, text: str, limit: int = 3) -> list[Passage]:
    """The bot's documents on the ticket (none when the bot has no `[knowledge]`)."""
    index = ctx.services.knowledge
    if index is None:
        return []
    return usable(await index.search(text, max(limit * 3, 6)), ctx.bot.knowledge)


def prompt(ticket_text: str, passages: Sequence[Passage]) -> str:
    parts = [f"Ticket:\n{ticket_text.strip()}"]
    if passages:
        listed = "\n\n".join(
            f"[{n}] {p.title}\n{p.text.strip()[:PASSAGE_CHARS]}" for n, p in enumerate(passages, 1)
        )
        parts.append(f"Passages:\n{listed}")
    parts.append("Reply:")
    return "\n\n".join(parts)


def sources(passages: Sequence[Passage]) -> str:
    if not passages:
        return "Sources: none found in the documents (the ticket text only)"
    return sources_line(list(passages))


def why(triage: Triage, passages: Sequence[Passage]) -> str:
    found = (
        f"{len(passages)} passage(s) on it, best {passages[0].confidence:.2f}" if passages else "no passage"
    )
    return f"Why: the ticket reads as {triage.category.value} ({triage.category.confidence:.2f}); {found}."


def ask(
    ctx: SkillContext,
    ticket_text: str,
    triage: Triage,
    passages: Sequence[Passage],
    config: HelpdeskSkillsConfig,
    *,
    public: bool,
    lane: str,
) -> AskModel:
    language = "" if triage.language.value == "und" else f" (language code {triage.language.value})"
    lines = [sources(passages)]
    if not public:
        lines = [f"— {DRAFT_HEAD}.", *lines, why(triage, passages)]
        if config.triage.note:
            lines.append(triage.line())
    return AskModel(
        prompt=prompt(ticket_text, passages),
        system=f"{ctx.bot.persona}\n\n{INSTRUCTIONS.format(language=language)}",
        max_tokens=config.drafts.max_tokens,
        temperature=min(ctx.bot.model.temperature, 0.3),
        use_memory=False,
        footer="\n".join(lines),
        visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
        lane=lane,
    )
