"""Events API end to end: signed HTTP deliveries → real hub → real slack_sdk → FakeSlack."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from tests.slack.conftest import signed_headers
from tests.slack.payloads import load


async def test_mention_in_channel_is_answered_in_its_thread(slackkit):
    hub = await slackkit.build()
    envelope = load("app_mention")
    envelope["event"]["text"] = "<@UBOT> /about"
    status, body = await hub.event(envelope)
    assert (status, body) == (200, None)
    await slackkit.fake.wait_for(lambda: slackkit.fake.posts())
    (post,) = slackkit.fake.posts()
    assert post.token == "xoxb-one"
    assert post.args["channel"] == "C0LAN2Q65"
    assert post.args["thread_ts"] == "1515449522.000016"
    assert "I'm testbot" in post.args["text"]


async def test_direct_message_is_answered_in_place(slackkit):
    hub = await slackkit.build()
    envelope = load("message_im")
    envelope["event"]["text"] = "/about"
    await hub.event(envelope)
    await slackkit.fake.wait_for(lambda: slackkit.fake.posts())
    (post,) = slackkit.fake.posts()
    assert post.args["channel"] == "D024BE91L"
    assert "thread_ts" not in post.args
    assert post.args["text"].startswith("I'm testbot")


@pytest.mark.parametrize(
    "name", ["own_message", "bot_message", "message_changed", "message_deleted", "channel_join"]
)
async def test_ignored_messages_reach_no_turn(slackkit, name):
    hub = await slackkit.build()
    status, _ = await hub.event(load(name))
    assert status == 200
    await hub.settle()
    assert hub.events_received() == 0
    assert slackkit.fake.posts() == []


async def test_url_verification_is_answered(slackkit):
    hub = await slackkit.build()
    status, body = await hub.event(load("url_verification"))
    assert status == 200 and body == {"challenge": load("url_verification")["challenge"]}


def _tampered(body: bytes) -> dict[str, str]:
    return signed_headers(body.replace(b"deploy", b"DEPLOY"))


@pytest.mark.parametrize(
    "headers_for",
    [
        _tampered,
        lambda body: signed_headers(body, ts=int(time.time()) - 301),
        lambda body: signed_headers(body, ts=int(time.time()) + 301),
        lambda body: {},
        lambda body: {"X-Slack-Signature": signed_headers(body)["X-Slack-Signature"]},
        lambda body: {"X-Slack-Request-Timestamp": str(int(time.time()))},
        lambda body: signed_headers(body, secret="another-apps-secret"),
    ],
    ids=["tampered", "stale", "future", "no-headers", "no-timestamp", "no-signature", "wrong-secret"],
)
async def test_unsigned_requests_get_401_and_no_turn(slackkit, headers_for):
    hub = await slackkit.build()
    body = json.dumps(load("app_mention")).encode()
    status, answer = await hub.post("/slack/events", body, headers_for(body))
    assert status == 401 and answer == {"error": "invalid Slack signature"}
    await hub.settle()
    assert hub.events_received() == 0 and slackkit.fake.posts() == []


async def test_signed_garbage_is_a_400(slackkit):
    hub = await slackkit.build()
    body = b"{not json"
    status, answer = await hub.post("/slack/events", body, signed_headers(body))
    assert status == 400 and "JSON" in answer["error"]


async def test_retry_storm_is_answered_exactly_once(slackkit):
    first = await slackkit.build()
    second = await slackkit.build()  # another replica sharing Redis
    envelope = load("message_im")
    retries = [{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"} for n in (1, 2, 3)]
    deliveries = [first.event(envelope) for _ in range(4)]
    deliveries += [second.event(envelope) for _ in range(4)]
    deliveries += [hub.event(envelope, extra_headers=h) for hub in (first, second) for h in retries]
    results = await asyncio.gather(*deliveries)
    assert all(status == 200 for status, _ in results)
    await first.settle()
    await second.settle()
    assert len(slackkit.fake.posts()) == 1


async def test_follow_up_in_the_bots_thread_is_answered(slackkit):
    hub = await slackkit.build()
    await hub.event(load("app_mention"))
    await slackkit.fake.wait_for(lambda: len(slackkit.fake.posts()) == 1)
    await hub.event(load("thread_reply"))
    await slackkit.fake.wait_for(lambda: len(slackkit.fake.posts()) == 2)
    assert slackkit.fake.posts()[1].args["thread_ts"] == "1515449522.000016"


async def test_thread_the_bot_is_not_in_is_left_alone(slackkit):
    hub = await slackkit.build()
    await hub.event(load("thread_reply"))
    await hub.settle()
    assert hub.events_received() == 0 and slackkit.fake.posts() == []
