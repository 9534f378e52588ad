"""Triage of a ticket on creation: category, urgency, language and sentiment, each with its
confidence, written back as `sb_<what>__<value>` tags and the ticket's priority."""

from __future__ import annotations

import re
from dataclasses import dataclass

from skills.helpdesk import category, language, sentiment, urgency
from skills.helpdesk.config import HelpdeskSkillsConfig
from skills.helpdesk.labels import Label

TAG_PREFIX = "sb_"
_UNSAFE = re.compile(r"[^a-z0-9_]+")


def tag(kind: str, value: str) -> str:
    """`tag("category", "Billing")` -> `sb_category__billing` (vendors accept [a-z0-9_] everywhere)."""
    return f"{TAG_PREFIX}{kind}__{_UNSAFE.sub('_', value.lower()).strip('_') or 'unknown'}"


@dataclass(frozen=True, slots=True)
class Triage:
    category: Label
    urgency: Label
    language: Label
    sentiment: Label

    @property
    def priority(self) -> str:
        """The vendor-neutral priority: low, normal, high or urgent."""
        return self.urgency.value

    def tags(self) -> tuple[str, ...]:
        return (
            tag("category", self.category.value),
            tag("urgency", self.urgency.value),
            tag("lang", self.language.value),
            tag("sentiment", self.sentiment.value),
        )

    def line(self) -> str:
        """One line for the internal note: every result with its confidence."""
        return (
            f"Triage: category {self.category}, urgency {self.urgency}, "
            f"language {self.language}, sentiment {self.sentiment}"
        )


def triage(text: str, config: HelpdeskSkillsConfig, *, sla_due: str = "", now: float | None = None) -> Triage:
    """`text` is the masked subject and body."""
    classifier = category.classifier_for(config.categories)
    return Triage(
        category=classifier.classify(text, minimum=config.triage.min_category_score),
        urgency=urgency.classify(text, sla_due=sla_due or None, extra_cues=config.urgent_cues, now=now),
        language=language.detect(text),
        sentiment=sentiment.classify(text),
    )
