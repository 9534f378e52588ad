"""Detectors for what presidio's defaults miss: international phones, names in greetings and
signatures, street addresses (multi-line too), IBANs with any spacing, secrets, deny-lists.
Pure Python (regex + phonenumbers): each returns `Span`s over the text it was given."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

from core.pii import patterns as p
from core.pii.config import DENIED_TERM
from core.pii.spans import Span
from core.pii.words import COMMON_WORDS, GREETINGS, INTRODUCTIONS, SIGN_OFFS, WEAK_INTRODUCTIONS

# -- phones ----------------------------------------------------------------------------------
_PHONE_CONTEXT = re.compile(
    r"(?i)(?:phone|call|tel|mobile|cell|number|whats ?app|text|sms|reach|contact|fax|ring|dial)\W{0,20}$"
)
_PHONE_CONTEXT_AFTER = re.compile(r"(?i)[\s,()-]{0,3}(?:office|fax|mobile|cell|home|work|tel|phone)\b")
_CARD_CONTEXT = re.compile(r"(?i)(?:card|cc|credit|debit|visa|mastercard|amex|number|no\.?|#)\W{0,20}$")
_CARD_DIGITS = re.compile(r"(?<![\w-])\d(?:[ -]?\d){11,18}(?![\w-])")
_DATE_LIKE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_IP_LIKE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_SSN_LIKE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_EXTENSION = re.compile(r"(?i)\s*(?:x|ext\.?|extension)\s*\d{1,5}$")


def phones(text: str) -> list[Span]:
    found = []
    for match in p.PHONE_CANDIDATE.finditer(text):
        candidate = match.group()
        core = _EXTENSION.sub("", candidate)
        digits = re.sub(r"\D", "", core)
        context = bool(_PHONE_CONTEXT.search(text[max(0, match.start() - 40) : match.start()]))
        context = context or bool(_PHONE_CONTEXT_AFTER.match(text, match.end()))
        score = _phone_score(core, digits)
        if score == 0.0 and context and 7 <= len(digits) <= 9 and not _DATE_LIKE.match(core):
            score = 0.4
        if score == 0.0:
            continue
        if context:
            score = min(1.0, score + 0.2)
        found.append(Span(match.start(), match.end(), "PHONE_NUMBER", score))
    return found


def _phone_score(core: str, digits: str) -> float:
    if core.startswith(("+", "00")):
        number = "+" + digits[2:] if core.startswith("00") else core
        try:
            parsed = phonenumbers.parse(number, None)
            if phonenumbers.is_possible_number(parsed):
                return 0.9
        except phonenumbers.NumberParseException:
            pass
        return 0.6 if 8 <= len(digits) <= 15 else 0.0
    if len(digits) not in (10, 11) or _DATE_LIKE.match(core) or _IP_LIKE.match(core) or _SSN_LIKE.match(core):
        return 0.0
    groups = [g for g in re.split(r"\D+", core) if g]
    if any(len(g) == 1 for g in groups[1:]):
        return 0.0
    return 0.45 if len(groups) == 1 else 0.7


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


# -- street addresses ------------------------------------------------------------------------
_SEPARATOR = re.compile(r"[ \t]*(?:,[ \t]*\n?|\n)[ \t,]*")
_SEGMENT = re.compile(r"[^,\n;!?]*")
_SAME_LINE_TAIL = re.compile(
    r"(?:[ \t]+(?:[A-Z][a-z]+|[A-Z]{2})){0,3}(?:,?[ \t]+[A-Z]{2})?(?:[ \t]+\d{5}(?:-\d{4})?)(?=\W|$)"
)
_MILITARY = re.compile(
    r"\b(?:PSC \d{3,5},? Box \d{3,5}|Unit \d{3,5},? Box \d{3,5}|US[A-Z]{1,3} [A-Z][a-z]+)"
    r"\s*\n?\s*(?:APO|FPO|DPO) A[AEP] \d{5}\b"
)


def addresses(text: str) -> list[Span]:
    found = []
    anchors = [(m, 0.85) for m in p.STREET_WITH_NUMBER.finditer(text)]
    anchors += [(m, 0.85) for m in p.EUROPEAN_STREET.finditer(text)]
    anchors += [(m, 0.6) for m in p.STREET_NAME_ONLY.finditer(text)]
    anchors += [(m, 0.7) for m in p.NUMBERED_STREET.finditer(text)]
    anchors += [(m, 0.9) for m in p.PO_BOX.finditer(text)]
    for match, score in anchors:
        start = match.start()
        if score < 0.8 and _first_word_common(match.group()):
            start = _skip_common_words(text, start, match.end())
            if start is None:
                continue
        found.append(Span(start, _extend_address(text, match.end()), "STREET_ADDRESS", score))
    for cue in p.ADDRESS_CUE.finditer(text):
        start, end = cue.span("address")
        found.append(Span(start, _extend_address(text, end), "STREET_ADDRESS", 0.7))
    found += [Span(m.start(), m.end(), "STREET_ADDRESS", 0.9) for m in _MILITARY.finditer(text)]
    return found


def _first_word_common(value: str) -> bool:
    return value.split()[0].lower() in COMMON_WORDS


def _skip_common_words(text: str, start: int, end: int) -> int | None:
    words = list(re.finditer(r"\S+", text[start:end]))
    for index, word in enumerate(words[:-1]):
        if word.group().lower() not in COMMON_WORDS:
            return start + word.start() if index < len(words) - 1 else None
    return None


def _extend_address(text: str, end: int) -> int:
    """Grow an address over a unit, city, state, postcode and country, on one or more lines."""
    tail = _SAME_LINE_TAIL.match(text, end)
    if tail:
        end = tail.end()
    unit = p.SECONDARY_UNIT.match(text[end:].lstrip(" "))
    if unit:
        end = end + (len(text[end:]) - len(text[end:].lstrip(" "))) + unit.end()
    for _ in range(5):
        separator = _SEPARATOR.match(text, end)
        if separator is None:
            break
        segment = _SEGMENT.match(text, separator.end()).group().rstrip(" .")
        if "\n\n" in separator.group() and not re.search(r"\b\d{4,6}\b", segment):
            break
        taken = _address_part(segment)
        if taken == 0:
            break
        end = separator.end() + taken
        if taken < len(segment):
            break
    return end


_PLACE_WORDS = {
    "new",
    "north",
    "south",
    "east",
    "west",
    "central",
    "main",
    "old",
    "saint",
    "st",
    "fort",
    "mount",
}
_NOT_PLACE = COMMON_WORDS - _PLACE_WORDS
_POSTCODE_PART = re.compile(r"(?=[A-Z]*\d)[A-Z0-9]{2,4}|\d{4,6}(?:-\d{4})?")


def _address_part(segment: str) -> int:
    """How much of `segment` continues an address (unit, city, state, postcode, country)."""
    unit = p.SECONDARY_UNIT.match(segment)
    if unit:
        return unit.end()
    taken = 0
    for count, word in enumerate(re.finditer(r"\S+", segment)):
        token = word.group()
        place = token[0].isupper() and token.lower().strip(".") not in _NOT_PLACE
        if count >= 6 or not (place or _POSTCODE_PART.fullmatch(token)):
            break
        taken = word.end()
    return taken


# -- person names ----------------------------------------------------------------------------
_NAME_WORD = rf"[{p.UPPER}][{p.UPPER}{p.LOWER}'’-]+\b"
_PARTICLE = r"(?:(?:van|von|de|da|del|der|di|du|dos|la|le|bin|al)\s+)"
_NAME = rf"{_NAME_WORD}(?:\s+[{p.UPPER}](?:\.|(?=\s)))?(?:\s+{_PARTICLE}?{_NAME_WORD}){{0,2}}"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+)"
_NAME_TRIGGERS = [  # (pattern, score, fewest name words)
    (re.compile(rf"(?:^|(?<=[\n.!?,]))\s*(?i:{GREETINGS})\s*,?\s+(?P<name>{_TITLE}?{_NAME})"), 0.8, 1),
    (re.compile(rf"(?i:\b(?:{SIGN_OFFS}))\s*[,!.]*\s*(?:\n\s*)?[-–—]*\s*(?P<name>{_NAME})"), 0.75, 1),
    (re.compile(rf"(?i:\b(?:{INTRODUCTIONS}))\s+(?P<name>{_TITLE}?{_NAME})"), 0.5, 1),
    (re.compile(rf"(?i:\b(?:{WEAK_INTRODUCTIONS}))\s+(?P<name>{_NAME})"), 0.45, 2),
    (re.compile(rf"\b(?P<name>{_TITLE}{_NAME})"), 0.85, 1),
    # a line that is only a name: signatures, address blocks, "Name:" forms
    (
        re.compile(
            rf"(?m)^[ \t]*(?:(?i:name|customer|contact|from|to|user)\s*:\s*)?(?P<name>{_NAME})[ \t]*,?$"
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
        spans += addresses(text)
    if "PERSON" in entities:
        spans += names(text)
    spans += denied(text, deny)
    return spans
