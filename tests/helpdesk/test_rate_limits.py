"""Intercom's 429 carries no Retry-After, only `X-RateLimit-Reset` (epoch seconds), as do some of
Jira's: the note still arrives after that wait, once; a reset far away parks it."""

from __future__ import annotations

import time

import pytest

from tests.helpdesk.conftest import payload


@pytest.mark.parametrize("vendor", ["intercom", "jsm"])
async def test_a_429_with_only_the_rate_limit_reset_header_is_waited_then_one_note(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    hub.fake.rate_limit = [{"X-RateLimit-Reset": str(int(time.time()) + 8)}]
    await hub.deliver(payload(vendor, "ticket_created"))
    await hub.settle()
    assert [w.stored for w in hub.fake.writes] == [False, True]
    (waited,) = hub.waits
    assert 5.0 < waited <= 8.0 and len(hub.fake.bot_comments()) == 1


@pytest.mark.parametrize("vendor", ["intercom", "jsm"])
async def test_a_reset_header_far_away_parks_the_note(helpdesks, vendor):
    hub = await helpdesks.build(vendor)
    hub.fake.rate_limit = [{"X-RateLimit-Reset": str(int(time.time()) + 600)}]
    await hub.deliver(payload(vendor, "ticket_created"))
    await hub.settle()
    assert hub.waits == [] and hub.fake.bot_comments() == []
    assert (await hub.adapter.status())["parked_writes"] == 1
