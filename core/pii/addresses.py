"""Street addresses: US and international street names with a house number before or after
them, P.O. boxes, military addresses, and the unit, city, postcode and country lines that follow
(several lines, also when each line starts with a quote or bullet marker)."""

from __future__ import annotations

import re

from core.pii import gazetteer
from core.pii import patterns as p
from core.pii.spans import Span
from core.pii.words import COMMON_WORDS

# a comma or a line break; a new line may open with a quote or bullet marker ("> ", "- ", "| ")
# (after a blank line only a line with a postcode still belongs to the address: see below)
_SEPARATOR = re.compile(r"[ \t]*(?:,[ \t]*\n?|\n(?:[ \t]*\n)?)[ \t,]*(?:(?<=\n)[^\w\s]{1,4}[ \t]+)?")
ADDRESS = "STREET_ADDRESS"
_NUMBER_BEFORE = re.compile(r"(?<![\w.,:-])\d{1,6}[A-Za-z]?[ \t]+$")
_SEGMENT = re.compile(r"[^,\n;!?]*")
_SAME_LINE_TAIL = re.compile(
    r"(?:[ \t]+(?:[A-Z][a-z]+|[A-Z]{2})){0,3}(?:,?[ \t]+[A-Z]{2})?(?:[ \t]+\d{5}(?:-\d{4})?)(?=\W|$)"
)
_MILITARY = re.compile(
    r"\b(?:PSC \d{3,5},? Box \d{3,5}|Unit \d{3,5},? Box \d{3,5}|"
    rf"US[A-Z]{{1,3}}(?: (?:van|von|de|der|del|da|di|la|le))* [{p.UPPER}]\w+)"
    r"\s*\n?\s*(?:APO|FPO|DPO) A[AEP] \d{5}\b"
)


def addresses(text: str) -> list[Span]:
    found = []
    anchors = [(m, 0.85) for m in p.STREET_WITH_NUMBER.finditer(text)]
    anchors += [(m, 0.85) for m in p.EUROPEAN_STREET.finditer(text)]
    anchors += [(m, 0.6) for m in p.STREET_NAME_ONLY.finditer(text)]
    anchors += [(m, 0.5) for m in p.STREET_WITHOUT_NUMBER.finditer(text) if not _ordinary_words(m.group())]
    anchors += [(m, 0.7) for m in p.NUMBERED_STREET.finditer(text)]
    anchors += [(m, 0.9) for m in p.PO_BOX.finditer(text)]
    for match, score in anchors:
        start = match.start()
        if score < 0.8 and _first_word_common(match.group()):
            skipped = _skip_common_words(text, start, match.end())
            if skipped is None:
                continue
            start = skipped
        found.append(
            Span(_house_number_before(text, start), _extend_address(text, match.end()), ADDRESS, score)
        )
    for cue in p.ADDRESS_CUE.finditer(text):
        start, end = cue.span("address")
        if not _numbered_words(cue.group("address")) and not _VERSION_AFTER.match(text, end):
            found.append(Span(_house_number_before(text, start), _extend_address(text, end), ADDRESS, 0.7))
    for match in p.NUMBER_THEN_STREET_WORD.finditer(text):
        if not _numbered_words(match.group()):
            found.append(Span(match.start(), _extend_address(text, match.end()), ADDRESS, 0.7))
    for match in p.STREET_BEFORE_POSTCODE.finditer(text):
        if not _numbered_words(match.group()):
            found.append(Span(match.start(), _extend_address(text, match.end()), ADDRESS, 0.7))
    for cue in p.STREET_NAME_CUE.finditer(text):
        if not _numbered_words(cue.group("address")):
            found.append(Span(cue.start("address"), _extend_address(text, cue.end("address")), ADDRESS, 0.55))
    for cue in p.ADDRESS_CONTEXT.finditer(text):
        start, end = cue.span("address")
        if not _numbered_words(cue.group("address")):
            found.append(Span(start, _extend_address(text, end), ADDRESS, 0.6))
    found += [Span(m.start(), m.end(), ADDRESS, 0.9) for m in _MILITARY.finditer(text)]
    return found + _more_shapes(text)


def _more_shapes(text: str) -> list[Span]:
    """Flats and postcodes named on their own, street names with a US street type, lowercase streets
    and house numbers written with a sign ("Nr. 21")."""
    found = [Span(m.start(), m.end(), ADDRESS, 0.6) for m in p.STANDALONE_UNIT.finditer(text)]
    found += [Span(*m.span("code"), ADDRESS, 0.6) for m in p.POSTCODE_CUE.finditer(text)]
    for match in p.NAME_AND_STREET_TYPE.finditer(text):
        name = match.group().split()[0]
        if not _ordinary_words("x " + name) and name.lower() not in COMMON_WORDS:
            found.append(Span(match.start(), _extend_address(text, match.end()), ADDRESS, 0.5))
    for match in p.LOWERCASE_STREET.finditer(text):
        if not any(w in COMMON_WORDS for w in match.group().split()[1:-1]):
            found.append(Span(match.start(), match.end(), ADDRESS, 0.55))
    for match in p.STREET_THEN_NUMBER_SIGN.finditer(text):
        if not _numbered_words(re.sub(r"(?i)\b(?:nr|no|num|núm)\b\.?|[nN][º°]|n\.º", " ", match.group())):
            found.append(Span(match.start(), _extend_address(text, match.end()), ADDRESS, 0.7))
    return found


def _house_number_before(text: str, start: int) -> int:
    """Take in a building or house number written just before the street ("083 254 Damvergi
    Street", "7908 Rue de Bouillon 316", "Flat 3, 12 High Street" keeps to "12 High Street")."""
    before = _NUMBER_BEFORE.search(text, max(0, start - 12), start)
    return before.start() if before else start


def _ordinary_words(value: str) -> bool:
    """ "Plaza Hotel", "Rue Mistakes": the name part is made of English words."""
    english = gazetteer.load().english_words
    words = [w.lower() for w in re.findall(r"[\w'’-]+", value)[1:] or [value]]
    return all(w in english or w in COMMON_WORDS for w in words)


_VERSION_AFTER = re.compile(r"[.,:/]\d")  # "Python 3.12", "Room 4/5"


def _numbered_words(value: str) -> bool:
    """ "Windows 10", "Room 4", "Gate 12": English words and a number, not a street."""
    return _ordinary_words("x " + re.sub(r"\d\w*", " ", value))


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
    number_tail = p.NUMBER_TAIL.match(text, end)  # "Stationsweg 4-6", "Dorpsstraat 12 bis"
    end = number_tail.end() if number_tail else end
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
        segment_match = _SEGMENT.match(text, separator.end())
        assert segment_match is not None  # the pattern also matches the empty string
        segment = segment_match.group().rstrip(" .")
        if separator.group().count("\n") > 1 and not re.search(r"\b\d{4,6}\b", segment):
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
_PLACE_PARTICLES = frozenset(
    "de da do dos das del della di du des la le les sur sous am an im der den van von upon on "
    "nad pod na u bei en y e lès".split()
)
_NOT_REGION = frozenset("OK ASAP FYI PS BTW THX TIA NB".split())  # shouting, not a state or town
_POSTCODE_PART = re.compile(r"(?=[A-Z]*\d)[A-Z0-9]{2,4}|\d{4,6}(?:-\d{4})?|\d{2}-\d{3}")
_DISTRICT = re.compile(r"\d{1,2}")  # "Praha 1", "Wien 3": a district number after the town
_QUALIFIER = re.compile(r"\([A-Z][a-z]+\)")  # "Cyprus (Greek) 10080"


def _address_part(segment: str) -> int:
    """How much of `segment` continues an address (unit, city, state, postcode, country)."""
    unit = p.SECONDARY_UNIT.match(segment)
    if unit:
        return unit.end()
    taken = 0
    for count, word in enumerate(re.finditer(r"\S+", segment)):
        token = word.group()
        if token in _PLACE_PARTICLES:  # "Teixeira de Freitas", "Frankfurt am Main": taken with what follows
            continue
        place = token[0].isupper() and token.lower().strip(".") not in _NOT_PLACE
        place = place or (token.isupper() and token.isalpha() and token not in _NOT_REGION)  # "ON", "KNIVSTA"
        after_place = count > 0 and taken > 0
        district = after_place and _DISTRICT.fullmatch(token)
        qualifier = after_place and _QUALIFIER.fullmatch(token)
        closing = token.endswith(".") and _POSTCODE_PART.fullmatch(token[:-1])  # "NH 53537. Cheers"
        if closing:
            return word.end() - 1
        if count >= 6 or not (place or district or qualifier or _POSTCODE_PART.fullmatch(token)):
            break
        taken = word.end()
    return taken
