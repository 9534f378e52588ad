"""Regular expressions for PII presidio's defaults miss. Pure `re`: shared by the detectors and
the logging redaction filter."""

from __future__ import annotations

import re

# -- secrets ---------------------------------------------------------------------------------
SECRET_PATTERNS: dict[str, re.Pattern[str]] = {
    "aws_access_key": re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    "slack_token": re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,}"),
    "slack_app_token": re.compile(r"\bxapp-\d-[A-Za-z0-9-]{10,}"),
    "github_token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
    "jwt": re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{8,}"),
    "private_key": re.compile(
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)"
    ),
    "bearer": re.compile(r"(?i)\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)"),
}
# `password: hunter2`, `api_key="..."`, `my password is hunter2`: only the value is masked.
SECRET_VALUE = re.compile(
    r"(?i)\b(?:password|passwd|pwd|passphrase|pass ?code|pin|secret|client[_ -]?secret|api[_ -]?key|"
    r"access[_ -]?key|secret[_ -]?key|aws_secret_access_key|access[_ -]?token|auth[_ -]?token|token)"
    r"\b[\"']?\s*(?:[:=]|\bis\b|\bwas\b)\s*[\"']?(?P<value>[^\s\"',;]{4,})"
)
SECRET_VALUE_STOPWORDS = frozenset(
    {
        "wrong",
        "incorrect",
        "invalid",
        "expired",
        "missing",
        "required",
        "correct",
        "not",
        "the",
        "your",
        "my",
        "reset",
        "changed",
        "empty",
        "blank",
        "same",
        "still",
        "now",
        "being",
        "here",
        "below",
        "above",
    }
)

# -- contact data ----------------------------------------------------------------------------
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
PHONE_CANDIDATE = re.compile(
    # a dash may join a label after the number ("555-0134-Office"), not more digits
    r"(?<![\w+@/.-])(?:\+|00)?\(?\d[\d ().-]{5,20}\d(?:\s*(?:x|ext\.?|extension)\s*\d{1,5})?(?![\w@]|-\d)"
)
CARD_LIKE = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", re.IGNORECASE)

# -- street addresses ------------------------------------------------------------------------
# USPS street suffixes (the common ones) and their abbreviations.
STREET_SUFFIXES = (
    "Alley|Aly|Annex|Arcade|Avenue|Ave|Bayou|Beach|Bend|Bluffs?|Bottom|Boulevard|Blvd|Branch|Bridge|"
    "Brooks?|Burgs?|Bypass|Camp|Canyon|Cape|Causeway|Centers?|Ctr|Circles?|Cir|Cliffs?|Club|Common|"
    "Corners?|Course|Courts?|Ct|Coves?|Creek|Crescent|Crest|Crossing|Crossroad|Curve|Dale|Dam|Divide|"
    "Drives?|Dr|Estates?|Expressway|Expy|Extensions?|Falls?|Ferry|Fields?|Flats?|Fords?|Forest|Forges?|"
    "Forks?|Fort|Freeway|Fwy|Gardens?|Gateway|Glens?|Greens?|Groves?|Harbors?|Haven|Heights|Hts|"
    "Highway|Hwy|Hills?|Hollow|Inlet|Islands?|Isle|Junctions?|Keys?|Knolls?|Lakes?|Land|Landing|Lane|Ln|"
    "Lights?|Loaf|Locks?|Lodge|Loop|Mall|Manors?|Meadows?|Mews|Mills?|Mission|Motorway|Mount|"
    "Mountains?|Neck|Orchard|Oval|Overpass|Parks?|Parkways?|Pkwy|Pass|Passage|Path|Pike|Pines?|Place|Pl|"
    "Plains?|Plaza|Points?|Ports?|Prairie|Radial|Ramp|Ranch|Rapids?|Rest|Ridges?|River|Roads?|Rd|Route|"
    "Row|Rue|Run|Shoals?|Shores?|Skyway|Springs?|Spurs?|Squares?|Sq|Station|Stravenue|Stream|Streets?|"
    "St|Str|Summit|Terrace|Ter|Throughway|Trace|Track|Trafficway|Trail|Trl|Trailer|Tunnel|Turnpike|"
    "Underpass|Unions?|Valleys?|Via|Viaduct|Views?|Villages?|Ville|Vista|Walks?|Wall|Ways?|Wells?"
)
# Suffixes that name a street even without a house number ("Johnson Drive").
STRONG_SUFFIXES = (
    "Avenue|Boulevard|Blvd|Causeway|Crescent|Drive|Expressway|Freeway|Highway|Lane|Parkway|Plaza|Road|"
    "Square|Stravenue|Street|Terrace|Turnpike|Alley"
)
# Latin with accents, Greek and Cyrillic letters, split by case (for character classes)
_LETTERS = [chr(code) for code in (*range(0xC0, 0x250), *range(0x386, 0x3D0), *range(0x400, 0x460))]
UPPER = "A-Z" + "".join(ch for ch in _LETTERS if ch.isupper())
LOWER = "a-z" + "".join(ch for ch in _LETTERS if ch.islower())
_WORD = rf"[{UPPER}][{UPPER}{LOWER}'’.-]*"
STREET_WITH_NUMBER = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?(?:-\d{{1,4}})?\s+(?:(?:[NSEW]|North|South|East|West)\.?\s+)?"
    rf"(?:{_WORD}\s+){{0,3}}?(?:{_WORD}|\d{{1,3}}(?:st|nd|rd|th))\s+(?:{STREET_SUFFIXES})\b\.?"
    rf"(?:[ \t]+(?:[NS][EW]?|[EW])\b\.?)?"
)
STREET_NAME_ONLY = re.compile(rf"\b(?:{_WORD}\s+){{0,2}}{_WORD}\s+(?:{STRONG_SUFFIXES})\b")
# Street-type words that end a street name in Germanic, Nordic, Dutch, Finnish and Central European
# languages ("Hauptstraße 5", "Siikasaarentie 19", "Vesterbrogade 12", "Andrássy út 3").
_STREET_ENDINGS = (
    "straße|strasse|str\\.|weg|gasse|platz|allee|damm|ring|ufer|steig|pfad|markt|chaussee|"
    "laan|straat|gracht|kade|plein|dreef|singel|"
    "gade|vej|gatan|gata|vägen|väg|vegen|veien|veg|stræde|torv|stigur|stígur|"
    "katu|tie|kuja|polku|"
    "utca|út|ulica|ulice|cesta|sokak|sokağı|caddesi"
)
# Street-type words that open a street name in Romance, Slavic, Greek and English usage
# ("Rue du Pont 17", "ul. Zakrzowska 92", "R. Poeta João 1", "Calle Mayor 3").
_STREET_OPENERS = (
    "Rue|Avenue|Av\\.|Avda\\.|Boulevard|Bd\\.?|Bvd\\.?|Chemin|Allée|Impasse|Quai|Place|Route|Cours|"
    "Via|Viale|Vicolo|Piazza|Piazzale|Corso|Largo|Strada|Contrada|"
    "Calle|C/|c/|Ctra\\.|Pza\\.|Carrer|Avenida|Paseo|Plaza|Camino|Carretera|Ronda|Travesía|"
    "Rua|R\\.|Travessa|Praça|Estrada|Alameda|"
    "ul\\.|Ul\\.|ulica|Ulica|al\\.|Al\\.|pl\\.|os\\.|Trg|Odos|Odós|Leoforos|Λ\\.|Οδός|Rruga|Bulevardul"
)
_NAME_PART = rf"(?:[{UPPER}0-9][\w'’.-]*|d'|de|del|della|di|da|do|dos|das|du|des|la|le|les|van|von|y|e)"
EUROPEAN_STREET = re.compile(
    rf"\b[{UPPER}][\w'’-]{{2,}}(?:{_STREET_ENDINGS})\s+\d{{1,5}}[a-z]?\b"
    rf"|(?<![\w.])(?:{_STREET_OPENERS})\s+(?:{_NAME_PART},?\s+){{0,5}}?\d{{1,5}}[a-z]?\b"
    r"|\b\d{1,5}[a-z]?,?[ \t]+(?i:rue|avenue|boulevard|via|calle|avenida|rua)"
    r"[ \t]+[\w'’-]+(?:[ \t]+[\w'’-]+){0,3}"
    # a lowercase opener that is also a word ("53 place Stanislas"): a capitalised name must follow
    rf"|\b\d{{1,5}}[a-z]?,?[ \t]+(?:place|chemin|allée|impasse|quai|cours|piazza|viale|corso|largo|paseo|"
    rf"camino|carrer|travessa|praça|estrada|strada)[ \t]+(?:{_NAME_PART}[ \t]+){{0,3}}[{UPPER}][\w'’-]+"
    # a name, then a lowercase street-type word, then the number ("Bécsi utca 56.", "Baross tér 3")
    rf"|\b(?:[{UPPER}][\w'’.-]*\s+){{1,3}}(?:utca|u\.|út|útja|tér|tere|körút|krt\.|köz|sor|kapu|sétány|"
    r"fasor|rakpart|rkp\.|str\.|"
    r"ulica|ul\.|cesta|trg|ulice|náměstí|nám\.|třída|nábřeží|tänav|tee|maantee|põik|puiestee|iela|gatvė|g\.|"
    r"sokak|sokağı|caddesi|cad\.|bulvarı)\s+\d{1,5}[a-z]?\.?(?=\W|$)",
)
# The same without a house number, for the street-type words that are no English word.
STREET_WITHOUT_NUMBER = re.compile(
    rf"\b[{UPPER}][\w'’-]{{2,}}(?:straße|strasse|gasse|platz|allee|laan|straat|gracht|plein|gade|vej|"
    rf"gatan|vägen|veien|vegen|stræde|stígur|katu|utca|ulica|ulice|caddesi|sokak)\b"
    rf"|(?<![\w.])(?:Rue|Rua|Calle|Carrer|Avenida|Paseo|Piazza|Viale|Corso|Largo|Praça|Travessa|Strada|"
    rf"Chemin|Allée|Impasse|Quai|ul\.|al\.|Odos|Rruga)\s+(?:{_NAME_PART}\s+){{0,3}}?[{UPPER}][\w'’-]+"
)
SECONDARY_UNIT = re.compile(
    # flats, floors and doors in several languages ("Whg. 5", "Piso 3", "Top 7"; "3º izq.", "2ºB")
    r"(?i)^(?:(?:apt|apartment|suite|ste|unit|floor|fl|room|rm|building|bldg|flat|level|lvl|block|blk|"
    r"piso|planta|puerta|esc|whg|top|stiege|étage|etg|og)\b\.?|#)\s*#?\s*[\w-]{1,6}\b"
    r"|^\d{1,2}[ºª°]\s?(?:[A-Za-z]\b|izq(?:da)?\.?|dcha\.?|dch\.?)?"
)
POSTAL_CODE = re.compile(
    r"\b(?:\d{5}(?:-\d{4})?|\d{4,6}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)\b"
)

NUMBERED_STREET = re.compile(  # "25250 Paul-Nevermann-Platz 77", "7584 Höfðastígur 86"
    rf"\b\d{{1,6}}\s+(?:{_WORD}\s+){{1,3}}\d{{1,5}}[a-z]?\b"
)
ADDRESS_CUE = re.compile(  # "lives at Strandalléen 26", "address: Klinta 36"
    rf"(?i:\baddress(?:es)?\s*:?|lives? (?:at|on|in)|located at|sent to|send it to|ship(?:ped)? to|"
    rf"deliver(?:ed)? to|moved to|is on|is at)\s+"
    rf"(?P<address>(?:\d{{1,6}}\s+)?(?:{_WORD}\s+){{1,3}}\d{{1,5}}[a-z]?\b)"
)
# A name and a house number followed by a street word ("Rahu 37 street", "Ilichova 2 St.").
NUMBER_THEN_STREET_WORD = re.compile(
    rf"\b(?:[{UPPER}][\w'’-]+\s+){{1,3}}\d{{1,5}}[a-z]?(?=\s+(?:street|road|avenue|St\.|Str\.|Rd\.)(?!\w))"
)
# A sentence about where someone is ("lives on the north side of Purje 57", "meet you at Dyvik 46",
# "the address is Mládežnická 1390"): capitalised words and a house number after the cue. The
# words before the number must not be English words ("Windows 10", "Room 4": see addresses.py).
ADDRESS_CONTEXT = re.compile(
    rf"(?i:\b(?:address|addresses|lives?|lived|living|located|locate|corner of|side of|meet(?: you| me)? at|"
    rf"stop at|moved to|move to|(?:is|are|was|it's) (?:on|at|in)|ship(?:ped)? to|deliver(?:ed)? to|"
    rf"send (?:it|them|this) to|stay(?:ing)? at|"
    rf"visit(?:ing)?))\b[^.!?\n\d]{{0,40}}?"
    rf"(?P<address>(?<![\w'’-])(?:\d{{1,6}}\s+)?[{UPPER}][\w'’-]+(?:\s+(?:{_NAME_PART}|and)){{0,4}}?"
    rf"(?:\s+\d{{1,5}}[a-z]?\b(?![.,:/]\d)|\s+(?:{STREET_SUFFIXES})\b))"
)
# A street named without a number after a cue that only a street follows ("lives on Purje",
# "at the corner of Ilichova and Pike", "my address is Vesterbrogade"); the words must not be
# English words (checked in addresses.py).
STREET_NAME_CUE = re.compile(
    rf"(?i:\b(?:lives? on|lived on|living on|located on|corner of|address is|address:))\s+(?:the\s+)?"
    rf"(?P<address>[{UPPER}][\w'’-]+(?:\s+(?:{_NAME_PART})){{0,3}}?)(?=\s*(?:[.,;!?]|\band\b|$))"
)
# Address line structure: a street name and a house number, then (after a comma or on the next,
# maybe quoted, line) a postcode and a town or a flat/suite line: "Ehitajate 7\n10117 Tallinn".
STREET_BEFORE_POSTCODE = re.compile(
    rf"(?<![\w'’-])(?:(?:\d{{1,6}}[ \t]+)?[{UPPER}][\w'’.-]+(?:[ \t]+{_NAME_PART}){{0,4}}?"
    rf"[ \t]+\d{{1,5}}[a-z]?"
    rf"|(?:{_WORD}[ \t]+){{1,3}}(?:{STREET_SUFFIXES})\b\.?)"
    rf"(?=[ \t]*(?:,[ \t]*|\n(?:[^\w\s]{{1,4}}[ \t]+)?[ \t]*)"
    rf"(?:(?:\d{{4,6}}|\d{{2}}-\d{{3}}|[A-Z]{{1,2}}\d[A-Z\d]?[ \t]?\d[A-Z]{{2}})[ \t]+[{UPPER}]"
    r"|(?i:apt|apartment|suite|unit|flat|floor)\b))"
)
PO_BOX = re.compile(
    # post-office boxes worldwide (PO Box, GPO Box, Private/Locked Bag, PMB, Postfach, Postbus, Apartado,
    # Casilla, Caixa Postal, BP, Boîte postale) and US rural routes ("RR 2 Box 152", "HC 1 Box 5")
    r"\b(?:(?:G\.?\s?)?P\.?\s?O\.?\s?Box|PO Box|Postfach|Postbus|Postboks|Apartado(?: de correos)?|"
    r"Apdo\.|Casilla(?: de correo)?|Caixa Postal|Boîte postale|B\.P\.|PMB|Private Bag|Locked Bag|"
    r"(?:RR|HC|Rural Route|Star Route)\s+\d{1,3}\s+Box)\s+\d{1,6}(?:\s\d{2}){0,2}\b",
    re.IGNORECASE,
)
# A flat, suite or apartment named on its own ("Apt. 651", "Suite 224", "Flat 4B"): the designators
# that name nothing but a dwelling ("Room 4", "Unit 5", "Floor 2" stay: they are everyday words).
STANDALONE_UNIT = re.compile(r"\b(?:Apt\.?|APT\.?|Apartment|Suite|Ste\.|Flat)\s*#?\s*\d{1,5}[A-Za-z]?\b")
# A postcode the text names as one ("zip 94107", "postcode SW1A 1AA", "PLZ 10115", "CEP 01310-100")
POSTCODE_CUE = re.compile(
    r"(?i:\b(?:zip(?:\s*code)?|post(?:al)?\s*code|postcode|PLZ|CEP|c[óo]digo postal|code postal|CAP|"
    r"PIN\s*code|pincode)(?:\s+is|\s*:|\s*#)?)\s*"
    r"(?P<code>\d{5}(?:-\d{4})?|\d{5}-\d{3}|\d{2}-\d{3}|\d{3}-\d{4}|\d{3}\s?\d{2,3}|\d{4}\s?[A-Z]{2}|\d{4,6}|"
    r"[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|[A-Z]\d[A-Z]\s?\d[A-Z]\d)\b"
)
# A street name and a US street type without a number ("Eriksson Crescent", "Jens Underpass"): the
# name must be no English word (checked in addresses.py: "Apple Park", "Silicon Valley" stay).
NAME_AND_STREET_TYPE = re.compile(
    rf"(?<![\w'’-])[{UPPER}][{LOWER}'’-]{{2,}}\s+(?:{STREET_SUFFIXES})\b(?!['’-])"
)
# A lowercase house number and street ("55 oak street", "742 evergreen terrace"): the words between
# must be no everyday words ("5 miles down the road" stays: see addresses.py).
LOWERCASE_STREET = re.compile(
    r"\b\d{1,6}[a-z]?\s+(?:[a-z][a-z'’-]+\s+){1,3}"
    r"(?:street|st\.|avenue|ave\.?|road|rd\.|drive|dr\.|lane|ln\.|boulevard|blvd\.?|terrace|court|ct\.|"
    r"place|parkway|highway|hwy|crescent|circle|square|way)(?!\w)"
)
# A house number written with a sign after the street ("Kurfürstendamm Nr. 21", "Avenida Reforma No. 222",
# "Calle Mayor nº 5"); the words before must not be English words ("Order No. 12345", see addresses.py).
STREET_THEN_NUMBER_SIGN = re.compile(
    rf"(?<![\w'’-])[{UPPER}][\w'’.-]+(?:\s+{_NAME_PART}){{0,4}}?,?\s+(?:Nr\.|No\.|Nº|nº|n\.º|N°|núm\.|Num\.)\s*"
    r"\d{1,5}[A-Za-z]?\b"
)
# What may follow a house number: a range or second number and a "bis"/"ter" ("12-14", "10/12", "5 bis")
NUMBER_TAIL = re.compile(r"(?:[-/]\d{1,5}[A-Za-z]?\b)?(?:[ \t]+(?:bis|ter|quater)\b)?")
