"""Each vendor's payload files read into typed tickets, and every field of the wrong type is a
clean refusal (400), never a crash."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.helpdesk import VENDORS, config_for
from adapters.helpdesk.adapter import read_ticket
from adapters.helpdesk.ticket import AuthorRole, Skip, Ticket, TicketKind
from adapters.kit.http import SharedSession
from adapters.kit.route import MalformedPayload
from tests.helpdesk.conftest import payload
from tests.helpdesk.fake_helpdesk import BOT_ID
from tests.helpdesk.signing import ENV
from tests.helpdesk.vendor_facts import REF

EXPECTED = {
    "ticket_created": (TicketKind.CREATED, AuthorRole.CUSTOMER),
    "customer_replied": (TicketKind.CUSTOMER_REPLIED, AuthorRole.CUSTOMER),
    "agent_replied": (TicketKind.AGENT_REPLIED, AuthorRole.AGENT),
    "internal_note": (TicketKind.NOTE, AuthorRole.AGENT),
}


def vendor_for(name: str) -> Any:
    env = {k: ("http://127.0.0.1:1" if k.endswith("_URL") else v) for k, v in ENV[name].items()}
    vendor = VENDORS[name](config_for(name, env), SharedSession())
    vendor.bot_id = BOT_ID
    return vendor


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_payload_files_read_as_typed_tickets(vendor, name):
    ticket = read_ticket(vendor_for(vendor), payload(vendor, name), "d-1", BOT_ID)
    assert isinstance(ticket, Ticket), ticket
    assert (ticket.kind, ticket.author_role, ticket.ref) == (*EXPECTED[name], REF[vendor])
    assert ticket.public is (name != "internal_note")
    assert ticket.body and "<" not in ticket.body, "HTML converted"
    assert "body" not in repr(ticket) and ticket.body not in repr(ticket)
    event = ticket.to_event(vendor)
    assert event.kind.value == "ticket" and event.conversation.channel_id == REF[vendor]
    assert all(isinstance(v, str | bool | list) for v in event.raw["ticket"].values())


@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_created_ticket_carries_subject_priority_and_tags(vendor):
    ticket = read_ticket(vendor_for(vendor), payload(vendor, "ticket_created"), "d-1", BOT_ID)
    assert isinstance(ticket, Ticket)
    assert "double charge" in ticket.body and ticket.requester
    assert "billing" in ticket.tags
    if vendor != "chatwoot":  # a chat conversation has no subject
        assert ticket.subject == "Charged twice for November"
        assert ticket.to_event(vendor).text.startswith("Charged twice for November")


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@pytest.mark.parametrize("name", ["bot_note", "status_solved"])
def test_own_notes_and_status_changes_are_skipped(vendor, name):
    assert isinstance(read_ticket(vendor_for(vendor), payload(vendor, name), "d-1", BOT_ID), Skip)


def leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list) and data:
        for index, value in enumerate(data):
            yield from leaves(value, (*path, index))
    yield path


def put(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    copied = copy.deepcopy(data)
    if not path:
        return value
    target = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copied


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@pytest.mark.parametrize("name", ["ticket_created", "customer_replied"])
def test_any_field_of_the_wrong_type_is_a_clean_refusal(vendor, name):
    original = payload(vendor, name)
    preset = vendor_for(vendor)
    for path in leaves(original):
        for wrong in (None, 7, "x", [], {}, [1, "a"], True):
            mutated = put(original, path, wrong)
            if not isinstance(mutated, dict):
                continue
            try:
                result = read_ticket(preset, mutated, "d-1", BOT_ID)
            except MalformedPayload:
                continue
            assert isinstance(result, Ticket | Skip), (path, wrong)
            if isinstance(result, Ticket):
                assert all(
                    isinstance(getattr(result, f), str) for f in ("ref", "body", "subject", "author_id")
                )
                assert result.ref, (path, wrong)


SLA_DUE = "2026-12-02T09:12:04Z"


def with_sla(vendor: str) -> dict[str, Any]:
    """The ticket_created payload, with the SLA due time where the vendor sends one."""
    body = payload(vendor, "ticket_created")
    if vendor == "jsm":
        body["issue"]["fields"]["duedate"] = SLA_DUE
    elif vendor == "zammad":
        body["ticket"]["escalation_at"] = SLA_DUE
    return body  # Freshdesk's file has ticket_due_by already


@pytest.mark.parametrize("vendor", ["freshdesk", "jsm", "zammad"])
def test_the_sla_due_time_reaches_the_event_where_the_vendor_sends_one(vendor):
    ticket = read_ticket(vendor_for(vendor), with_sla(vendor), "d-1", BOT_ID)
    assert isinstance(ticket, Ticket)
    assert ticket.to_event(vendor).raw["ticket"]["sla_due"] == SLA_DUE


def test_freshdesk_derives_a_delivery_id_that_its_retries_share_and_a_new_update_does_not():
    freshdesk = vendor_for("freshdesk")
    body = payload("freshdesk", "ticket_created")
    raw = json.dumps(body).encode()
    first = freshdesk.delivery_id({}, body, raw)
    assert first == freshdesk.delivery_id({}, json.loads(raw), raw)  # its retry: the same bytes
    assert first.startswith(f"{body['freshdesk_webhook']['ticket_id']}-")
    later = copy.deepcopy(body)
    later["freshdesk_webhook"]["ticket_updated_at"] = "2026-12-02T10:00:00Z"
    assert freshdesk.delivery_id({}, later, json.dumps(later).encode()) != first
    assert freshdesk.delivery_id({"X-Anything": "x"}, body, raw) == first  # no header is trusted
