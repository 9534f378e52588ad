"""The kit's own metrics, seen on a real hub's /metrics: a refused signature and a 429 with
Retry-After from the helpdesk API are counted for that platform, with the seconds waited."""

from __future__ import annotations

import json

import aiohttp

from tests.helpdesk.conftest import payload
from tests.scrape import Samples, samples, value


async def scrape(hub) -> Samples:  # type: ignore[no-untyped-def]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{hub.server.port}/metrics") as response:
            return samples(await response.text())


async def test_signature_failures_and_429s_are_counted_per_platform(helpdesks):
    hub = await helpdesks.build("zendesk")
    before = await scrape(hub)
    status, _ = await hub.deliver(json.dumps(payload("zendesk", "ticket_created")).encode(), sign=False)
    assert status == 401
    hub.fake.rate_limit = [{"Retry-After": "7"}]
    await hub.deliver(payload("zendesk", "ticket_created"))
    await hub.settle()
    assert len(hub.fake.bot_comments()) == 1
    after = await scrape(hub)

    def delta(name: str) -> float:
        return value(after, name, platform="zendesk") - value(before, name, platform="zendesk")

    assert delta("switchboard_events_signature_failures_total") == 1
    assert delta("switchboard_platform_rate_limited_total") == 1
    assert delta("switchboard_platform_retry_after_seconds_total") == 7
