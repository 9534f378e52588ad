"""The over-masking corpus for `bench/pii.py`: everyday questions that name places, organisations
and products, titles and landmarks (none of which is personal data), some with a person's name
in the same sentence for contrast.

Templates and value lists are this benchmark's own (the masker never reads them). Both are split:
held-out templates (family id divisible by 3) are filled only with held-out values (every third
value), so the held-out split shares neither a sentence shape nor a name with what was tuned on.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from faker import Faker

from bench.pii_corpus import Label, Sample, fill

PLACE, ORG, TITLE = "place", "org", "title"  # the categories the targets name
CATEGORIES = (PLACE, ORG, TITLE)
CATEGORY_OF = {"place": PLACE, "org": ORG, "work": TITLE, "landmark": TITLE}

VALUES = {  # slot name -> values; the slot's category is CATEGORY_OF[slot]
    "place": """France|Paris|London|Jordan|Florence|Georgia|Victoria|Austin|Chelsea|Sydney|Berlin|Tokyo|
    Kenya|India|Brazil|Madrid|Lisbon|Dallas|Houston|Denver|Phoenix|Savannah|Charlotte|Madison|
    Lincoln|Jackson|Orlando|Nairobi|Lagos|Cairo|Lima|Santiago|Quebec|Ontario|Bavaria|Tuscany|
    Norway|Poland|Vienna|Prague|Dublin|Geneva|Zurich|Milan|Naples|Kyoto|Osaka|Seoul|Manila|Hanoi|
    Jakarta|Bangkok|Delhi|Mumbai|Chennai|Toronto|Vancouver|Boston|Chicago|Seattle|Portland|Miami|
    Atlanta|Nashville|Memphis|Sofia|Valencia|Alexandria|Adelaide|Perth|Brisbane|Wellington|
    Auckland|Helsinki|Oslo|Stockholm|Copenhagen|Warsaw|Krakow|Budapest|Bucharest|Athens|Istanbul|
    Ankara|Tehran|Dubai|Doha|Riyadh|Accra|Dakar|Havana|Bogota|Quito|Caracas|Montevideo|Cordoba""",
    "org": """Java|Jira|Docker|Kafka|Jenkins|Ruby|Julia|Python|Slack|Zoom|Figma|Notion|Trello|Asana|
    Salesforce|Zendesk|Confluence|GitHub|GitLab|Kubernetes|Terraform|Ansible|Grafana|Prometheus|
    Postgres|MySQL|Redis|Elasticsearch|Kibana|Splunk|Datadog|Sentry|Spotify|Netflix|Shopify|Stripe|
    Tesla|Ford|Dell|Oracle|Cisco|Adobe|Nike|Toyota|Honda|Siemens|Philips|Samsung|Microsoft|Google|
    Apple|Amazon|Excel|Outlook|Teams|Windows|Linux|Ubuntu|Android|Chrome|Firefox|Safari|Kotlin|
    Swift|Rust|Haskell|Scala|Perl|Django|Flask|Rails|Laravel|Angular|Vue|Svelte|Heroku|Vercel|
    Netlify|Twilio|Dropbox|Airtable|Miro|Canva|Photoshop|Blender|Unity|Alexa|Siri|Cortana|Sonos|
    Garmin|Fitbit|Peloton|Ikea|Lego|Nestle|Unilever|Heineken|Boeing|Airbus|Ferrari|Porsche|Audi""",
    "work": """Hamlet|Othello|Macbeth|Emma|Rebecca|Matilda|Moana|Frozen|Oppenheimer|Lolita|Coraline|
    Dracula|Frankenstein|Ulysses|Beloved|Carrie|Gatsby|Dune|Inception|Titanic|Casablanca|Vertigo|
    Amelie|Gandhi|Rocky|Shrek|Mulan|Aladdin|Cinderella|Pinocchio|Heidi|Jane Eyre|Don Quixote|
    Oliver Twist|Anna Karenina|Madame Bovary|Harry Potter|Forrest Gump|Pride and Prejudice|
    Moby Dick|Macbeth|Persuasion|Middlemarch|Lolita|Ivanhoe|Siddhartha|Candide|Beowulf|Matilda""",
    "landmark": """Everest|Kilimanjaro|Nile|Danube|Mississippi|Big Ben|Eiffel Tower|Taj Mahal|
    Stonehenge|Colosseum|Louvre|Mont Blanc|Matterhorn|Amazon River|Lake Victoria|Table Mountain|
    Mount Fuji|Machu Picchu|Petra|Alhambra|Acropolis|Sagrada Familia|Golden Gate Bridge|Uluru|
    Niagara Falls|Grand Canyon|Yosemite|Yellowstone|Hudson River|Thames|Seine|Rhine|Ganges|Loire|
    Kensington Palace|Buckingham Palace|Versailles|Notre Dame|Sistine Chapel|Mount Rushmore|Elbrus""",
}
TEMPLATES = {
    PLACE: [
        "What is the capital of {place}?",
        "flights to {place} next week, any cheap ones?",
        "What's the weather like in {place} in April?",
        "how many people live in {place}",
        "Can you recommend a hotel in {place}?",
        "forecast for {place}",
        "My colleague {person} is flying from {place} tomorrow.",
        "Is {place} worth visiting in winter?",
        "What time is it in {place} right now?",
        "Best way to get from {place} to the airport?",
        "we're opening an office in {place} next year",
        "{place} or Rome for a long weekend?",
        "What language do they speak in {place}?",
        "Tell {person} the train from {place} is late.",
        "distance between {place} and the coast",
        "Which country is {place} in?",
        "is it safe to drive in {place} at night",
        "Our team in {place} reports the VPN is down.",
    ],
    ORG: [
        "How do I install {org} on my laptop?",
        "{org} keeps crashing when I open a file",
        "Is there a {org} integration for our helpdesk?",
        "can you explain how {org} handles authentication",
        "I'm learning {org}, where should I start?",
        "{person} says {org} version 3 is out, should we upgrade?",
        "We switched to {org} last month and it's great",
        "Does {org} have an API for exporting data?",
        "my {org} account got locked",
        "What are the pros and cons of {org}?",
        "please add {person} to the {org} workspace",
        "is {org} down for anyone else?",
        "How much does {org} cost per seat?",
        "migrating from {org} to something cheaper, ideas?",
        "who owns {org} these days?",
        "The {org} update broke our build.",
        "Compare {org} with its main competitor.",
        "{person} wants a {org} licence for the new hire.",
    ],
    TITLE: [  # (a work: book, film, play) and (a landmark: mountain, river, monument) alternate
        "Who wrote {work}?",
        "how tall is {landmark}",
        "Have you seen {work}? Is it good?",
        "When was {landmark} built?",
        "Give me a short summary of {work}.",
        "what's the best time of year to visit {landmark}",
        "I just finished reading {work} and loved it",
        "How long does it take to see {landmark}?",
        "{person} recommended {work} to me last week.",
        "Where exactly is {landmark}?",
        "Is {work} suitable for kids?",
        "{person} and I hiked near {landmark} all weekend.",
        "Is {work} based on a true story?",
        "Tell me three facts about {landmark}.",
        "quick question about the ending of {work}",
        "How old is {landmark}?",
        "{person} and I argued about {work} all evening.",
        "why is {landmark} so famous",
    ],
}


@dataclass(frozen=True, slots=True)
class KeepSample:
    sample: Sample  # labels: the person names (must be masked)
    kept: tuple[Label, ...]  # the non-PII names (must be kept), type = category

    @property
    def held_out(self) -> bool:
        return self.sample.held_out


def _values(slot: str, held_out: bool) -> list[str]:
    names = [v.strip() for v in re.split(r"\|", VALUES[slot]) if v.strip()]
    return [v for n, v in enumerate(names) if (n % 3 == 0) == held_out]


def keep_samples(per_template: int = 8, seed: int = 11) -> list[KeepSample]:
    rng = random.Random(seed)
    people = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT"])
    people.seed_instance(seed)
    out = []
    for category in CATEGORIES:
        for index, template in enumerate(TEMPLATES[category]):
            family = f"keep-{category}:{index}"
            slot = next(k for k in VALUES if "{" + k + "}" in template)
            values = _values(slot, held_out=index % 3 == 0)
            for _ in range(per_template):
                person = f"{people.first_name()} {people.last_name()}"
                slots = {slot: (CATEGORY_OF[slot], rng.choice(values)), "person": ("PERSON", person)}
                text, labels = fill(template, slots)
                if rng.random() < 0.15:  # sloppy typing
                    text = text.lower()
                    labels = tuple(Label(lab.type, lab.start, lab.end, lab.value.lower()) for lab in labels)
                persons = tuple(lab for lab in labels if lab.type == "PERSON")
                kept = tuple(lab for lab in labels if lab.type != "PERSON")
                out.append(KeepSample(Sample(text, persons, family), kept))
    return out
