"""What each helpdesk does with a relayed note or reply (`Reply.relay`): written as the agent the
e-mail maps to where the vendor allows it, else by the bot; once, however often it is sent."""

from __future__ import annotations

import pytest

from adapters.helpdesk import VENDORS
from adapters.helpdesk.adapter import read_ticket
from adapters.helpdesk.ticket import Ticket
from core.events import Audience, Relay, Reply, Visibility
from tests.helpdesk.conftest import payload
from tests.helpdesk.fake_helpdesk import AGENT_ID, BOT_ID
from tests.helpdesk.vendor_facts import REF

WRITES_AS_AGENTS = {"zendesk", "freshdesk", "intercom"}


def relayed(hub, vendor: str, text: str, *, public: bool, agent: str | None, event: str) -> Reply:
    ticket = read_ticket(hub.adapter.vendor, payload(vendor, "ticket_created"), "d-1", BOT_ID)
    assert isinstance(ticket, Ticket)
    return Reply(
        text=text,
        conversation=ticket.to_event(vendor).conversation,
        in_reply_to=event,
        visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
        audience=Audience.TICKET,
        relay=Relay(author_id=agent, via="Slack"),
    )


@pytest.mark.parametrize("vendor", sorted(VENDORS))
async def test_a_relayed_note_and_reply_are_written_once_as_the_agent_where_the_vendor_allows(
    helpdesks, vendor
):
    hub = await helpdesks.build(vendor)
    agent = await hub.adapter.agent_for("Ann@Example.com", None)
    assert agent == (AGENT_ID if vendor in WRITES_AS_AGENTS else None)
    assert await hub.adapter.agent_for("bob@example.com", None) is None
    note = relayed(
        hub, vendor, "Slack — Ann: checked the invoice.", public=False, agent=agent, event="slack:Ev1"
    )
    first = await hub.adapter.send(note)
    again = await hub.adapter.send(note)  # a retry finds the comment it wrote
    assert first is not None and again is not None and first.message_id == again.message_id
    await hub.adapter.send(relayed(hub, vendor, "Refunded.", public=True, agent=agent, event="slack:Ev2"))
    written = hub.fake.ticket(REF[vendor]).comments
    assert [c.public for c in written] == [False, True]
    assert {c.author_id for c in written} == {agent or BOT_ID}
    assert all("— via Slack (ref sb-" in c.body for c in written)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("vendor", sorted(VENDORS))
async def test_a_relayed_note_refused_with_a_long_retry_after_is_parked_and_written_once_when_due(
    helpdesks, vendor
):
    clock = Clock()
    hub = await helpdesks.build(vendor, clock=clock)
    agent = await hub.adapter.agent_for("ann@example.com", None)
    hub.fake.rate_limit = [{"Retry-After": "300"}]
    note = relayed(hub, vendor, "Slack — Ann: refund approved.", public=False, agent=agent, event="slack:Ev9")
    sent = await hub.adapter.send(note)
    assert sent is not None and sent.due_in_s == 300 and sent.message_id == ""
    assert hub.waits == [] and hub.fake.ticket(REF[vendor]).comments == []  # the turn did not wait
    assert (await hub.adapter.status())["parked_writes"] == 1
    clock.now += 299
    assert await hub.adapter.sweep() == 0
    restarted = await helpdesks.build(vendor, clock=clock, fake=hub.fake)  # a new hub, same Redis
    clock.now += 2
    assert await restarted.adapter.sweep() == 1
    assert await hub.adapter.sweep() == 0 and await restarted.adapter.sweep() == 0
    again = await restarted.adapter.send(note)  # a late retry of the relay finds it
    (written,) = hub.fake.ticket(REF[vendor]).comments
    assert again is not None and again.message_id == written.id
    assert written.public is False and written.author_id == (agent or BOT_ID)
    assert "— via Slack (ref sb-" in written.body
