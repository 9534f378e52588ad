"""The weak spots of `bench/pii.py`, as families of their own: titles and landmarks that are also
people's names ("Who wrote Emma?", "How tall is the Washington Monument?"), and people's names
written in sloppy chat, lower case and without a cue ("ok tell john smith i'll be late").

Written before the masker was tuned for them, with the same split as the other corpora: a family
whose number is divisible by 3 is held out (never looked at while tuning) and its titles and
landmarks are only the held-out values (every third value of each list).

- `title_samples()`: questions naming a work or a landmark (kept), some with a person (masked);
- `name_samples()`: chat messages naming people (masked); their other words must be kept.
"""

from __future__ import annotations

import random
import re

from faker import Faker

from bench.pii_corpus import Label, Sample, fill
from bench.pii_keep import TITLE, KeepSample

WORKS = """Emma|Jane Eyre|David Copperfield|Oliver Twist|Anna Karenina|Madame Bovary|Tom Sawyer|
Robinson Crusoe|Rebecca|Matilda|Carrie|Heidi|Annie|Lucy|Hugo|Juno|Carol|Amelie|Forrest Gump|
Erin Brockovich|Jerry Maguire|Billy Elliot|Annie Hall|Edward Scissorhands|Donnie Darko|
Jackie Brown|Peter Pan|Mary Poppins|Silas Marner|Eugene Onegin|Julius Caesar|King Lear|
Romeo and Juliet|Sherlock Holmes|Bridget Jones|Percy Jackson|Nancy Drew|Stuart Little|Lady Bird|
Michael Clayton|Norma Rae|Amadeus|Selena|Spencer|Priscilla|Capote|Judy|Frida|Patton|Sully|
Evita|Othello|Daisy Miller|Christine|Coraline|Moana|Rocky|Elvis|Lincoln|Gandhi|Tess|Pippin|
Jane Austen's Persuasion|Ender's Game|Marley and Me|Driving Miss Daisy|Sophie's Choice|Ivanhoe"""
LANDMARKS = """Washington Monument|Lincoln Memorial|Jefferson Memorial|Hoover Dam|Victoria Falls|
Lake Victoria|Mount Kenya|Mount Washington|Ben Nevis|Nelson's Column|Madison Square Garden|
Rockefeller Center|Carnegie Hall|Lincoln Center|Kennedy Space Center|George Washington Bridge|
St Paul's Cathedral|Hadrian's Wall|Lake Louise|Mount Elbert|Royal Albert Hall|Albert Memorial|
Anne Frank House|Van Gogh Museum|Rodin Museum|Getty Center|Frick Collection|Grant's Tomb|
Mount Vernon|Graceland|Hudson Bay|Vancouver Island|Prince Edward Island|Kruger National Park|
Mount Saint Helens|Mount Whitney|Mount Hood|Jackson Square|Charles Bridge|Wenceslas Square|
St Mark's Square|St Peter's Basilica|Cleopatra's Needle|Napoleon's Tomb|Kennedy Center|
Ponte Vecchio|Trevi Fountain|Christ the Redeemer|Wrigley Field|Fenway Park|Mount Kosciuszko|
Lake Tahoe|Marie Curie Museum|Churchill War Rooms|Trafalgar Square|Piccadilly Circus|
Tower Bridge|Mount Cook|Lake Geneva|Elizabeth Tower"""

# family number -> template; {work}/{landmark}: kept, {person}: masked
TITLE_TEMPLATES = {
    1: "Who wrote {work}?",
    2: "is {work} worth reading",
    3: "Is there a film adaptation of {work}?",
    4: "How tall is the {landmark}?",
    5: "{landmark} opening hours",
    6: "Is the {landmark} wheelchair accessible?",
    7: "Have you read {work}? {person} keeps telling me to",
    8: "tickets to {work} this weekend, any left?",
    9: "What year did {work} come out?",
    10: "how do i get to the {landmark} from the station",
    11: "Who played the lead in {work}?",
    12: "We're meeting {person} in front of the {landmark} at 3.",
    13: "Is the {landmark} open on Sundays?",
    14: "I'm rereading {work} for my book club",
    15: "My book club is doing {work} next month",
    16: "entry fee for the {landmark}?",
    17: "{person} says {work} is better than the film",
    18: "How long is the queue at the {landmark} usually?",
    19: "Who is the author of {work}?",
    20: "photos of the {landmark} at night",
    21: "{work} was on TV last night, so good",
    22: "What's {work} about? no spoilers",
    23: "{person} and I walked to the {landmark} after lunch",
    24: "Does {work} have a sequel?",
    25: "is the {landmark} worth the trip",
    26: "Summarise the first chapter of {work} please",
    27: "Can you book a table near the {landmark}?",
    28: "how old is the {landmark}",
    29: "{work} is on my reading list, thoughts?",
    30: "Remind {person} we are seeing {work} on Friday",
}

# {first} {last}: a person's given name and surname, written as the template's case says
NAME_TEMPLATES = {
    1: "ok tell {first} {last} i'll be late",
    2: "ask {first} about it",
    3: "did {first} get my message",
    4: "{first} said the build is broken again",
    5: "can you remind {first} about the invoice",
    6: "sent it to {first} {last} yesterday, no reply yet",
    7: "went through the numbers with {first} {last} this morning",
    8: "let {first} know the meeting moved to 3",
    9: "{first} wants the report by friday",
    10: "is {first} still on leave?",
    11: "waiting for {first} {last} to sign off the release",
    12: "give {first} a call when u can",
    13: "i'm meeting {first} {last} for lunch, back at 2",
    14: "{first} {last} needs access to the shared drive",
    15: "me and {first} will handle the migration",
    16: "lol {first} just broke prod again",
    17: "can {first} cover my shift tmrw",
    18: "forwarded the logs to {first}, should be fine",
    19: "tell {first} the server is down",
    20: "{first} and {second} are both out today",
    21: "is {first} {last} joining the call",
    22: "thanks to {first} the deploy went fine",
    23: "pls add {first} {last} to the channel",
    24: "talked to {first}, she's ok with it",
    25: "{first} from accounts called about the refund",
    26: "hey is {first} around? need a review",
    27: "just saw {first} {last} in the lobby",
    28: "can u check with {first} if the invoice went out",
    29: "ugh {first} still hasn't pushed the fix",
    30: "{first} {last} approved it, go ahead",
}
LOCALES = ["en_US", "en_GB", "en_AU", "en_IE", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_IN"]


def held_out(family: int) -> bool:
    return family % 3 == 0


def _values(raw: str, held: bool) -> list[str]:
    names = [v.strip() for v in raw.split("|") if v.strip()]
    return [v for n, v in enumerate(names) if (n % 3 == 0) == held]


def title_samples(per_template: int = 8, seed: int = 23) -> list[KeepSample]:
    rng = random.Random(seed)
    people = Faker(LOCALES)
    people.seed_instance(seed)
    out = []
    for family, template in TITLE_TEMPLATES.items():
        slot = "work" if "{work}" in template else "landmark"
        values = _values(WORKS if slot == "work" else LANDMARKS, held_out(family))
        for _ in range(per_template):
            person = f"{people.first_name()} {people.last_name()}"
            slots = {slot: (TITLE, rng.choice(values)), "person": ("PERSON", person)}
            text, labels = fill(template, slots)
            if rng.random() < 0.2:  # sloppy typing
                text = text.lower()
                labels = tuple(Label(lab.type, lab.start, lab.end, lab.value.lower()) for lab in labels)
            persons = tuple(lab for lab in labels if lab.type == "PERSON")
            kept = tuple(lab for lab in labels if lab.type != "PERSON")
            out.append(KeepSample(Sample(text, persons, f"weak-title:{family}"), kept))
    return out


def name_samples(per_template: int = 12, seed: int = 29) -> list[Sample]:
    """Lower case as people type in chat (two in three messages), else capitalised names in an
    otherwise lower-case message."""
    rng = random.Random(seed)
    fake = Faker(LOCALES)
    fake.seed_instance(seed)
    out = []
    for family, template in NAME_TEMPLATES.items():
        for _ in range(per_template):
            lower = rng.random() < 0.67
            values = {}
            for slot in ("first", "second", "last"):
                value = fake.last_name() if slot == "last" else fake.first_name()
                values[slot] = ("PERSON", value.lower() if lower else value)
            text, labels = fill(template, values)
            out.append(Sample(text, _joined(text, labels), f"weak-name:{family}"))
    return out


def _joined(text: str, labels: tuple[Label, ...]) -> tuple[Label, ...]:
    """ "{first} {last}" is one person: one label over both words."""
    joined: list[Label] = []
    for label in labels:
        if joined and re.fullmatch(r" ", text[joined[-1].end : label.start]):
            start = joined[-1].start
            joined[-1] = Label("PERSON", start, label.end, text[start : label.end])
        else:
            joined.append(label)
    return tuple(joined)
