"""Person names found by where they stand rather than by a list alone: a name someone is spoken
to ("Sue, can I …", "Don't go, Kristine!"), a name before a known surname ("Gun Svensson"), a
name coordinated with a name already found ("Caird and Jones"), and surnames outside the census
list that are shaped like surnames ("Kadyrov", "Jóhannsdóttir", "Vitorović").

Each rule works on the tagger's and the NER model's view of the words (`person.Token`) and is
careful with everyday words: chat openers ("Btw, …", "Thanks, …"), English words that are not
common first names, and words after which a place follows ("Atlanta, Georgia")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from core.pii import gazetteer
from core.pii.person import NAME_TOKEN, PERSON, Token, known_name
from core.pii.spans import Span
from core.pii.words import CHAT_INTERJECTIONS, COMMON_WORDS

VOCATIVE_SCORE = 0.6
PAIR_SCORE = 0.55
COORDINATED_SCORE = 0.5
SURNAME_SHAPE_SCORE = 0.45
# Endings that mark a surname in Slavic, Nordic, Icelandic, Greek and Romanian naming (a word of
# at least six letters, not an English word, that the NER model does not call a place).
_SURNAME_ENDING = re.compile(
    r"(?:ov|ova|ová|ev|eva|ovich|ovič|ović|evič|ević|vić|ski|ska|sky|skij|cki|cka|czyk|wicz|enko|chuk|"
    r"dóttir|dottir|sson|poulos|opoulou|akis|idis|escu|eanu|ström|strom|qvist|quist)$"
)
_PLACE_ENTITIES = frozenset({"GPE", "LOC", "FAC", "NORP", "LANGUAGE", "DATE", "TIME"})
_NOT_PERSON_ENTITIES = _PLACE_ENTITIES | {"ORG", "PRODUCT", "WORK_OF_ART"}
_CLAUSE_END = frozenset({"!", "?", ".", "…"})
_AND = frozenset({"and", "&", "or"})


def cued_names(text: str, tokens: Sequence[Token], found: Iterable[Span]) -> list[Span]:
    """Names the rules above find; `found` is what other detectors found already."""
    names = gazetteer.load()
    spans = _vocatives(tokens, names) + _surname_shapes(tokens, names) + _first_and_surname(tokens, names)
    persons = [s for s in found if s.type == PERSON] + spans
    return spans + _coordinated(tokens, persons, names)


def _name_like(token: Token, names: gazetteer.Gazetteer) -> bool:
    """Shaped like a name, and not a word people write for other reasons."""
    word = token.text.lower()
    if not NAME_TOKEN.fullmatch(token.text) or word in COMMON_WORDS or word in CHAT_INTERJECTIONS:
        return False
    return word not in names.english_words or word in names.census_first_names


def _span(token: Token, score: float) -> Span:
    return Span(token.start, token.end, PERSON, score)


def _vocatives(tokens: Sequence[Token], names: gazetteer.Gazetteer) -> list[Span]:
    """ "Sue, can I …" at the start of a sentence; "…, Kristine!" after a lowercase word."""
    found = []
    for index, token in enumerate(tokens):
        after = tokens[index + 1 : index + 3]
        if not _name_like(token, names):
            continue
        if (
            token.sentence_start
            and len(after) == 2
            and after[0].text == ","
            and (after[1].text[:1].islower() or after[1].text == "I")
        ):
            found.append(_span(token, VOCATIVE_SCORE))
            continue
        before = tokens[index - 2 : index] if index >= 2 else []
        closes = not after or after[0].text in _CLAUSE_END
        if closes and len(before) == 2 and before[1].text == "," and before[0].text[:1].islower():
            found.append(_span(token, VOCATIVE_SCORE))
    return found


def _surname_shaped(token: Token, names: gazetteer.Gazetteer) -> bool:
    word = token.text.lower()
    return (
        len(word) >= 6
        and bool(NAME_TOKEN.fullmatch(token.text))
        and bool(_SURNAME_ENDING.search(word))
        and word not in names.english_words
        and word not in COMMON_WORDS
    )


def _surname_shapes(tokens: Sequence[Token], names: gazetteer.Gazetteer) -> list[Span]:
    return [
        _span(token, SURNAME_SHAPE_SCORE)
        for token in tokens
        if token.entity not in _PLACE_ENTITIES and _surname_shaped(token, names)
    ]


def _first_and_surname(tokens: Sequence[Token], names: gazetteer.Gazetteer) -> list[Span]:
    """A known first name right before a known or surname-shaped surname: both words."""
    found = []
    for first, last in zip(tokens, tokens[1:], strict=False):
        if last.start - first.end != 1 or last.entity in _PLACE_ENTITIES:
            continue
        if not _name_like(first, names) or first.text.lower() not in names.first_names:
            continue
        surname = last.text.lower() in names.surnames and _name_like(last, names)
        if surname or _surname_shaped(last, names):
            found.append(Span(first.start, last.end, PERSON, PAIR_SCORE))
    return found


def _coordinated(tokens: Sequence[Token], persons: Sequence[Span], names: gazetteer.Gazetteer) -> list[Span]:
    """ "Caird and Jones": a name-like word joined by "and"/"or" to a name already found."""

    def is_person(token: Token) -> bool:
        return any(s.start <= token.start and token.end <= s.end for s in persons)

    found = []
    for left, conjunction, right in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if conjunction.text.lower() not in _AND:
            continue
        for known, other in ((left, right), (right, left)):
            if (
                is_person(known)
                and not is_person(other)
                and (other.entity not in _NOT_PERSON_ENTITIES or known_name(other.text, names))
                and _name_like(other, names)
            ):
                found.append(_span(other, COORDINATED_SCORE))
    return found
