"""Which category a ticket belongs to: the router's similarity (TF-IDF over words and character
trigrams, `core.similarity`) against the examples per category in the bot definition.

A ticket is longer than the examples, so each line of it is scored too and the best line counts
(a greeting or a signature must not dilute a clear sentence); a category scores the mean of its
two closest examples, so one lucky example does not decide."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from core.similarity import ExampleIndex
from skills.helpdesk.labels import Label

OTHER = "other"
PER_CATEGORY = 2
FULL_SCORE = 0.35  # a similarity at which the category alone is certain (measured on bench/)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


class CategoryClassifier:
    def __init__(self, categories: Mapping[str, Sequence[str]]) -> None:
        self.categories = tuple(categories)
        self._index = ExampleIndex((name, ex) for name, examples in categories.items() for ex in examples)

    def scores(self, text: str) -> dict[str, float]:
        """Each category's score for the ticket: the best over the whole text and its sentences."""
        parts = [text, *(p for p in _SENTENCES.split(text) if len(p.split()) >= 2)]
        best: dict[str, float] = {}
        for part in parts[:20]:
            for label, value in self._index.ranked(part, per_label=PER_CATEGORY):
                best[label] = max(best.get(label, 0.0), value)
        return best

    def classify(self, text: str, *, minimum: float) -> Label:
        ranked = sorted(self.scores(text).items(), key=lambda pair: -pair[1])
        if not ranked or ranked[0][1] < minimum:
            return Label(OTHER, round(ranked[0][1], 2) if ranked else 0.0)
        top, value = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        # confidence: how high the best score is, discounted when the runner-up is close
        margin = (value - runner_up) / value if value else 0.0
        return Label(top, round(min(1.0, value / FULL_SCORE) * (0.5 + 0.5 * margin), 2))


@lru_cache(maxsize=32)
def _cached(frozen: tuple[tuple[str, tuple[str, ...]], ...]) -> CategoryClassifier:
    return CategoryClassifier(dict(frozen))


def classifier_for(categories: Mapping[str, Sequence[str]]) -> CategoryClassifier:
    """One classifier per distinct category set (built once, ~1 ms per hundred examples)."""
    return _cached(tuple((name, tuple(examples)) for name, examples in categories.items()))
