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
NAME_TOKEN = re.compile(rf"[{p.UPPER}](?:[{p.LOWER}]+['’-]?)+(?:[{p.UPPER}][{p.LOWER}]+)?")
# Entity labels of the NER model that say a capitalised word is a place or a thing.
_NOT_A_PERSON = frozenset(
    {"GPE", "LOC", "FAC", "ORG", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LANGUAGE", "DATE"}
)
_NOUN_TAGS = frozenset({"NNP", "NN"})
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
    for index, token in enumerate(tokens):
        if token.tag not in _NOUN_TAGS or not NAME_TOKEN.fullmatch(token.text):
            continue
        word = token.text.lower()
        if token.tag != "NNP" and word not in names.first_names:
            continue  # the tagger often calls an unknown name opening a sentence a common noun
        if word in COMMON_WORDS:
            continue
        if word in names.english_words:
            continue  # "Will", "Rose", "Mark", "Save": left to the NER model and the context rules
        if word in names.first_names:
            if not _used_as_place(tokens, index, names):
                found.append(Span(token.start, token.end, PERSON, FIRST_NAME_SCORE))
        elif word in names.surnames and token.entity not in _NOT_A_PERSON:
            found.append(Span(token.start, token.end, PERSON, SURNAME_SCORE))
    return found


def _used_as_place(tokens: Sequence[Token], index: int, names: gazetteer.Gazetteer) -> bool:
    """A first name the NER model calls a place ("Kristine", "Anouk" often are) is taken for the
    place only with a place cue: "in/to/from Paris", "the Paris office", "Atlanta, Georgia"."""
    token = tokens[index]
    if token.entity in {"DATE", "TIME"}:
        return True
    if token.entity not in {"GPE", "LOC", "FAC"}:
        return False
    before = tokens[index - 1].text.lower() if index else ""
    after = tokens[index + 1].text.lower() if index + 1 < len(tokens) else ""
    places = [
        t
        for t in tokens[max(0, index - 2) : index + 3]
        if t is not token and t.entity in {"GPE", "LOC", "FAC"} and not known_name(t.text, names)
    ]
    return before in _PLACE_BEFORE or after in _PLACE_AFTER or bool(places)


def known_name(word: str, names: gazetteer.Gazetteer) -> bool:
    lowered = word.lower()
    return lowered in names.first_names or lowered in names.surnames


_PLACE_BEFORE = frozenset(
    "in at from to near into via across around through toward towards visit visiting the our their".split()
)
_PLACE_AFTER = frozenset(
    "office offices region city branch area airport campus site store hq headquarters datacenter zone "
    "cluster time based street road".split()
)


def repeated_mentions(text: str, spans: Iterable[Span]) -> list[Span]:
    """Other mentions of the words of names already found (a surname alone, a first name again)."""
    words = set()
    for span in spans:
        if span.type == PERSON:
            for word in NAME_TOKEN.findall(text[span.start : span.end]):
                if len(word) > 2 and word.lower() not in COMMON_WORDS:
                    words.add(word)
    if not words:
        return []
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")
    return [Span(m.start(), m.end(), PERSON, REPEATED_SCORE) for m in pattern.finditer(text)]
