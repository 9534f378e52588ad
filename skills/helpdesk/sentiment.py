"""How the customer feels: VADER (a lexicon and rules, offline, English) plus a short list of
strong words in the other languages tickets commonly arrive in, which VADER does not read."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from skills.helpdesk.labels import Label

NEGATIVE_AT = -0.3  # VADER's compound score at or below which a text is negative
POSITIVE_AT = 0.3
CUE_WEIGHT = 0.45  # what one strong word in another language moves the score

# Strong complaint words VADER's English lexicon misses (stems, matched at word start).
NEGATIVE_CUES = re.compile(
    r"\b(frechheit|unversch[äa]mt|inakzeptabel|entt[äa]uscht|katastroph|ärgerlich|wütend|sauer|"
    r"schlecht(este)?|inacceptable|scandale|honteu|d[ée]çu|nul(le)?\b|furieu|"
    r"inaceptable|vergüenza|decepcionad|p[ée]sim|indignad|furios|"
    r"inaccettabile|vergogn|delus[oa]|pessim|"
    r"inaceit[áa]vel|absurdo|decepcionad|"
    r"onacceptabel|schandalig|teleurgesteld|belachelijk)",
    re.IGNORECASE,
)


@cache
def _analyzer() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def score(text: str) -> float:
    """-1 (angry) .. +1 (happy)."""
    compound = float(_analyzer().polarity_scores(text)["compound"])
    cues = len(NEGATIVE_CUES.findall(text))
    return max(-1.0, compound - CUE_WEIGHT * cues)


def classify(text: str) -> Label:
    value = score(text)
    if value <= NEGATIVE_AT:
        return Label("negative", round(min(1.0, -value), 2))
    if value >= POSITIVE_AT:
        return Label("positive", round(min(1.0, value), 2))
    return Label("neutral", round(1.0 - abs(value) / POSITIVE_AT * 0.5, 2))
