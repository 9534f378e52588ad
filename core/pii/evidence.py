"""Is this capitalised word a person, or a place, a product, a title? Weighs the evidence for and
against every PERSON candidate before it is masked, so that "the capital of France", "install
Docker" and "who wrote Hamlet" keep their names while "my colleague Paris called me" does not.

For: a known given name or surname (`gazetteer`), a first name next to a surname, the NER model's
PERSON label, a verb of speech after it ("Paris called me"). Decisive for: a cue that only a
person takes (a greeting, a sign-off, a title, "my name is", "my colleague", a vocative).
Against: a known place (countries, regions and big cities weigh more than towns), a technology,
the NER model's place/organisation/product/title labels, a place, product or title cue around
it ("flights to X", "X version 3", "who wrote X"), a landmark or company word beside it
("Mount X", "X River", "X Inc"). A candidate is masked when the sum reaches `MASK_AT`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.pii import gazetteer
from core.pii.person import PERSON, Token
from core.pii.spans import Span
from core.pii.words import GREETINGS, SIGN_OFFS

MASK_AT = 0.35
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_THINGS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "LANGUAGE", "LAW"})
_PLACES = frozenset({"GPE", "LOC", "FAC", "NORP"})

_DECISIVE_BEFORE = re.compile(
    rf"(?i:(?:^|[\n.!?,;:(])\s*(?:{GREETINGS})[\s,]*"
    rf"|\b(?:{SIGN_OFFS})[\s,.!-]*\n?[\s-]*"
    r"|\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|madam|mister|herr|frau|monsieur|madame|señor|señora|signor|signora)\.?\s+"
    r"|\b(?:my name is|my name's|name is|i am|i'm|this is|call me|ask for|speak to|speak with|talk to|"
    r"spoke to|spoke with|attn:?|attention:?|signed|from:|to:|cc:?|customer:|requester:|name:|"
    r"assigned to|on behalf of|named|starring|directed by|written by|sung by|user|username|ping|dm|"
    r"(?:my|our|your|his|her|their)\s+(?:\w+\s+)?(?:colleague|manager|friend|wife|husband|son|daughter|"
    r"mother|father|mom|mum|dad|brother|sister|partner|boss|coworker|co-worker|teammate|neighbou?r|"
    r"landlord|landlady|tenant|client|customer|boyfriend|girlfriend|fiancée?|aunt|uncle|cousin|niece|"
    r"nephew|grandma|grandpa|grandmother|grandfather|kid|child|assistant|supervisor|lawyer|doctor|"
    r"dentist|tutor|teacher|student|intern|roommate|flatmate|contact|rep|agent))\s+)$"
)
_DECISIVE_AFTER = re.compile(
    r"^(?:,\s*(?:can|could|would|will|please|thanks|thank|did|do|are|have)\b|\s+here\s*(?:[.!,]|$))"
)
_SPEECH_BEFORE = re.compile(
    r"(?i:\b(?:says|said|asks|asked|replies|replied|adds|added|explains|explained)\s+)$"
)
_SPEECH_AFTER = re.compile(
    r"^\s+(?:said|says|told|asked|asks|emailed|texted|phoned|called me|called us|replied|mentioned|"
    r"promised|thinks|thought|agreed|complained|wants|wanted|needs|will call|will email|is on leave|"
    r"is off|is out|signed|approved|joined|left the|sent me|sent us|gave me|owes)\b"
    r"|^['’]s\s+(?:email|e-mail|phone|number|mobile|address|wife|husband|son|daughter|mother|father|"
    r"manager|boss|birthday|desk|laptop|account|cell|kids|family)\b"
)
_PLACE_BEFORE = re.compile(
    r"(?i:\b(?:in|to|from|at|near|into|via|across|around|through|towards?|visit|visiting|visited|"
    r"capital of|city of|weather|forecast|fly|flying|flights?|trains?|trip|travel(?:l?ing)?|moved|move|"
    r"moving|live|living|based|population of|map of|outside|downtown|north of|south of|east of|"
    r"west of|between|and|or|tour of|people of|history of|time in|hotels?|office|branch)\s+(?:the\s+)?)$"
)
_PLACE_AFTER = re.compile(
    r"^(?:\s*,\s*(?:[A-Z][a-z]+|[A-Z]{2})\b|\s+(?:or|and)\s+[A-Z][a-z]+\s+for\b|\s+(?:office|offices|"
    r"branch|airport|region|area|city|suburbs|station|campus|team|site|store|time|weather|in winter|"
    r"in summer|worth|is in|located)\b)"
)
_THING_VERB_BEFORE = re.compile(
    r"(?i:\b(?:install|installed|installing|uninstall|using|use|used|uses|open|opened|opening|launch|"
    r"update|updated|updating|upgrade|upgraded|configure|configured|deploy|deployed|migrate|migrating|"
    r"migrated|switch(?:ed)? to|switching to|learn|learning|learned|code in|written in|program in|"
    r"support for|integration (?:with|for)|account on|logged into|log into|login to|sign in to|"
    r"subscribe to|subscription to|pros and cons of|alternative to|alternatives to|compare|"
    r"who owns|shares of|stock of|is there an?|does|do)\s+)$"
)
_THING_BEFORE = re.compile(r"(?i:\b(?:the|my|our|your|a|an|with|on|in|from|of|to)\s+)$")
_THING_AFTER = re.compile(
    r"^(?:(?:\s+(?:have|has|had|got|offer|offers|support|supports)\s+(?:an?|any|the|its)?)?\s+(?:\d[\w.]*|v\d[\w.]*|version|app|apps|account|api|sdk|cli|server|servers|plugin|plugins|"
    r"extension|integration|licen[cs]e|licen[cs]es|subscription|update|updates|installer|docs|"
    r"documentation|dashboard|workspace|instance|cluster|project|repo|board|ticket|tickets|issue|"
    r"channel|support|store|login|password|keeps|crashes|crashed|crashing|is down|outage|pro|premium|"
    r"cloud|desktop|mobile|web|stock|shares|cost|costs|pricing|handles?|release|build|builds|"
    r"for (?:mac|windows|linux|android|ios)|inc|ltd|llc|gmbh|ag|corp|co|group|bank|airlines|"
    r"motors|labs|technologies|systems|software)\b|['’]s\s+(?:api|app|website|stock|ceo|headquarters|"
    r"shares?|price|market|founder|servers?|support|pricing|new))"
)
_TITLE_BEFORE = re.compile(
    r"(?i:\b(?:wrote|written|write|read|reading|reread|watch|watched|watching|film|movie|novel|"
    r"song|album|series|opera|musical|sequel to|prequel to|plot of|author of|director of|summary of|"
    r"ending of|cast of|review of|chapter of|similar to|climb|climbed|climbing|tall is|high is|"
    r"height of|tickets? for|facts about|take to see|argued about|seen)\s+)$"
)
_WEAK_TITLE_BEFORE = re.compile(
    r"(?i:\b(?:saw|see|like|about|visit|built|old is|long is|is|was|recommended|finished)\s+)$"
)
_TITLE_AFTER = re.compile(
    r"(?i)^(?:\s+(?:is based on|based on|was built|built|is suitable|sequel|movie|film|book|novel|trailer|"
    r"soundtrack|ending|so famous|worth|and loved it|to me|suitable for)\b|\s*\?\s*is it good)"
)
_LANDMARK_WORD = (
    r"mount|mt|lake|river|sea|ocean|bay|gulf|cape|island|isle|islands|falls|canyon|valley|desert|"
    r"glacier|peak|tower|bridge|cathedral|church|abbey|palace|castle|museum|gallery|park|square|temple|"
    r"mosque|wall|gate|statue|monument|memorial|stadium|arena|airport|station|university|college|"
    r"institute|hospital|mountains|hills|alps|forest|national|fort|port|saint|st|san|santa|lago|rio"
)
_LANDMARK_WORDS = frozenset(_LANDMARK_WORD.split("|"))
_LANDMARK_BEFORE = re.compile(rf"(?i:\b(?:{_LANDMARK_WORD})\.?\s+)$")
_LANDMARK_AFTER = re.compile(rf"^(?i:\s+(?:{_LANDMARK_WORD})\b)")


def weigh(text: str, tokens: Sequence[Token], spans: Sequence[Span]) -> list[Span]:
    """`spans` without the PERSON candidates the evidence says are not people (and without
    street-address guesses with no number that name a landmark: "Niagara Falls")."""
    kept = []
    for candidate in spans:
        span = _trimmed(text, tokens, candidate) if candidate.type == PERSON else candidate
        if span is None:
            continue
        if span.type == PERSON:
            if not is_person(text, tokens, span):
                continue
        elif span.type == "STREET_ADDRESS" and span.score < 0.7 and _landmark(text[span.start : span.end]):
            continue
        kept.append(span)
    return kept


_NATURAL_FEATURE = frozenset(
    "river lake falls mount mt sea ocean bay gulf canyon valley glacier peak tower bridge cathedral "
    "palace castle museum temple mosque abbey monument memorial mountains alps desert".split()
)


def _landmark(value: str) -> bool:
    return not re.search(r"\d", value) and any(w.lower() in _NATURAL_FEATURE for w in value.split())


def _trimmed(text: str, tokens: Sequence[Token], span: Span) -> Span | None:
    """The span without leading or trailing words that are not names: a verb the NER model took
    in ("Compare Chrome"), a lowercase dictionary word ("jenkins version")."""
    inside = [t for t in tokens if span.start <= t.start and t.end <= span.end]
    if len(inside) < 2:
        return span
    names = gazetteer.load()

    def not_a_name(token: Token) -> bool:
        word = token.text.lower()
        if token.tag.startswith("VB") and word not in names.first_names:
            return True
        return token.text.islower() and word in names.english_words and word not in names.first_names

    while inside and not_a_name(inside[0]):
        inside.pop(0)
    while inside and not_a_name(inside[-1]):
        inside.pop()
    return Span(inside[0].start, inside[-1].end, span.type, span.score) if inside else None


def is_person(text: str, tokens: Sequence[Token], span: Span) -> bool:
    """Masked unless something speaks against a person and outweighs what speaks for one."""
    against = evidence_against(text, tokens, span)
    return against == 0 or person_score(text, tokens, span) - against >= MASK_AT


def person_score(text: str, tokens: Sequence[Token], span: Span) -> float:
    """What speaks for a person: the name lists, the NER model, what stands around it."""
    before, after = text[max(0, span.start - 80) : span.start], text[span.end : span.end + 60]
    said = _SPEECH_BEFORE.search(before) and re.match(r"\s*(?:[.!?,;:]|$)", after)  # ', says Tuininga.'
    if _DECISIVE_BEFORE.search(before) or _DECISIVE_AFTER.match(after) or _signature(before, after) or said:
        return 5.0
    names = gazetteer.load()
    words = _NAME_WORD.findall(text[span.start : span.end])
    lowered = [w.lower().strip(".") for w in words]
    if not words:
        return 0.0
    first = [w in names.first_names for w in lowered]
    last = [w in names.surnames for w in lowered]
    labels = {t.entity for t in tokens if span.start <= t.start < span.end}
    if len(words) >= 2 and first[0]:
        score = 0.85 if last[-1] or first[-1] else 0.75  # a given name and a surname
    elif len(words) >= 2:
        score = 0.55 if any(first) or any(last) else 0.45
    elif first[0]:
        score = 0.6 if lowered[0] in names.census_first_names else 0.5
    elif last[0]:
        score = 0.35
    else:
        score = 0.2  # only the NER model or a weak cue says so
    if "PERSON" in labels:
        score += 0.25
    if span.score >= 0.55:  # a detector was confident (NER, a greeting, a cue)
        score += 0.15
    if _SPEECH_AFTER.match(after):
        score += 0.6
    return score


def _signature(before: str, after: str) -> bool:
    """A name alone on the last line of a message, after a line break."""
    return bool(re.search(r"\n[ \t>*_-]*$", before)) and not after.strip(" \t.!")


def evidence_against(text: str, tokens: Sequence[Token], span: Span) -> float:
    """What speaks for a place, a product or a title; 0 when nothing does."""
    before, after = text[max(0, span.start - 80) : span.start], text[span.end : span.end + 60]
    names = gazetteer.load()
    words = _NAME_WORD.findall(text[span.start : span.end])
    lowered = [w.lower().strip(".") for w in words]
    if not words:
        return 0.0
    first = lowered[0] in names.first_names
    labels = {t.entity for t in tokens if span.start <= t.start < span.end}
    score = 0.0
    if labels & (_THINGS | _PLACES) and "PERSON" not in labels:
        score += 0.3 if len(words) == 1 else 0.15
    phrase = " ".join(lowered)
    place = gazetteer.place_tier(phrase)
    placelike = bool(place) or bool(labels & _PLACES)
    if place:
        score += 0.55 if place == 1 else 0.3
    technology = phrase in names.technologies
    if technology:
        score += 0.55
    if placelike and (_PLACE_BEFORE.search(before) or _PLACE_AFTER.match(after)):
        score += 0.45
    if _THING_VERB_BEFORE.search(before) or _THING_AFTER.match(after):
        score += 0.45
    elif _THING_BEFORE.search(before) and (placelike or technology or not first):
        score += 0.2
    if _TITLE_BEFORE.search(before):
        score += 0.8
    elif _WEAK_TITLE_BEFORE.search(before):
        score += 0.3
    if _TITLE_AFTER.match(after):
        score += 0.3
    landmark = any(w in _LANDMARK_WORDS for w in lowered)
    if landmark or _LANDMARK_BEFORE.search(before) or _LANDMARK_AFTER.match(after):
        score += 0.5
    return score
