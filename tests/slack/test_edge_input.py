"""Signed but malformed Slack input: a 400 naming the problem (or 401 for a bad timestamp), never
a 500 — and a message over the hub's size cap gets the polite "too long" reply in Slack."""

from __future__ import annotations

import json
import re

import pytest

from core import messages
from core.settings import Settings
from tests.slack.conftest import signed_headers
from tests.slack.payloads import load
from tests.slack.test_oauth import oauth_config


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("event", {"type": ["message"]}, "type"),
        ("event", {"subtype": {"a": 1}}, "subtype"),
        ("event", {"user": 42}, "user"),
        ("event", {"text": ["hi"]}, "text"),
        ("event", {"files": [{"size": "big"}]}, "files.0.size"),
        ("envelope", {"team_id": ["T1"]}, "team_id"),
        ("envelope", {"event_id": 7}, "event_id"),
        ("envelope", {"event": "a string"}, "event"),
    ],
)
async def test_fields_of_the_wrong_json_type_are_400_naming_the_field(slackkit, where, value, field):
    hub = await slackkit.build()
    envelope = load("message_im")
    if where == "event":
        envelope["event"].update(value)
    else:
        envelope.update(value)
    status, body = await hub.event(envelope)
    assert status == 400 and re.search(rf"field '(event\.)?{re.escape(field)}'", body["error"]), body
    await hub.settle()
    assert hub.events_received() == 0


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000, b'{"type": "x\\ud800"}'],
    ids=["deep-arrays", "deep-objects", "lone-surrogate"],
)
async def test_deep_or_unencodable_bodies_are_400(slackkit, raw):
    hub = await slackkit.build()
    status, body = await hub.post(
        "/slack/events", raw, {"Content-Type": "application/json", **signed_headers(raw)}
    )
    assert status == 400 and ("nested deeper" in body["error"] or "lone surrogate" in body["error"])


@pytest.mark.parametrize("stamp", ["²" * 10, "١٧٠٠٠٠٠٠٠٠", "１７００００００００"])
async def test_unicode_digit_timestamps_are_refused_as_unsigned(slackkit, stamp):
    hub = await slackkit.build()
    body = json.dumps(load("message_im")).encode()
    headers = {**signed_headers(body), "X-Slack-Request-Timestamp": stamp}
    for path in ("/slack/events", "/slack/commands"):
        status, answer = await hub.post(path, body, headers)
        assert status == 401 and answer == {"error": "invalid Slack signature"}


@pytest.mark.parametrize(
    ("query", "cookie"),
    [
        ("code=c&state=%C3%A9t%C3%A9", "slack_oauth_state=été"),
        ("code=%ff%fe&state=%c3%28", "slack_oauth_state=%c3%28"),
    ],
    ids=["non-ascii-state-cookie", "non-utf8-percent-escapes"],
)
async def test_odd_oauth_redirects_are_a_clear_400_page(slackkit, query, cookie):
    hub = await slackkit.build(oauth_config(slackkit))
    headers = {"Cookie": cookie.encode().decode("latin-1")}
    async with hub.session.get(f"{hub.url}/slack/oauth_redirect?{query}", headers=headers) as response:
        assert response.status == 400
        assert "Installation failed" in await response.text()


async def test_a_message_over_the_cap_gets_the_polite_reply_in_slack(slackkit):
    hub = await slackkit.build()
    limit = Settings().max_message_chars
    envelope = load("message_im")
    envelope["event"]["text"] = "a" * (limit + 1)
    status, _ = await hub.event(envelope)
    assert status == 200
    await slackkit.fake.wait_for(lambda: slackkit.fake.posts())
    (post,) = slackkit.fake.posts()
    assert post.args["text"] == messages.TOO_LONG.format(limit=limit)
