"""Phone numbers in any common national or international format.

A candidate is a run of digits with phone-like separators (spaces, dashes, dots, parentheses).
International numbers (`+44 …`, `0049 …`) are checked with `phonenumbers`. A national number
without a country code ("030 1234567", "(0)20 7946 0958", "555-0134", "72 805 20 53") counts
when it is grouped like a phone number, is valid in at least one of the likely regions, and
nothing around it says it is an order number, an amount or a version. Words such as "phone",
"Telefon", "téléphone", "móvil" before it (or "office", "fax" after it) raise the score."""

from __future__ import annotations

import re

import phonenumbers

from core.pii import patterns as p
from core.pii.spans import Span

PHONE = "PHONE_NUMBER"
# Where most of our users' national numbers come from; a number valid in none is not masked
# without a phone word next to it.
LIKELY_REGIONS = (
    "US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "LU", "NL", "ES", "PT", "IT", "GR", "CY",
    "PL", "CZ", "SK", "HU", "SI", "HR", "RO", "DK", "SE", "NO", "FI", "IS", "BR", "MX", "AR", "IN",
    "AU", "NZ", "ZA", "JP",
)  # fmt: skip
_PHONE_WORDS = (
    r"phone|telephone|tel|mobile|cell|cellphone|whats ?app|signal|text|sms|reach|contact|fax|"
    r"ring|dial|call|hotline|landline|"
    r"telefon|handy|mobil|rufnummer|anrufen|"  # de, sv, da, no
    r"t[ée]l[ée]phone|t[ée]l|portable|appel(?:ez|er)|"  # fr
    r"tel[ée]fono|m[óo]vil|celular|llam(?:ar|e)|"  # es
    r"telefono|cellulare|chiam(?:are|ami)|"  # it
    r"telefoon|mobiel|bellen|"  # nl
    r"telefone|ligar|liga|"  # pt
    r"puhelin|telefonnummer|telefonu|zadzwo[nń]"  # fi, sv, pl
)
_NUMBER_WORDS = r"number|no|nr|num[ée]ro|n[úu]mero|numero|nummer|numer"  # phone or order number?
_CONTEXT_BEFORE = re.compile(rf"(?i)\b(?:{_PHONE_WORDS})\b(?:\W+\w+){{0,4}}?[\W_]*$")
_NUMBER_BEFORE = re.compile(rf"(?i)\b(?:{_NUMBER_WORDS})\b(?:\W+\w+){{0,2}}?[\W_]*$")
_CONTEXT_AFTER = re.compile(r"(?i)[\s,()/-]{0,3}(?:office|fax|mobile|cell|home|work|tel|phone|landline)\b")
# Words that make a digit group something else: an order number, an amount, a version.
_NOT_PHONE_BEFORE = re.compile(
    r"(?i)(?:\b(?:order|invoice|ticket|case|ref|reference|tracking|shipment|parcel|serial|version|"
    r"build|release|id|account|acct|customer|client|contract|policy|member|zip|postcode|postal|isbn|"
    r"amount|total|price|sum|balance|salary|pay|paid|cost|costs|fee|eur|usd|gbp|chf|sek|rs|room|"
    r"error|errors|code|codes|pin|otp|invoice)\b|[#$€£¥№])[\W_]{0,3}(?:\w+[\W_]{1,3}){0,2}$"
)
_NOT_PHONE_AFTER = re.compile(
    r"(?i)\s?(?:%|[$€£¥]|(?:ms|s|sec|seconds|min|minutes|h|hours|days|kb|mb|gb|tb|bytes|px|km|m|kg|g|"
    r"eur|usd|gbp|chf|euros?|dollars?|pounds?|items|units|rows|users|people|words|pages|times|views|"
    r"downloads|records|lines)\b)"
)
_DATE_LIKE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_IP_LIKE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_SSN_LIKE = re.compile(r"^\d{3}-\d{2}-\d{4}$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:([ ,.'])\d{3})(?:\1\d{3})*$")  # 1 250 000, 12,500.000
_YEAR = re.compile(r"(?:19|20)\d\d")
_EXTENSION = re.compile(r"(?i)\s*(?:x|ext\.?|extension)\s*\d{1,5}$")


def phones(text: str) -> list[Span]:
    found = []
    for match in p.PHONE_CANDIDATE.finditer(text):
        core = _EXTENSION.sub("", match.group())
        digits = re.sub(r"\D", "", core)
        before = text[max(0, match.start() - 40) : match.start()]
        other = _looks_like_something_else(text, match, before)
        context = bool(_CONTEXT_BEFORE.search(before) or _CONTEXT_AFTER.match(text, match.end()))
        context = context or (not other and bool(_NUMBER_BEFORE.search(before)))
        score = _score(core, digits)
        if score == 0.0 and context and 7 <= len(digits) <= 9 and not _DATE_LIKE.match(core):
            score = 0.4
        elif score and score < 0.9 and not context and other:
            score = 0.0
        if score == 0.0:
            continue
        if context:
            score = min(1.0, score + 0.2)
        found.append(Span(match.start(), match.end(), PHONE, score))
    return found


def _looks_like_something_else(text: str, match: re.Match[str], before: str) -> bool:
    return bool(_NOT_PHONE_BEFORE.search(before) or _NOT_PHONE_AFTER.match(text, match.end()))


def _score(core: str, digits: str) -> float:
    if core.startswith(("+", "00")):
        return _international_score(core, digits)
    if _DATE_LIKE.match(core) or _IP_LIKE.match(core) or _SSN_LIKE.match(core):
        return 0.0
    groups = [g for g in re.split(r"\D+", core) if g]
    if len(digits) in (10, 11):  # North American and similar national numbers
        if any(len(g) == 1 for g in groups[1:]):
            return 0.0
        return 0.45 if len(groups) == 1 else 0.7
    return _national_score(core, digits, groups)


def _international_score(core: str, digits: str) -> float:
    number = "+" + digits[2:] if core.startswith("00") else core
    try:
        if phonenumbers.is_possible_number(phonenumbers.parse(number, None)):
            return 0.9
    except phonenumbers.NumberParseException:
        pass
    return 0.6 if 8 <= len(digits) <= 15 else 0.0


def _national_score(core: str, digits: str, groups: list[str]) -> float:
    """A grouped national number of 7 to 12 digits ("030 1234567", "72 805 20 53", "555-0134")."""
    if not 7 <= len(digits) <= 12 or len(groups) < 2 or len(groups) > 5 or _THOUSANDS.match(core):
        return 0.0
    if len(groups[0]) == 1 and not core.startswith("("):  # "3 1415926": a number, not a phone
        return 0.0
    if max(len(g) for g in groups) > 8 or all(_YEAR.fullmatch(g) for g in groups):
        return 0.0
    for region in LIKELY_REGIONS:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(core, region)):
                return 0.4
        except phonenumbers.NumberParseException:
            return 0.0
    return 0.0
