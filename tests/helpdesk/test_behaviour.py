"""What a helpdesk team notices, for every vendor: one internal note per ticket event, never two,
never on the bot's own note, standing down when a human answered, Retry-After honoured, a 5xx
after the vendor stored the note never doubling it, and PII never in clear in Redis or logs."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest

from adapters.helpdesk import VENDORS
from core.events import Visibility
from tests.helpdesk import ticket_skill
from tests.helpdesk.conftest import payload
from tests.helpdesk.fake_helpdesk import AGENT_ID
from tests.helpdesk.signing import signed
from tests.helpdesk.vendor_facts import CLOSED, NO_TIMESTAMP, REF, text, visibility
from tests.pii.conftest import PII_BOT
from tests.pii.test_canary import redis_dump

VENDOR_NAMES = sorted(VENDORS)
pytestmark = pytest.mark.parametrize("vendor", VENDOR_NAMES)


async def test_ticket_created_gets_one_internal_note(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    status, body = await hub.deliver(payload(vendor, "ticket_created"))
    assert status == 200 and body == {"status": "accepted"}
    await hub.settle()
    assert len(hub.fake.writes) == 1
    write = hub.fake.writes[0]
    assert write.ref == REF[vendor] and visibility(vendor, write.body) is False
    assert "Suggested answer for:" in text(vendor, write.body) and "(ref sb-" in text(vendor, write.body)


async def test_customer_reply_is_answered_without_the_quoted_history(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    await hub.deliver(payload(vendor, "customer_replied"))
    await hub.settle()
    (write,) = hub.fake.writes
    written = text(vendor, write.body)
    assert "refund" in written and "wrote:" not in written and "looking into it" not in written


async def test_three_deliveries_two_at_once_give_one_note(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    body = payload(vendor, "ticket_created")
    first = await asyncio.gather(hub.deliver(body, delivery="same"), hub.deliver(body, delivery="same"))
    await hub.settle()
    third = await hub.deliver(body, delivery="same")
    await hub.settle()
    assert sorted(s for s, _ in first) == [200, 200] and third[0] == 200
    assert len(hub.fake.writes) == 1 and hub.events_received() == 1


@pytest.mark.parametrize("name", ["bot_note", "agent_replied", "internal_note", "status_solved"])
async def test_not_answered(helpdesks, vendor, name):
    hub = await helpdesks.build(vendor)
    status, body = await hub.deliver(payload(vendor, name))
    await hub.settle()
    assert status == 200 and body["status"] == "ignored"
    assert hub.fake.writes == [] and hub.events_received() == 0


async def test_agent_answering_while_the_bot_works_makes_it_stand_down(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    ticket_skill.started, ticket_skill.release = asyncio.Event(), asyncio.Event()
    try:
        await hub.deliver(payload(vendor, "ticket_created"))
        await ticket_skill.started.wait()
        hub.fake.add_comment(REF[vendor], AGENT_ID, "On it, refunding now.", public=True)
        ticket_skill.release.set()
        await hub.settle()
    finally:
        ticket_skill.started = ticket_skill.release = None
    assert hub.fake.writes == [] and hub.adapter.stood_down == ["a human agent answered since the event"]


async def test_agent_reply_webhook_makes_a_later_answer_stand_down(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    ticket_skill.started, ticket_skill.release = asyncio.Event(), asyncio.Event()
    try:
        await hub.deliver(payload(vendor, "ticket_created"))
        await ticket_skill.started.wait()
        await hub.deliver(payload(vendor, "agent_replied"), delivery="d-agent")  # the API shows nothing yet
        ticket_skill.release.set()
        await hub.settle()
    finally:
        ticket_skill.started = ticket_skill.release = None
    assert hub.fake.writes == [] and "webhook" in hub.adapter.stood_down[-1]


async def test_429_retry_after_is_waited_then_one_note(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    hub.fake.rate_limit = [{"Retry-After": "7"}]
    await hub.deliver(payload(vendor, "ticket_created"))
    await hub.settle()
    assert [w.stored for w in hub.fake.writes] == [False, True]
    assert hub.waits == [7.0] and len(hub.fake.bot_comments()) == 1


async def test_a_5xx_after_the_note_was_stored_is_not_written_again(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    hub.fake.fail_after_store = 1
    await hub.deliver(payload(vendor, "ticket_created"))
    await hub.settle()
    assert len(hub.fake.writes) == 1 and len(hub.fake.bot_comments()) == 1


async def test_public_replies_when_allowed_but_never_on_a_closed_ticket(helpdesks, vendor):
    hub = await helpdesks.build(vendor, options={"public_replies": True})
    await hub.deliver(payload(vendor, "ticket_created"), delivery="d-open")
    await hub.settle()
    hub.fake.ticket(REF[vendor], status=CLOSED[vendor])
    await hub.deliver(payload(vendor, "customer_replied"), delivery="d-closed")
    await hub.settle()
    assert [visibility(vendor, w.body) for w in hub.fake.writes] == [True, False]


async def test_a_reply_asking_for_an_internal_note_gets_one_even_where_public_is_allowed(helpdesks, vendor):
    hub = await helpdesks.build(vendor, options={"public_replies": True})
    ticket_skill.visibility = Visibility.INTERNAL
    try:
        await hub.deliver(payload(vendor, "ticket_created"))
        await hub.settle()
    finally:
        ticket_skill.visibility = None
    assert [visibility(vendor, w.body) for w in hub.fake.writes] == [False]


async def test_hourly_cap_per_ticket(helpdesks, vendor):
    hub = await helpdesks.build(vendor, options={"max_answers_per_hour": 1})
    await hub.deliver(payload(vendor, "ticket_created"), delivery="d-a")
    await hub.deliver(payload(vendor, "customer_replied"), delivery="d-b")
    await hub.settle()
    assert len(hub.fake.writes) == 1 and hub.adapter.stood_down == [
        "hourly answer cap reached for the ticket"
    ]


@pytest.mark.parametrize("how", ["unsigned", "tampered", "stale"])
async def test_unverified_requests_get_401_and_no_turn(helpdesks, vendor, how):
    hub = await helpdesks.build(vendor)
    body = json.dumps(payload(vendor, "ticket_created")).encode()
    if how == "unsigned":
        status, answer = await hub.deliver(body, sign=False)
    elif how == "tampered":
        headers = signed(vendor, body, "d-1")
        status, answer = await hub.deliver(body.replace(b"refund", b"REFUND"), sign=False, headers=headers)
    else:
        headers = signed(vendor, body, "d-1", now=time.time() - 3600)
        status, answer = await hub.deliver(body, sign=False, headers=headers)
    await hub.settle()
    if how == "stale" and vendor in NO_TIMESTAMP:
        assert status == 200  # this vendor signs no timestamp: the delivery id dedups replays
        return
    if how == "tampered" and vendor == "freshdesk":
        assert status == 200  # a shared secret, not a MAC: the body is low-trust (docs/helpdesks.md)
        return
    assert status == 401 and "signature" in answer["error"]
    assert hub.events_received() == 0 and hub.fake.writes == []


@pytest.mark.parametrize("body", [b"{not json", b"[1]", b'{"unexpected": "shape"}'])
async def test_signed_garbage_is_400(helpdesks, vendor, body):
    hub = await helpdesks.build(vendor)
    status, answer = await hub.deliver(body)
    assert status == 400 and answer["error"] and hub.events_received() == 0


async def test_canary_pii_never_in_clear_in_redis_or_logs(helpdesks, vendor, masker, caplog):
    hub = await helpdesks.build(vendor, pii_masker=masker, **{"pii": PII_BOT["pii"]})
    caplog.set_level(logging.DEBUG)
    body = json.dumps(payload(vendor, "ticket_created")).replace(
        "double charge", "double charge, call me on +48 22 123 45 67 or mail zk.canary@example.org"
    )
    await hub.deliver(body.encode())
    await hub.settle()
    dump = await redis_dump(hub.assembly.redis)
    for canary in ("123 45 67", "zk.canary"):
        assert canary not in dump and canary not in caplog.text
    (write,) = hub.fake.writes
    assert "zk.canary@example.org" in text(vendor, write.body)  # an internal note may show it to agents


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_long_retry_after_parks_the_note_until_due_once_and_across_a_restart(
    helpdesks, vendor, redis
):
    clock = Clock()
    hub = await helpdesks.build(vendor, clock=clock)
    hub.fake.rate_limit = [{"Retry-After": "120"}]
    await hub.deliver(payload(vendor, "ticket_created"))
    await hub.settle()  # the turn ended: it did not sit out two minutes
    assert [w.stored for w in hub.fake.writes] == [False] and hub.waits == []
    assert await hub.adapter.sweep() == 0  # not due yet
    clock.now += 119
    assert await hub.adapter.sweep() == 0 and hub.fake.bot_comments() == []
    parked = await hub.assembly.redis.hgetall(hub.adapter.parked.data_key)
    assert len(parked) == 1 and "Suggested" not in str(parked)  # the parked answer is sealed
    restarted = await helpdesks.build(vendor, clock=clock, fake=hub.fake)  # a new hub, same Redis
    clock.now += 2
    assert await restarted.adapter.sweep() == 1
    assert await hub.adapter.sweep() == 0 and await restarted.adapter.sweep() == 0
    assert [w.stored for w in hub.fake.writes] == [False, True] and len(hub.fake.bot_comments()) == 1
    assert visibility(vendor, hub.fake.writes[1].body) is False
    assert (await restarted.adapter.status())["parked_writes"] == 0
