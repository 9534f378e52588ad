"""What the second round of recognizers adds: known names without cues, national phone numbers,
international street addresses — and the everyday words they must leave alone."""

from __future__ import annotations

import pytest

from core.pii import gazetteer


def found_of(find, text: str, entity: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [value for entity_type, value in find(text) if entity_type == entity]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Why is Sven so impulsive?", "Sven"),  # a lone first name, no greeting or title
        ("Ask Ágnes, she knows the admin password.", "Ágnes"),  # international given names
        ("Please add Priyanka to the thread before the release.", "Priyanka"),
        ("The meeting with Kowalski moved to Thursday.", "Kowalski"),  # a known surname alone
    ],
)
def test_known_names_are_masked_without_any_cue(find, text, name):
    assert name in found_of(find, text, "PERSON"), find(text)


def test_every_mention_of_a_found_name_is_masked(find):
    text = "The ticket was opened by Ferrau Daigle on Monday. Later Daigle wrote again."
    masked = "".join(value for _type, value in find(text))
    assert text.count("Daigle") == 2 and masked.count("Daigle") == 2, find(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thanks, that works",
        "Main menu is broken since the update",
        "Will do, thanks!",
        "Mark the ticket as done please",
        "Happy Friday everyone",
        "Deploy it to the Frankfurt region",
        "Our Paris office is closed today",
        "Hope you are well. Sorry for the delay!",
    ],
)
def test_everyday_capitalised_words_are_not_names(find, text):
    assert found_of(find, text, "PERSON") == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("Ring me at 030 1234567 tonight.", "030 1234567"),  # German landline, no country code
        ("Our London desk is on (0)20 7946 0958.", "(0)20 7946 0958"),
        ("Mein Handy: 0171 2345678", "0171 2345678"),
        ("Appelez-moi au 06 12 34 56 78 demain.", "06 12 34 56 78"),
        ("They're not picking up at 0612 345 678 anymore.", "0612 345 678"),  # no phone word at all
        ("the direct line is 555-0134", "555-0134"),
    ],
)
def test_national_phone_numbers_without_country_code(find, text, phone):
    assert found_of(find, text, "PHONE_NUMBER") == [phone], find(text)


@pytest.mark.parametrize(
    "text",
    [
        "We sold 1 250 000 units last year.",
        "Order 4521 3389 is late again.",
        "The order number is 123 456 789.",
        "The export took 1200 3400 ms.",
        "It happened between 2019 2020 and 2021 2022.",
        "Please pay 4521 3389 EUR by Friday.",
    ],
)
def test_digit_groups_that_are_not_phones_are_kept(find, text):
    assert found_of(find, text, "PHONE_NUMBER") == [], find(text)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Send it to ul. Zakrzowska 92, 50-001 Wrocław please", "ul. Zakrzowska 92, 50-001 Wrocław"),
        ("I moved to Bécsi utca 56., Budapest last week", "Bécsi utca 56., Budapest"),
        ("> Anna Weber\n> 12 Rue de la Paix\n> 75002 Paris\n\nThanks", "12 Rue de la Paix\n> 75002 Paris"),
        ("The restaurant is at 37578 Κουκάκι 112", "37578 Κουκάκι 112"),  # Greek script
        ("My flat is at 221 137 Avenue du Golf, Brirem", "221 137 Avenue du Golf, Brirem"),  # two numbers
        ("We meet on Rue de Bouillon tomorrow", "Rue de Bouillon"),  # no house number
    ],
)
def test_international_street_addresses(find, text, address):
    assert address in found_of(find, text, "STREET_ADDRESS"), find(text)


def test_street_name_without_number_is_masked_with_its_city(find):
    text = "Billing: Vesterbrogade, 1620 København"
    # masked whole; the NER model may call it a PERSON, which wins the merge on score
    assert [value for _type, value in find(text)] == ["Vesterbrogade, 1620 København"]


def test_two_line_address_with_a_blank_line_before_the_postcode(find):
    text = "Ship to:\n9 Huntly Street\nApt. 264\nBarnhill\n\nUnited Kingdom 55695"
    assert found_of(find, text, "STREET_ADDRESS") == [text.split(":\n", 1)[1]], find(text)


@pytest.mark.parametrize(
    "text",
    ["Place your order before noon", "Monitoring is down again", "Rue Mistakes was a good film"],
)
def test_street_words_in_ordinary_sentences_are_kept(find, text):
    assert found_of(find, text, "STREET_ADDRESS") == [], find(text)


def test_name_lists_are_shipped_and_loaded():
    names = gazetteer.load()
    assert {"maria", "john", "sven", "ágnes"} <= names.first_names  # Census + international
    assert {"kowalski", "nguyen"} <= names.surnames
    assert "mark" in names.english_words and "sven" not in names.english_words
