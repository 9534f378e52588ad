"""Names and street addresses found by their context (issue 4, recall across corpus draws), and
the everyday sentences each of those rules must leave alone."""

from __future__ import annotations

import pytest


def found_of(find, text: str, entity: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [value for entity_type, value in find(text) if entity_type == entity]


def masked(find, text: str, entity: str) -> str:  # type: ignore[no-untyped-def]
    return " ".join(found_of(find, text, entity))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sue, can I ask you something about the invoice?", "Sue"),  # a name that is an English word
        ("Beaufort, could you look at my ticket?", "Beaufort"),  # vocative, no list needed
        ("That's all for today, Kristine!", "Kristine"),  # vocative at the end
        ('"The fix is live now," says Tuininga.', "Tuininga"),  # after what someone says
        ("can you ping Cecilia Santos about the outage?", "Cecilia Santos"),
        ("@Marisol the build is green again", "Marisol"),
        ("Caird and Jones reviewed the patch.", "Caird"),  # coordinated with a found name
        ("Kadyrov approved the change yesterday.", "Kadyrov"),  # a surname shape
        ("The report from Jóhannsdóttir is attached.", "Jóhannsdóttir"),
        ("Tomasz is on call this week.", "Tomasz"),  # a given name the tagger calls a noun
        ("I would like to add my kid Teodata to the family plan.", "Teodata"),
        ("Sometimes people call me Jan", "Jan"),  # a given name that is also a month
        ("}} Marijan Stanković\n}} 264 Playfair Avenue", "Marijan Stanković"),  # quoted signature
    ],
)
def test_names_found_by_their_context(find, text, name):
    assert name in masked(find, text, "PERSON"), find(text)


@pytest.mark.parametrize(
    "text",
    [
        "Btw, can you check the logs?",
        "Great, thanks for the help",
        "Honestly, I think the deploy broke it",
        "Yes, that works for me",
        "I moved from Atlanta, Georgia last year.",
        "We have offices in Paris and Berlin.",
        "Deploy it to the Sydney region tonight.",
        "Maria and Google both replied.",
        "The meeting is on Jan 5 at noon.",
        "The new Kubernetes cluster and the old one differ.",
        "Ping the on-call channel if it fails again.",
        "Please run the tests, then merge.",
    ],
)
def test_everyday_sentences_keep_their_words(find, text):
    assert found_of(find, text, "PERSON") == [], find(text)


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("He lives on the north side of Purje 57.", "Purje 57"),  # one word and a number, a cue
        ("Meet me at Laetitia and Dyvik 46 after work", "Dyvik 46"),
        ("The title refers to Rahu 37 street in Sindi.", "Rahu 37"),  # a street word after the number
        ("Office:\nEhitajate 7\n10117 Tallinn\nEstonia", "Ehitajate 7\n10117 Tallinn"),  # line structure
        ("Ship it to Kovářská 1765, 19604 Ústí nad Labem 2", "Kovářská 1765, 19604 Ústí nad Labem 2"),
        ("The bus station is on Republica de Chile 7715", "Republica de Chile 7715"),
        ("Our flat: 5805 2 rue Sébastopol\n> Apt. 796\n> Lyon", "5805 2 rue Sébastopol\n> Apt. 796\n> Lyon"),
        ("He lives on the north side of 2767 40th Street.", "2767 40th Street"),
        ("It is in Carrer de Mallorca, 401 in Barcelona", "Carrer de Mallorca, 401"),
        ("What is your address? it is USNV Švec\nFPO AE 84815", "USNV Švec\nFPO AE 84815"),
    ],
)
def test_street_addresses_found_by_their_context(find, text, address):
    assert address in masked(find, text, "STREET_ADDRESS"), find(text)


@pytest.mark.parametrize(
    "text",
    [
        "I'm on Windows 10 and it still crashes",
        "He lives in Room 4 of the dorm",
        "We moved to Python 3.12 last sprint",
        "The server is at version 2 now",
        "Meet me at Gate 12 in an hour",
        "Windows 10, 2019 Edition is the one we support",
        "The office is on Floor 3",
    ],
)
def test_numbers_after_everyday_words_are_not_addresses(find, text):
    assert found_of(find, text, "STREET_ADDRESS") == [], find(text)


@pytest.mark.parametrize(
    ("text", "street"),
    [
        ("She lives on Vesterbrogade, right above the bakery.", "Vesterbrogade"),
        ("Stop at the corner of Ilichova and Main.", "Ilichova"),
    ],
)
def test_street_names_without_a_number_after_a_street_cue(find, text, street):
    assert street in masked(find, text, "STREET_ADDRESS"), find(text)


@pytest.mark.parametrize(
    "text", ["She lives on Campus, near the library.", "It is located on Level 2.", "My address is Private."]
)
def test_street_cues_before_everyday_words_are_not_addresses(find, text):
    assert found_of(find, text, "STREET_ADDRESS") == [], find(text)
