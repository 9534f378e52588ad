"""Person names the NER model and the context rules miss: known given names and surnames
(`gazetteer`) on tokens the tagger calls proper nouns, and every further mention of a name
already found in the same message ("sung by Ferrau Daigle ... that Daigle was influenced")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.pii import gazetteer
from core.pii import patterns as p
from core.pii.spans import Span
from core.pii.words import COMMON_WORDS

PERSON = "PERSON"
# "Sven", "O'Neil", "Jean-Luc", "McDowell": capitalised, not all caps, letters only
_NAME_TOKEN = re.compile(rf"[{p.UPPER}](?:[{p.LOWER}]+['’-]?)+(?:[{p.UPPER}][{p.LOWER}]+)?")
# Entity labels of the NER model that say a capitalised word is a place or a thing.
_NOT_A_PERSON = frozenset(
    {"GPE", "LOC", "FAC", "ORG", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LANGUAGE", "DATE"}
)
_PLACE_OR_DATE = frozenset({"GPE", "DATE", "TIME", "EVENT"})
FIRST_NAME_SCORE = 0.6
SURNAME_SCORE = 0.45
REPEATED_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class Token:
    """What the tagger and the NER model said about one word (see `engine.tokens_of`)."""

    start: int
    end: int
    text: str
    tag: str  # Penn Treebank tag: NNP = proper noun
    entity: str  # NER label, "" when none
    sentence_start: bool


def known_names(tokens: Sequence[Token]) -> list[Span]:
    """Proper-noun tokens that are known given names or surnames."""
    names = gazetteer.load()
    found = []
    for token in tokens:
        if token.tag != "NNP" or not _NAME_TOKEN.fullmatch(token.text):
            continue
        word = token.text.lower()
        if word in COMMON_WORDS:
            continue
        if word in names.english_words:
            continue  # "Will", "Rose", "Mark", "Save": left to the NER model and the context rules
        if word in names.first_names:
            if token.entity not in _PLACE_OR_DATE:  # "Paris", "Florence": usually the place
                found.append(Span(token.start, token.end, PERSON, FIRST_NAME_SCORE))
        elif word in names.surnames and token.entity not in _NOT_A_PERSON:
            found.append(Span(token.start, token.end, PERSON, SURNAME_SCORE))
    return found


def repeated_mentions(text: str, spans: Iterable[Span]) -> list[Span]:
    """Other mentions of the words of names already found (a surname alone, a first name again)."""
    words = set()
    for span in spans:
        if span.type == PERSON:
            for word in _NAME_TOKEN.findall(text[span.start : span.end]):
                if len(word) > 2 and word.lower() not in COMMON_WORDS:
                    words.add(word)
    if not words:
        return []
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    return [Span(m.start(), m.end(), PERSON, REPEATED_SCORE) for m in pattern.finditer(text)]
