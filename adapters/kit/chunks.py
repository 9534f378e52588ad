"""Splitting a long answer into messages a platform accepts, with Markdown code fences balanced:
a chunk that ends inside a ``` block closes it, and the next chunk reopens it (with its language),
and the closing and reopening fences count towards each chunk's limit.

Cuts fall at a paragraph break, else a line break, else a sentence end, else a space, else hard.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^[ \t]*(```+|~~~+)([^\n`]*)$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


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
    return limit


def split(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters (the fences added included), in order."""
    chunks: list[str] = []
    head = ""  # the reopened fence line that starts the next chunk
    rest = text
    while len(head) + len(rest) > limit:
        reserve = 1 + 8  # room to close a fence: a newline and the marker
        if len(head) > limit // 4:
            head = ""  # an absurdly long fence line: do not carry it over
        budget = limit - len(head) - reserve
        at = _cut_point(rest, budget)
        piece = rest[:at].rstrip()
        opened = open_fence(head + piece)
        closing = "\n" + opened[1][:8] if opened else ""
        if piece.strip():
            chunks.append(head + piece + closing)
        head = opened[0] + "\n" if opened else ""
        rest = rest[at:].lstrip("\n") if opened else rest[at:].lstrip("\n ")
    if rest.strip() or not chunks:
        chunks.append(head + rest)
    return chunks
