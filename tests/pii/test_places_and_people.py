"""Masking keeps what is not personal: places, products and titles survive, people do not, and
the same word goes either way with its context ("my colleague Paris" / "flights to Paris")."""

from __future__ import annotations

import itertools

import pytest

from core.pii import gazetteer

KEPT = [
    ("What is the capital of France?", "France"),
    ("flights to Paris next week", "Paris"),
    ("forecast for Paris", "Paris"),
    ("Is Jordan safe to visit in May?", "Jordan"),
    ("What's the weather in Florence today?", "Florence"),
    ("we are opening an office in Victoria", "Victoria"),
    ("How do I install Docker on my laptop?", "Docker"),
    ("I'm learning Java, where should I start?", "Java"),
    ("my Jira account got locked", "Jira"),
    ("Is Kafka version 3 worth the upgrade?", "Kafka"),
    ("Who wrote Hamlet?", "Hamlet"),
    ("How tall is Mount Everest?", "Everest"),
    ("What is the longest river, the Nile or the Amazon?", "Nile"),
]
MASKED = [
    ("my colleague Paris called me this morning", "Paris"),
    ("Jordan sent me the report yesterday", "Jordan"),
    ("Hi Florence, can you check my order?", "Florence"),
    ("Thanks for the help,\nVictoria", "Victoria"),
    ("Please ask Mr. Docker to call me back", "Docker"),
    ("My name is Java Smith and I need help", "Java Smith"),
    ("Dear Ms. Kafka, your refund is on its way", "Kafka"),
    ("Georgia Miller will take over the ticket", "Georgia Miller"),
]


@pytest.mark.parametrize(("text", "word"), KEPT)
def test_places_products_and_titles_are_kept(find, text, word):
    assert not [found for _type, found in find(text) if word in found]


@pytest.mark.parametrize(("text", "name"), MASKED)
def test_the_same_words_as_names_of_people_are_masked(find, text, name):
    assert any(entity == "PERSON" and name in value for entity, value in find(text))


PLACES = "Paris London Berlin Madrid Tokyo Kenya Brazil Denver Toronto Jordan Florence Georgia".split()
PRODUCTS = "Docker Jira Slack Python Kotlin Excel Android Ubuntu Terraform Grafana Redis Figma".split()
PEOPLE = [
    "Maria Gonzalez",
    "John Carter",
    "Aiko Tanaka",
    "Lars Eriksson",
    "Priya Sharma",
    "Ann Smith",
    "Olga Novak",
    "Pierre Dubois",
    "Fatima Khan",
    "Tom Baker",
]
# sentence shapes of this test only (none of them is in the benchmark's corpora)
TEMPLATES = [
    "{person} is travelling to {place} on Monday, can you book a hotel?",
    "Could {person} get the {product} licence before the trip to {place}?",
    "I told {person} that the {product} update is broken again",
    "{person} from our {place} office wants access to {product}",
    "why does {product} keep logging {person} out when she is in {place}",
    "Please forward the {place} invoice to {person}.",
    "Is it raining in {place}? {person} forgot an umbrella",
    "{person} asked how to uninstall {product}",
]


def generated() -> list[tuple[str, str, list[str]]]:
    """(text, person, [kept words]) for every template and a rotation of values."""
    rows = []
    values = zip(itertools.cycle(PLACES), itertools.cycle(PRODUCTS), itertools.cycle(PEOPLE), strict=False)
    for template in TEMPLATES:
        for place, product, person in itertools.islice(values, 40):
            text = template.format(person=person, place=place, product=product)
            kept = [w for slot, w in (("{place}", place), ("{product}", product)) if slot in template]
            rows.append((text, person, kept))
    return rows


def test_generated_sentences_keep_places_and_products_and_mask_people(find):
    rows = generated()
    assert len(rows) >= 300
    kept_total = kept_ok = people_ok = 0
    misses = []
    for text, person, kept in rows:
        found = [v for t, v in find(text)]
        masked_person = any(person in v for v in found)
        people_ok += masked_person
        for word in kept:
            kept_total += 1
            if not any(word in v for v in found):
                kept_ok += 1
            else:
                misses.append(text)
        if not masked_person:
            misses.append(text)
    assert people_ok / len(rows) >= 0.97, misses[:10]
    assert kept_ok / kept_total >= 0.97, misses[:10]


def test_place_and_technology_lists_are_shipped_and_loaded():
    names = gazetteer.load()
    assert gazetteer.place_tier("france") == 1 and gazetteer.place_tier("paris") == 1
    assert gazetteer.place_tier("no such place at all") == 0
    assert len(names.places) > 40_000 and {"python", "docker", "django"} <= names.technologies
