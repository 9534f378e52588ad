"""Splitting a long answer into messages a platform accepts, with Markdown code fences balanced:
a chunk that ends inside a ``` block closes it, and the next chunk reopens it (with its language),
and the closing and reopening fences count towards each chunk's limit.

Cuts fall at a paragraph break, else a line break, else a sentence end, else a space, else hard
— and never inside an entity (`&amp;`, `<@U123>`, `<https://…|label>`): a hard cut moves back
to the entity's start. Length is counted with `measure`: `len` (code points: Slack, Discord) or
`utf16_len` (UTF-16 code units: Telegram's 4,096 limit counts an emoji as two).
"""

from __future__ import annotations

import re
from collections.abc import Callable

Measure = Callable[[str], int]
FENCE = re.compile(r"^[ \t]*(```+|~~~+)([^\n`]*)$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ENTITY = re.compile(r"&[#A-Za-z0-9]{1,10};|<[^<>\s][^<>\n]{0,200}>")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (what Telegram counts)."""
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


def _fit(text: str, budget: int, measure: Measure) -> int:
    """The most leading characters of `text` whose measure is at most `budget`."""
    if measure is len or measure(text[:budget]) <= budget:
        return min(len(text), budget)
    used, count = 0, 0
    for char in text:
        used += measure(char)
        if used > budget:
            break
        count += 1
    return count


def _outside_entity(text: str, at: int) -> int:
    """`at`, moved back to the start of an entity it would cut through."""
    for match in _ENTITY.finditer(text, max(0, at - 210), at + 210):
        if match.start() < at < match.end():
            return match.start() if match.start() > 0 else at
    return at


def open_fence(text: str) -> tuple[str, str] | None:
    """(opening line, marker) of the code block still open at the end of `text`, or None."""
    opened: tuple[str, str] | None = None
    for match in FENCE.finditer(text):
        marker = match.group(1)
        if opened is None:
            opened = (match.group(0).strip(), marker)
        elif marker[0] == opened[1][0] and len(marker) >= len(opened[1]) and not match.group(2).strip():
            opened = None
    return opened


def _cut_point(text: str, limit: int) -> int:
    window = text[:limit]
    floor = limit // 3
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at >= floor:
            return at + len(separator)
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= floor:
        return ends[-1]
    at = window.rfind(" ")
    if at >= floor:
        return at + 1
    return _outside_entity(text, limit)


def split(text: str, limit: int, *, measure: Measure = len) -> list[str]:
    """Chunks of at most `limit` (by `measure`, the fences added included), in order."""
    chunks: list[str] = []
    head = ""  # the reopened fence line that starts the next chunk
    rest = text
    while measure(head) + measure(rest) > limit:
        fenced = bool(head) or "```" in rest or "~~~" in rest
        reserve = 1 + 8 if fenced else 0  # room to close a fence: a newline and the marker
        if measure(head) > limit // 4:
            head = ""  # an absurdly long fence line: do not carry it over
        budget = limit - measure(head) - reserve
        at = _cut_point(rest, _fit(rest, budget, measure))
        piece = rest[:at].rstrip()
        opened = open_fence(head + piece)
        closing = "\n" + opened[1][:8] if opened else ""
        if piece.strip():
            chunks.append(head + piece + closing)
        head = opened[0] + "\n" if opened else ""
        rest = rest[at:].lstrip("\n") if opened else rest[at:].lstrip("\n ")
    if rest.strip() or not chunks:
        chunks.append(head + (rest.rstrip() or rest))
    return chunks
