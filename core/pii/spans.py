"""Detected spans: merging overlaps and replacing them with placeholders (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*?)_(\d+)>")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    type: str
    score: float

    def as_dict(self) -> dict[str, object]:
        return {"type": self.type, "start": self.start, "end": self.end, "score": round(self.score, 2)}


def merge(spans: Iterable[Span]) -> list[Span]:
    """Union overlapping spans so no tail of a longer match survives; the stronger type wins."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            wins = (span.score, span.end - span.start) > (last.score, last.end - last.start)
            stronger = span if wins else last
            merged[-1] = Span(last.start, max(last.end, span.end), stronger.type, max(last.score, span.score))
        else:
            merged.append(span)
    return merged


def replace(text: str, spans: Sequence[Span], placeholders: Sequence[str]) -> str:
    """`text` with each (merged, sorted) span replaced by its placeholder."""
    parts: list[str] = []
    cursor = 0
    for span, placeholder in zip(spans, placeholders, strict=True):
        parts.append(text[cursor : span.start])
        parts.append(placeholder)
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


def normalize(entity_type: str, value: str) -> str:
    """The form under which two mentions count as the same value."""
    if entity_type in {"PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN"}:
        return re.sub(r"[^0-9A-Za-z+]", "", value).upper()
    return " ".join(value.split()).casefold()


def placeholders_in(text: str) -> list[str]:
    return [m.group(0) for m in PLACEHOLDER.finditer(text)]
