"""When the bot hands a ticket to a person: they ask for one, they are angry, the bot has
answered N times without the ticket moving on, or it does not know what the ticket is about.

Pure decisions; the skill writes the assignment, the tag and the summary note."""

from __future__ import annotations

import re
from dataclasses import dataclass

from skills.helpdesk.config import HandoffConfig
from skills.helpdesk.labels import Label

HANDOFF_TAG = "sb_handoff"

# "talk to a person" and its cousins, in the common ticket languages.
HUMAN_REQUEST = re.compile(
    r"\b("
    r"(talk|speak|chat) (to|with) (a |an |some|real |actual |live )*(person|human|agent|someone|somebody|"
    r"representative|rep|operator|people)|"
    r"(real|actual|live) (person|human|agent)|(human|person|agent),? (being|please|pls|plz)|"
    r"not (a |another )?(bot|robot)|"
    r"stop (the )?bot|(get|give) me (a |an )?(human|person|agent|manager|supervisor)|"
    r"(connect|transfer) me|escalate|"
    r"(mit )?(einem|einer) (menschen|mitarbeiter(in)?|person) (sprechen|reden)|echte[rn]? mensch|kein bot|"
    r"(parler|discuter) (à|a|avec) (un|une) (humain|personne|conseill[eè]re?|agent)|pas un robot|"
    r"hablar con (una|un) (persona|humano|agente)|persona real|"
    r"parlare con (una|un) (persona|operatore|umano)|"
    r"falar com (uma|um) (pessoa|atendente|humano)|"
    r"met een (mens|medewerker) (spreken|praten)"
    r")\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Handoff:
    reason: str  # "requested" | "negative_sentiment" | "no_progress" | "low_confidence"
    detail: str


def asks_for_human(text: str) -> bool:
    return bool(HUMAN_REQUEST.search(text))


def decide(
    text: str,
    *,
    sentiment: Label,
    category: Label,
    bot_turns: int,
    config: HandoffConfig,
) -> Handoff | None:
    """The first rule that holds, in the order a customer would rank them; None: the bot may go on.
    `bot_turns` counts the bot's earlier answers on the ticket with no agent reply in between."""
    if config.on_request and asks_for_human(text):
        return Handoff("requested", "the customer asked for a person")
    if sentiment.value == "negative" and sentiment.confidence >= config.negative_sentiment:
        return Handoff("negative_sentiment", f"negative sentiment ({sentiment.confidence:.2f})")
    if bot_turns >= config.max_bot_turns:
        return Handoff("no_progress", f"{bot_turns} bot answers without an agent reply")
    if category.confidence < config.min_confidence:
        return Handoff("low_confidence", f"category unclear ({category})")
    return None
