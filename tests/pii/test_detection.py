"""Real presidio + the offline spaCy model + our recognizers, on realistic chat and ticket text."""

from __future__ import annotations

import pytest

from core.pii.spans import Span, merge

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


def types_of(found: list[tuple[str, str]]) -> dict[str, list[str]]:
    by_type: dict[str, list[str]] = {}
    for entity_type, value in found:
        by_type.setdefault(entity_type, []).append(value)
    return by_type


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("Hi, this is Maria Gonzalez from accounting, I can't log in.", "PERSON", "Maria Gonzalez"),
        (
            "Please send the invoice to maria.gonzalez@example.com today.",
            "EMAIL_ADDRESS",
            "maria.gonzalez@example.com",
        ),
        ("You can call me on (415) 555-2671 after 5pm.", "PHONE_NUMBER", "(415) 555-2671"),
        ("My card 4111 1111 1111 1111 was charged twice.", "CREDIT_CARD", "4111 1111 1111 1111"),
        ("Refund to IBAN GB33BUKB20201555555555 please.", "IBAN_CODE", "GB33BUKB20201555555555"),
        ("For the tax form my SSN is 536-22-1234.", "US_SSN", "536-22-1234"),
        ("The VPN blocks me from 203.0.113.77 since Monday.", "IP_ADDRESS", "203.0.113.77"),
        (
            "Ship it to 742 Evergreen Terrace, Springfield, IL 62704.",
            "STREET_ADDRESS",
            "742 Evergreen Terrace, Springfield, IL 62704",
        ),
        (
            "I pasted my token by mistake: ghp_16C7e42F292c6912E7710c838347Ae178B4a",
            "SECRET",
            "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        ),
    ],
)
def test_every_default_entity_type_is_found(find, text, entity, value):
    assert value in types_of(find(text)).get(entity, []), find(text)


@pytest.mark.parametrize(
    "phone",
    [
        "+44 20 7946 0958",  # UK
        "+49 30 901820",  # Germany
        "+33 1 42 68 53 00",  # France
        "+81 3-1234-5678",  # Japan
        "+91 98765 43210",  # India
        "+55 11 91234-5678",  # Brazil
        "+41 44 668 18 00",  # Switzerland
        "0044 20 7946 0958",  # 00 prefix
        "+1-212-555-0199",  # US with country code
    ],
)
def test_international_phone_numbers(find, phone):
    found = types_of(find(f"Best to reach me on {phone} during office hours."))
    assert found.get("PHONE_NUMBER") == [phone]


def test_phone_lookalikes_are_left_alone(find):
    text = "Order 2024-05-17 shipped, version 3.11.7, ticket #4821, 10.0.0.1 is the gateway."
    assert "PHONE_NUMBER" not in types_of(find(text))


@pytest.mark.parametrize(
    "address",
    [
        "1600 Pennsylvania Avenue NW\nWashington, DC 20500",
        "221B Baker Street\nLondon NW1 6XE\nUnited Kingdom",
        "350 Fifth Avenue, Suite 3300\nNew York, NY 10118",
        "Hauptstraße 5\n10115 Berlin",
    ],
)
def test_multi_line_addresses_are_masked_whole(find, address):
    text = f"Hello,\nplease send the replacement to:\n{address}\n\nThanks a lot"
    addresses = types_of(find(text)).get("STREET_ADDRESS", [])
    assert addresses and address.startswith(addresses[0]) and len(addresses[0]) >= len(address) - 1, addresses


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("aws key AKIAIOSFODNN7EXAMPLE is in the config", "AKIAIOSFODNN7EXAMPLE"),
        (
            "slack token xoxb-2048392-3810294-aB3dE5fG7hI9jK1lM3nO5pQ7 broke",
            "xoxb-2048392-3810294-aB3dE5fG7hI9jK1lM3nO5pQ7",
        ),
        (
            "use github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz012345 for CI",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz012345",
        ),
        (
            f"header {JWT} here",
            JWT,
        ),
        ("db password: Tr0ub4dor&3 on prod", "Tr0ub4dor&3"),
        ("my password is hunter2!! can you reset it", "hunter2!!"),
    ],
)
def test_each_secret_kind(find, text, secret):
    assert secret in types_of(find(text)).get("SECRET", []), find(text)


def test_private_key_block_is_masked_entirely(find):
    block = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9\nq2Lk3aF0x9w==\n-----END RSA PRIVATE KEY-----"
    )
    assert types_of(find(f"here is the key:\n{block}\nwhat now?")).get("SECRET") == [block]


def test_names_in_greetings_and_signatures(find):
    text = "Hi Priya,\nthe export still fails on my side.\n\nThanks,\nMaria Gonzalez"
    assert types_of(find(text)).get("PERSON") == ["Priya", "Maria Gonzalez"]
    text = "Dear Mr. Okonkwo, the parcel arrived damaged. Kind regards, Lars Eriksson"
    assert {"Mr. Okonkwo", "Lars Eriksson"} <= set(types_of(find(text)).get("PERSON", []))


def test_allow_list_keeps_harmless_values(find):
    text = "Write to support@switchboard.example or to maria@example.com"
    found = types_of(find(text, allow=["support@switchboard.example"]))
    assert found["EMAIL_ADDRESS"] == ["maria@example.com"]


def test_deny_list_masks_terms_always(find):
    found = types_of(find("Is Project Falcon still on track for the launch?", deny=["project falcon"]))
    assert found["DENIED_TERM"] == ["Project Falcon"]


def test_entity_list_and_threshold_are_per_bot(find):
    text = "Mail maria@example.com or call +44 20 7946 0958"
    assert types_of(find(text, entities=["EMAIL_ADDRESS"])) == {"EMAIL_ADDRESS": ["maria@example.com"]}
    assert find("call 4155552671", score_threshold=0.99) == []


def test_overlapping_detections_leave_no_tail(find):
    text = "password: maria.gonzalez@example.com.backup please"
    found = find(text)
    assert len(found) == 1 and "maria.gonzalez@example.com" in found[0][1]


def test_merge_unions_overlaps_and_keeps_the_stronger_type():
    spans = [
        Span(0, 10, "PERSON", 0.6),
        Span(5, 20, "STREET_ADDRESS", 0.9),
        Span(25, 30, "EMAIL_ADDRESS", 1.0),
    ]
    assert merge(spans) == [Span(0, 20, "STREET_ADDRESS", 0.9), Span(25, 30, "EMAIL_ADDRESS", 1.0)]
