"""A small, real text similarity: TF-IDF over words and character trigrams, cosine.

Good enough to match "what can you do?" to the example "what are you able to do", needs no
model download, and scores a few hundred examples in well under a millisecond.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[a-z0-9']+")
# Function words carry little intent: "what is my name" must not match "what are you".
STOP_WORDS = frozenset(
    "a an the is are am was were be been being do does did i me my you your yours we us our it its "
    "this that these those what which who whom how of to in on at for from with by about as and or "
    "but if so can could would should will shall may might must please hey hi hello there some any "
    "for just really".split()
)


STOP_WEIGHT = 0.3


def features(text: str) -> Counter[str]:
    """Word and character-trigram counts; function words count for little, and only whole."""
    grams: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()):
        if word in STOP_WORDS:
            # Counter takes float counts at run time; typeshed types its values as int
            grams[f"w:{word}"] += STOP_WEIGHT  # type: ignore[assignment]
            continue
        grams[f"w:{word}"] += 1
        padded = f" {word} "
        grams.update(f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2))
    return grams


def _tf(count: float) -> float:
    return 1 + math.log(count) if count >= 1 else count


class ExampleIndex:
    """Nearest labelled example by cosine similarity of TF-IDF vectors."""

    def __init__(self, examples: Iterable[tuple[str, str]]) -> None:
        pairs = list(examples)
        docs = [features(text) for _, text in pairs]
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        total = len(docs) + 1
        self._idf = {term: math.log(total / (1 + count)) + 1.0 for term, count in df.items()}
        self._unseen_idf = math.log(total) + 1.0  # words no example has still count against a match
        self._labels = [label for label, _ in pairs]
        self._vectors = [self._weigh(doc) for doc in docs]

    def _weigh(self, doc: Counter[str]) -> dict[str, float]:
        vector = {t: _tf(n) * self._idf.get(t, self._unseen_idf) for t, n in doc.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return {t: v / norm for t, v in vector.items() if v}

    def best(self, text: str) -> tuple[str, float] | None:
        ranked = self.ranked(text, per_label=1)
        return ranked[0] if ranked else None

    def ranked(self, text: str, *, per_label: int = 1) -> list[tuple[str, float]]:
        """Every label with a positive score, best first; a label's score is the mean of its
        `per_label` closest examples (1: the closest one)."""
        if not self._vectors:
            return []
        query = self._weigh(features(text))
        by_label: dict[str, list[float]] = {}
        for label, vector in zip(self._labels, self._vectors, strict=True):
            score = sum(w * vector.get(t, 0.0) for t, w in query.items())
            by_label.setdefault(label, []).append(score)
        ranked = []
        for label, scores in by_label.items():
            top = sorted(scores, reverse=True)[:per_label]
            mean = sum(top) / len(top)
            if mean > 0:
                ranked.append((label, mean))
        ranked.sort(key=lambda pair: -pair[1])
        return ranked
