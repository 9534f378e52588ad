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

VALUES = {
    PLACE: """France|Paris|London|Jordan|Florence|Georgia|Victoria|Austin|Chelsea|Sydney|Berlin|Tokyo|
    Kenya|India|Brazil|Madrid|Lisbon|Dallas|Houston|Denver|Phoenix|Savannah|Charlotte|Madison|
    Lincoln|Jackson|Orlando|Nairobi|Lagos|Cairo|Lima|Santiago|Quebec|Ontario|Bavaria|Tuscany|
    Norway|Poland|Vienna|Prague|Dublin|Geneva|Zurich|Milan|Naples|Kyoto|Osaka|Seoul|Manila|Hanoi|
    Jakarta|Bangkok|Delhi|Mumbai|Chennai|Toronto|Vancouver|Boston|Chicago|Seattle|Portland|Miami|
    Atlanta|Nashville|Memphis|Sofia|Valencia|Alexandria|Adelaide|Perth|Brisbane|Wellington|
    Auckland|Helsinki|Oslo|Stockholm|Copenhagen|Warsaw|Krakow|Budapest|Bucharest|Athens|Istanbul|
    Ankara|Tehran|Dubai|Doha|Riyadh|Accra|Dakar|Havana|Bogota|Quito|Caracas|Montevideo|Cordoba""",
    ORG: """Java|Jira|Docker|Kafka|Jenkins|Ruby|Julia|Python|Slack|Zoom|Figma|Notion|Trello|Asana|
    Salesforce|Zendesk|Confluence|GitHub|GitLab|Kubernetes|Terraform|Ansible|Grafana|Prometheus|
    Postgres|MySQL|Redis|Elasticsearch|Kibana|Splunk|Datadog|Sentry|Spotify|Netflix|Shopify|Stripe|
    Tesla|Ford|Dell|Oracle|Cisco|Adobe|Nike|Toyota|Honda|Siemens|Philips|Samsung|Microsoft|Google|
    Apple|Amazon|Excel|Outlook|Teams|Windows|Linux|Ubuntu|Android|Chrome|Firefox|Safari|Kotlin|
    Swift|Rust|Haskell|Scala|Perl|Django|Flask|Rails|Laravel|Angular|Vue|Svelte|Heroku|Vercel|
    Netlify|Twilio|Dropbox|Airtable|Miro|Canva|Photoshop|Blender|Unity|Alexa|Siri|Cortana|Sonos|
    Garmin|Fitbit|Peloton|Ikea|Lego|Nestle|Unilever|Heineken|Boeing|Airbus|Ferrari|Porsche|Audi""",
    TITLE: """Hamlet|Othello|Macbeth|Emma|Rebecca|Matilda|Moana|Frozen|Oppenheimer|Lolita|Coraline|
    Dracula|Frankenstein|Ulysses|Beloved|Carrie|Gatsby|Dune|Inception|Titanic|Casablanca|Vertigo|
    Amelie|Gandhi|Rocky|Shrek|Mulan|Aladdin|Cinderella|Pinocchio|Heidi|Jane Eyre|Don Quixote|
    Oliver Twist|Anna Karenina|Madame Bovary|Harry Potter|Forrest Gump|Pride and Prejudice|
    Moby Dick|Everest|Kilimanjaro|Nile|Danube|Mississippi|Big Ben|Eiffel Tower|Taj Mahal|
    Stonehenge|Colosseum|Louvre|Mont Blanc|Matterhorn|Amazon River|Lake Victoria|Table Mountain|
    Mount Fuji|Machu Picchu|Petra|Alhambra|Acropolis|Sagrada Familia|Golden Gate Bridge|Uluru|
    Niagara Falls|Grand Canyon|Yosemite|Yellowstone|Hudson River|Thames|Seine|Rhine|Ganges|Loire|
    Kensington Palace|Buckingham Palace|Versailles|Notre Dame|Sistine Chapel|Mount Rushmore|Elbrus""",
}
TEMPLATES = {
    PLACE: [
        "What is the capital of {v}?",
        "flights to {v} next week, any cheap ones?",
        "What's the weather like in {v} in April?",
        "how many people live in {v}",
        "Can you recommend a hotel in {v}?",
        "forecast for {v}",
        "My colleague {person} is flying from {v} tomorrow.",
        "Is {v} worth visiting in winter?",
        "What time is it in {v} right now?",
        "Best way to get from {v} to the airport?",
        "we're opening an office in {v} next year",
        "{v} or Rome for a long weekend?",
        "What language do they speak in {v}?",
        "Tell {person} the train from {v} is late.",
        "distance between {v} and the coast",
        "Which country is {v} in?",
        "is it safe to drive in {v} at night",
        "Our team in {v} reports the VPN is down.",
    ],
    ORG: [
        "How do I install {v} on my laptop?",
        "{v} keeps crashing when I open a file",
        "Is there a {v} integration for our helpdesk?",
        "can you explain how {v} handles authentication",
        "I'm learning {v}, where should I start?",
        "{person} says {v} version 3 is out, should we upgrade?",
        "We switched to {v} last month and it's great",
        "Does {v} have an API for exporting data?",
        "my {v} account got locked",
        "What are the pros and cons of {v}?",
        "please add {person} to the {v} workspace",
        "is {v} down for anyone else?",
        "How much does {v} cost per seat?",
        "migrating from {v} to something cheaper, ideas?",
        "who owns {v} these days?",
        "The {v} update broke our build.",
        "Compare {v} with its main competitor.",
        "{person} wants a {v} licence for the new hire.",
    ],
    TITLE: [
        "Who wrote {v}?",
        "Have you seen {v}? Is it good?",
        "Give me a short summary of {v}.",
        "how tall is {v}",
        "When was {v} built?",
        "I just finished reading {v} and loved it",
        "Is {v} suitable for kids?",
        "{person} recommended {v} to me last week.",
        "what's the best time of year to visit {v}",
        "Tell me three facts about {v}.",
        "How long does it take to see {v}?",
        "Is {v} based on a true story?",
        "quick question about the ending of {v}",
        "Where exactly is {v}?",
        "{person} and I argued about {v} all evening.",
        "Can you recommend something similar to {v}?",
        "How old is {v}?",
        "why is {v} so famous",
    ],
}


@dataclass(frozen=True, slots=True)
class KeepSample:
    sample: Sample  # labels: the person names (must be masked)
    kept: tuple[Label, ...]  # the non-PII names (must be kept), type = category

    @property
    def held_out(self) -> bool:
        return self.sample.held_out


def _values(category: str, held_out: bool) -> list[str]:
    names = [v.strip() for v in re.split(r"\|", VALUES[category]) if v.strip()]
    return [v for n, v in enumerate(names) if (n % 3 == 0) == held_out]


def keep_samples(per_template: int = 8, seed: int = 11) -> list[KeepSample]:
    rng = random.Random(seed)
    people = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT"])
    people.seed_instance(seed)
    out = []
    for category in CATEGORIES:
        for index, template in enumerate(TEMPLATES[category]):
            family = f"keep-{category}:{index}"
            values = _values(category, held_out=index % 3 == 0)
            for _ in range(per_template):
                value = rng.choice(values)
                text, labels = fill(
                    template,
                    {
                        "v": (category, value),
                        "person": ("PERSON", f"{people.first_name()} {people.last_name()}"),
                    },
                )
                if rng.random() < 0.15:  # sloppy typing
                    text = text.lower()
                    labels = tuple(Label(lab.type, lab.start, lab.end, lab.value.lower()) for lab in labels)
                persons = tuple(lab for lab in labels if lab.type == "PERSON")
                kept = tuple(lab for lab in labels if lab.type != "PERSON")
                out.append(KeepSample(Sample(text, persons, family), kept))
    return out
