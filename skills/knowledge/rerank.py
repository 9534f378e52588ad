"""Optional re-ranking of the lexical candidates by embedding similarity, when the bot names a
local model2vec model (`[knowledge] rerank_model`, `pip install model2vec`). The confidence —
and so the "I don't know" threshold — stays lexical; only the order changes."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from core.knowledge import Passage

EMBEDDING_SHARE = 0.3  # final score = (1 - share) * lexical score + share * cosine similarity


class Embedder(Protocol):
    def encode(self, texts: list[str]) -> Any:
        """One vector per text (a sequence of floats each)."""


def load_embedder(folder: Path) -> Embedder:
    from model2vec import StaticModel  # optional: checked by setup.roots_of

    model: Embedder = StaticModel.from_pretrained(str(folder))
    return model


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def rerank(query: str, passages: list[Passage], embedder: Embedder) -> list[Passage]:
    if not passages:
        return passages
    vectors = [
        list(map(float, v)) for v in embedder.encode([query, *(f"{p.title}\n{p.text}" for p in passages)])
    ]
    scored = [
        dataclasses.replace(
            p, score=round((1 - EMBEDDING_SHARE) * p.score + EMBEDDING_SHARE * cosine(vectors[0], v), 4)
        )
        for p, v in zip(passages, vectors[1:], strict=True)
    ]
    return sorted(scored, key=lambda p: -p.score)
