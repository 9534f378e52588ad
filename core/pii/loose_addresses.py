"""Street addresses the structured rules (`addresses`) miss: written in lower case ("542 fuentes
ridges, south sarah, pe a6n5g2", "aleja jodłowa 30, 06-377 sosnowiec") or in Japanese
("長野県あきる野市東和町4丁目16番19号"). An address here is a street with a house number, then a
postcode within three more comma- or line-separated parts (a postcode is what makes it an
address: "3 kids, 2 cats" has none)."""

from __future__ import annotations

import re

from core.pii import gazetteer
from core.pii import patterns as p
from core.pii.spans import Span
from core.pii.words import COMMON_WORDS

ADDRESS = "STREET_ADDRESS"
_STREET_TYPE = re.compile(rf"(?i:{p.STREET_SUFFIXES})\.?")
_WORD = r"[^\W\d_][\w'’.-]*"
_STREET = (
    rf"(?:\d{{1,6}}[a-z]?,?[ \t]+(?:{_WORD}[ \t]+){{0,4}}{_WORD}"  # "542 fuentes ridges"
    rf"|(?:{_WORD}[ \t]+){{0,4}}{_WORD},?[ \t]+\d{{1,5}}[a-z]?(?:/\d{{1,4}})?)"  # "aleja jodłowa 30"
    r"(?:,?[ \t]+(?:apt|apartment|suite|unit|flat|ste)\.?[ \t]*#?\w{1,6})?"
)
_POSTCODE = (
    r"(?:\d{5}(?:-\d{3,4})?|\d{2}-\d{3}|\d{3}[ \t]?\d{2}|\d{4}|\d{6}|\d{8}|"
    r"[a-z]\d[a-z][ \t]?\d[a-z]\d|[a-z]{1,2}\d[a-z\d]?[ \t]?\d[a-z]{2})"
)
_PART = r"[^,\n.!?;:()]{1,40}"
LOWERCASE = re.compile(
    rf"(?<![\w@.-])(?P<street>{_STREET})"
    rf"(?P<tail>(?:[ \t]*(?:,|\n)[ \t]*{_PART}?){{0,3}}?[ \t]*(?:,|\n)[ \t]*(?:[a-z]{{2}}[ \t]+)?"
    rf"{_POSTCODE}(?![\w-])(?:[ \t]+{_WORD}){{0,3}}(?:[ \t]*/[ \t]*[a-z]{{2}}\b)?)",
    re.IGNORECASE,
)
_KANA_KANJI = "[\u3400-\u9fff\u3040-\u30ffー々ヶ]"
JAPANESE = re.compile(  # prefecture, city, district, then chōme, ban, gō; a building and room after
    rf"(?:{_KANA_KANJI}{{1,6}}[都道府県])?{_KANA_KANJI}{{1,20}}?"
    rf"\d{{1,4}}丁目(?:\d{{1,4}}番(?:地)?)?(?:\d{{1,4}}号)?(?:[ \u3000]{_KANA_KANJI}{{1,20}}\d{{1,5}})?"
)


def loose_addresses(text: str) -> list[Span]:
    found = [Span(m.start(), m.end(), ADDRESS, 0.6) for m in JAPANESE.finditer(text)]
    for match in LOWERCASE.finditer(text):
        start = _skip_common_words(text, match.start(), match.end("street"))
        if start is not None:
            found.append(
                Span(start, _without_trailing_words(text, match.end("street"), match.end()), ADDRESS, 0.55)
            )
    return found


def _without_trailing_words(text: str, floor: int, end: int) -> int:
    """Drop everyday words the city pattern took after the postcode ("… 75643 today")."""
    english = gazetteer.load().english_words
    while end > floor:
        last = re.search(r"(\S+)\s*$", text[floor:end])
        if last is None:
            break
        word = last.group(1).lower().strip(".,!?")
        if word not in COMMON_WORDS and word not in english or any(c.isdigit() for c in word):
            break
        end = floor + last.start()
    return len(text[:end].rstrip(" \t.,"))


def _skip_common_words(text: str, start: int, street_end: int) -> int | None:
    """Where the street starts: at its house number when it opens with one, else after the last
    everyday word ("i live at", "went to") and any dictionary words after that; None when only
    a number is left ("at 5, 12345")."""
    english = gazetteer.load().english_words
    words = list(re.finditer(r"\S+", text[start:street_end]))
    lowered = [w.group().lower().strip(",") for w in words]
    numbers = [i for i, w in enumerate(lowered) if w[:1].isdigit()]
    if not numbers:
        return None
    cut = max((i + 1 for i, w in enumerate(lowered[: numbers[0]]) if w in COMMON_WORDS), default=0)
    while cut < numbers[0] and lowered[cut] in english:
        cut += 1
    if cut == numbers[0] and (cut + 1 >= len(words) and cut > 0):
        return None
    named = [w for w in lowered[cut:] if not re.fullmatch(r"[\d/,]+\w?", w)]
    if not named or not any(
        w not in english and w not in COMMON_WORDS or _STREET_TYPE.fullmatch(w) for w in named
    ):
        return None  # "500 units, 20 returns, 12000": dictionary words, no street type
    return start + words[cut].start()
