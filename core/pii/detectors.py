"""Detectors for what presidio's defaults miss: international phones, names in greetings and
signatures, street addresses (multi-line too), IBANs with any spacing, secrets, deny-lists.
Pure Python (regex + phonenumbers): each returns `Span`s over the text it was given."""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.pii import patterns as p
from core.pii.addresses import addresses
from core.pii.config import DENIED_TERM
from core.pii.loose_addresses import loose_addresses
from core.pii.phones import phones
from core.pii.spans import Span
from core.pii.words import (
    COMMON_WORDS,
    GREETINGS,
    INTRODUCTIONS,
    MONTH_NAMES,
    SIGN_OFFS,
    WEAK_INTRODUCTIONS,
)

_CARD_CONTEXT = re.compile(r"(?i)(?:card|cc|credit|debit|visa|mastercard|amex|number|no\.?|#)\W{0,20}$")
_CARD_DIGITS = re.compile(r"(?<![\w-])\d(?:[ -]?\d){11,18}(?![\w-])")


# -- cards -----------------------------------------------------------------------------------
def _luhn(digits: str) -> bool:
    total = 0
    for index, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def cards(text: str) -> list[Span]:
    """Card numbers presidio's Luhn check rejects but the context names (mistyped, masked)."""
    found = []
    for match in _CARD_DIGITS.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if _CARD_CONTEXT.search(text[max(0, match.start() - 30) : match.start()]):
            found.append(Span(match.start(), match.end(), "CREDIT_CARD", 0.7))
        elif _luhn(digits) and 13 <= len(digits) <= 19:
            found.append(Span(match.start(), match.end(), "CREDIT_CARD", 0.5))
    return found


# -- IBAN ------------------------------------------------------------------------------------
def _iban_valid(value: str) -> bool:
    if not 15 <= len(value) <= 34:
        return False
    rearranged = value[4:] + value[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    except ValueError:
        return False


def ibans(text: str) -> list[Span]:
    found = []
    for match in p.IBAN_CANDIDATE.finditer(text):
        raw = match.group()
        # The greedy match may swallow a following word: shorten at group boundaries until valid.
        for end in range(len(raw), 14, -1):
            if end < len(raw) and raw[end] != " " and not raw[end - 1].isalnum():
                continue
            if _iban_valid(raw[:end].replace(" ", "").upper()):
                found.append(Span(match.start(), match.start() + end, "IBAN_CODE", 1.0))
                break
    return found


# -- secrets ---------------------------------------------------------------------------------
def secrets(text: str) -> list[Span]:
    found = []
    for name, pattern in p.SECRET_PATTERNS.items():
        for match in pattern.finditer(text):
            group = 1 if name == "bearer" else 0
            found.append(Span(match.start(group), match.end(group), "SECRET", 1.0))
    for match in p.SECRET_VALUE.finditer(text):
        value = match.group("value")
        if value.lower().strip(".!?") in p.SECRET_VALUE_STOPWORDS or value.startswith("<"):
            continue
        found.append(Span(match.start("value"), match.end("value"), "SECRET", 0.9))
    return found


# -- person names ----------------------------------------------------------------------------
_NAME_WORD = rf"[{p.UPPER}][{p.UPPER}{p.LOWER}'’-]+\b"
_PARTICLE = r"(?:(?:van|von|de|da|del|der|di|du|dos|la|le|bin|al)\s+)"
_NAME = rf"{_NAME_WORD}(?:\s+[{p.UPPER}](?:\.|(?=\s)))?(?:\s+{_PARTICLE}?{_NAME_WORD}){{0,2}}"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+)"
_QUOTE_MARKER = r"(?:[^\w\s]{1,4}[ \t]+)?"  # a quoted or bulleted line: "> ", "- ", "}} "
_SPEECH_VERBS = r"says|said|asks|asked|replies|replied|writes|wrote|adds|added|explains|explained"
_NAME_TRIGGERS = [  # (pattern, score, fewest name words)
    (re.compile(rf"(?:^|(?<=[\n.!?,]))\s*(?i:{GREETINGS})\s*,?\s+(?P<name>{_TITLE}?{_NAME})"), 0.8, 1),
    (re.compile(rf"(?i:\b(?:{SIGN_OFFS}))\s*[,!.]*\s*(?:\n\s*)?[-–—]*\s*(?P<name>{_NAME})"), 0.75, 1),
    (re.compile(rf"(?i:\b(?:{INTRODUCTIONS}))\s+(?P<name>{_TITLE}?{_NAME})"), 0.5, 1),
    (re.compile(rf"(?i:\b(?:{WEAK_INTRODUCTIONS}))\s+(?P<name>{_NAME})"), 0.45, 2),
    (re.compile(rf"\b(?P<name>{_TITLE}{_NAME})"), 0.85, 1),
    # a line that is only a name: signatures, address blocks, "Name:" forms
    (
        re.compile(
            rf"(?m)^[ \t]*{_QUOTE_MARKER}(?:(?i:name|customer|contact|from|to|user)\s*:\s*)?"
            rf"(?P<name>{_NAME})[ \t]*,?$"
        ),
        0.5,
        2,
    ),
    # a dialogue speaker ("Sara: ...") and a name before what people do ("Maria said", "Maria's")
    (re.compile(rf"(?m)^[ \t]*(?P<name>{_NAME})\s*:"), 0.45, 1),
    (
        re.compile(
            rf"(?P<name>{_NAME})(?=\s+(?:said|says|asked|told|replied|wrote|shouted|lives|lived|is from|"
            rf"was born|will call|called|emailed|confirmed|mentioned)\b|['’]s\b)"
        ),
        0.45,
        1,
    ),
    # after what people say (", says Tuininga.") and a chat mention ("@Maria", "ping Maria", "cc Maria")
    (re.compile(rf"(?i:\b(?:{_SPEECH_VERBS}))\s+(?P<name>{_NAME})(?=\s*[.!?,;:]|\s*$)"), 0.5, 1),
    (re.compile(rf"(?:(?<![\w@.])@|(?i:\b(?:ping|pinged|dm|cc)\b:?\s+))(?P<name>{_NAME})"), 0.6, 1),
    (
        re.compile(
            rf"(?i:\b(?:user|username|follow up with|starring|directed by|written by|sung by))"
            rf"\s*:?\s+(?P<name>{_NAME})"
        ),
        0.5,
        1,
    ),
]
_LOWERCASE_NAME = re.compile(
    r"(?i:\b(?:my name is|my name's|name:|full name:))\s+(?P<name>[a-z][a-z'-]+(?:\s+[a-z][a-z'-]+){0,2})"
)


def names(text: str) -> list[Span]:
    found = []
    for pattern, score, fewest_words in _NAME_TRIGGERS:
        for match in pattern.finditer(text):
            span = _trim_name(text, match.start("name"), match.end("name"), score)
            if span is not None and len(text[span.start : span.end].split()) >= fewest_words:
                found.append(span)
    for match in _LOWERCASE_NAME.finditer(text):
        span = _trim_name(text, match.start("name"), match.end("name"), 0.6, allow_lower=True)
        if span is not None:
            found.append(span)
    return found


_DAY_AFTER = re.compile(r"\s*(?:\d|of\b)")


def _trim_name(text: str, start: int, end: int, score: float, allow_lower: bool = False) -> Span | None:
    """Keep the leading run of name-like words; None when nothing name-like is left."""
    kept_end = start
    titled = False
    for word in re.finditer(r"\S+", text[start:end]):
        token = word.group().rstrip(".")
        lowered = token.lower()
        if lowered in {"mr", "mrs", "ms", "miss", "mx", "dr", "prof"} and kept_end == start:
            titled = True
        elif lowered in COMMON_WORDS and not (titled and kept_end > start):
            if not (
                lowered in MONTH_NAMES
                and token[0].isupper()
                and not _DAY_AFTER.match(text, start + word.end())
            ):
                break
        elif not allow_lower and not token[:1].isupper():
            break
        kept_end = start + word.end()
    if kept_end == start or (titled and len(text[start:kept_end].split()) == 1):
        return None
    return Span(start, kept_end, "PERSON", score)


def extend_names(text: str, spans: Iterable[Span]) -> list[Span]:
    """Grow NER person spans over adjacent surname words and initials; drop greeting words."""
    grown = []
    for span in spans:
        if span.type != "PERSON":
            grown.append(span)
            continue
        start, end = span.start, span.end
        words = list(re.finditer(r"\S+", text[start:end]))
        while words and words[0].group().strip(",.!?:").lower() in COMMON_WORDS:
            words.pop(0)
        if not words:
            continue
        start, end = start + words[0].start(), start + words[-1].end()
        end = end - (len(text[start:end]) - len(text[start:end].rstrip(",.!?:")))
        follow = re.match(rf"(?:\s+[A-Z]\.?(?=\s))?(?:\s+{_NAME_WORD}){{1,2}}", text[end:])
        if follow and not any(w.lower() in COMMON_WORDS for w in follow.group().split()):
            end += follow.end()
        grown.append(Span(start, end, "PERSON", span.score))
    return grown


# -- deny list -------------------------------------------------------------------------------
def denied(text: str, terms: Iterable[str]) -> list[Span]:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True) if t.strip())
    if not alternatives:
        return []
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    return [Span(m.start(), m.end(), DENIED_TERM, 1.0) for m in pattern.finditer(text)]


def custom(text: str, entities: frozenset[str], deny: Iterable[str]) -> list[Span]:
    """Every custom detector the configured entity types call for."""
    spans: list[Span] = []
    if "PHONE_NUMBER" in entities:
        spans += phones(text)
    if "CREDIT_CARD" in entities:
        spans += cards(text)
    if "IBAN_CODE" in entities:
        spans += ibans(text)
    if "SECRET" in entities:
        spans += secrets(text)
    if "STREET_ADDRESS" in entities:
        spans += addresses(text) + loose_addresses(text)
    if "PERSON" in entities:
        spans += names(text)
    spans += denied(text, deny)
    return spans
