"""Names written loosely: in lower case ("thank you ryan", "ok so laurence leblanc moved"), in
brackets after a number ("… 07550 169399 (Abha)"), or before "here" in a chat sign-off
("Vedika here"). Found by the name lists plus a cue, since the tagger and the NER model rarely
see a lowercase name."""

from __future__ import annotations

import re

from core.pii import gazetteer
from core.pii import patterns as p
from core.pii.spans import Span
from core.pii.words import CHAT_INTERJECTIONS, COMMON_WORDS, GREETINGS, SIGN_OFFS

PERSON = "PERSON"
_WORD = rf"[{p.LOWER}{p.UPPER}][{p.LOWER}'’-]+"
_CUE = (
    rf"(?:(?:^|(?<=[\n.!?,;]))\s*(?:{GREETINGS})\b\s*,?|\b(?:{SIGN_OFFS})\b\s*[,!.]*\s*\n?\s*|"
    r"\b(?:my name is|my name's|i am|i'm|this is|ask for|speak to|speak with|talk to|reach|ping|cc|"
    r"account holder|cardholder|requester|customer|colleague|manager|ok so|from|thank you|thanks)\s+)"
)
_AFTER_CUE = re.compile(rf"(?i:{_CUE})(?<![\w'’-])(?P<name>{_WORD}(?:\s+{_WORD})?)")
_PAIR = re.compile(rf"(?<![\w@.])(?P<name>[{p.LOWER}][{p.LOWER}'’-]+\s+[{p.LOWER}][{p.LOWER}'’-]+)(?![\w@])")
_BRACKETED = re.compile(rf"\d\s*\((?P<name>{_WORD})\)")
_HERE = re.compile(rf"(?:^|,\s*|\n\s*)(?P<name>{_WORD}(?:\s+{_WORD})?)\s+here\b(?!\s+(?:is|are|in)\b)")
SCORE = 0.55


def loose_names(text: str) -> list[Span]:
    found = []
    for pattern in (_AFTER_CUE, _BRACKETED, _HERE):
        for match in pattern.finditer(text):
            found += _names(match)
    for match in _PAIR.finditer(text):
        found += _names(match, pair=True)
    return found


def _names(match: re.Match[str], *, pair: bool = False) -> list[Span]:
    """The given name (and a surname after it) at the match's `name` group; for a bare
    lowercase pair both words must be known: a given name, then a surname."""
    names = gazetteer.load()
    words = list(re.finditer(r"\S+", match.group("name")))
    first = words[0].group().lower()
    capitalised_unknown = not pair and words[0].group()[:1].isupper() and first not in names.english_words
    if not _plausible(first, names) or (first not in names.first_names and not capitalised_unknown):
        return []
    if pair and (first in names.english_words or words[1].group().lower() not in names.surnames):
        return []
    end = words[0].end()
    if len(words) > 1:
        second = words[1].group().lower()
        surname = second in names.surnames or (second not in names.english_words and len(second) > 2)
        if _plausible(second, names) and surname:
            end = words[1].end()
    start = match.start("name")
    return [Span(start, start + end, PERSON, SCORE)]


def _plausible(word: str, names: gazetteer.Gazetteer) -> bool:
    if word in COMMON_WORDS or word in CHAT_INTERJECTIONS:
        return False
    return word not in names.english_words or (word in names.census_first_names and len(word) > 3)
