"""Replies as users see them: rate limits honoured, streaming edits, safe text, long answers."""

from __future__ import annotations

from tests.scrape import samples, value
from tests.slack.conftest import MODEL_BOT, ScriptedModel
from tests.slack.payloads import load


def ask(text: str) -> dict:
    envelope = load("app_mention")
    envelope["event"]["text"] = text
    return envelope


def platform_counts(hub) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """(429s, seconds waited, retries) for Slack, as the hub's /metrics shows them."""
    found = samples(hub.assembly.metrics.render().decode())
    return (
        value(found, "switchboard_platform_rate_limited_total", platform="slack"),
        value(found, "switchboard_platform_retry_after_seconds_total", platform="slack"),
        value(found, "switchboard_platform_retries_total", platform="slack"),
    )


async def test_429_is_waited_out_and_the_reply_arrives_once(slackkit):
    hub = await slackkit.build()
    before = platform_counts(hub)
    slackkit.fake.fail_next("chat.postMessage", 429, {"Retry-After": "1"})
    await hub.event(ask("<@UBOT> please summarise the quarterly numbers"))
    await slackkit.fake.wait_for(lambda: slackkit.fake.posts())
    await hub.settle()
    methods = [c.method for c in slackkit.fake.calls if c.method.startswith("chat.postMessage")]
    assert methods == ["chat.postMessage!429", "chat.postMessage"]
    after = platform_counts(hub)
    assert (after[0] - before[0], after[1] - before[1]) == (1, 1)


async def test_server_errors_are_retried(slackkit):
    hub = await slackkit.build()
    before = platform_counts(hub)
    slackkit.fake.fail_next("chat.postMessage", 503)
    await hub.event(load("message_im"))
    await slackkit.fake.wait_for(lambda: slackkit.fake.posts())
    await hub.settle()
    assert len(slackkit.fake.posts()) == 1
    assert platform_counts(hub)[2] - before[2] == 1


async def test_streaming_updates_one_message_until_the_text_is_complete(slackkit):
    pieces = ("The deploy", " checklist", " has five", " steps.", " First, freeze merges.")
    hub = await slackkit.build(gateway=ScriptedModel(*pieces), **MODEL_BOT)
    await hub.event(ask("<@UBOT> please summarise the quarterly numbers"))
    full = "".join(pieces)
    fake = slackkit.fake
    await fake.wait_for(lambda: any(c.args.get("text") == full for c in fake.of("chat.update")))
    await hub.settle()
    await hub.adapter.outbox.drain()
    (post,) = fake.posts()
    updates = fake.of("chat.update")
    assert post.args["text"] == "The deploy" and post.args["thread_ts"] == "1515449522.000016"
    assert len(updates) >= 1 and all(u.args["ts"] == updates[0].args["ts"] for u in updates)
    assert updates[-1].args["text"] == full


async def test_model_text_cannot_ping_the_channel_or_strangers(slackkit):
    answer = "Sure <!channel>! Ask <@U0BOB> or <@U0EVE> or <!subteam^S1|oncall> & @here <b>now</b>"
    hub = await slackkit.build(gateway=ScriptedModel(answer), **MODEL_BOT)
    envelope = load("app_mention")
    envelope["event"]["text"] = "<@UBOT> should I ask <@U0BOB>?"
    await hub.event(envelope)
    await slackkit.fake.wait_for(lambda: slackkit.fake.posts())
    text = slackkit.fake.posts()[0].args["text"]
    assert "<!channel>" not in text and "<!subteam" not in text and "<@U0EVE>" not in text
    assert "<@U0BOB>" in text  # the asker mentioned Bob: that one may stay live
    assert " @here" not in text and "<b>" not in text and "&amp;" in text


async def test_long_answers_are_split_in_order_in_the_thread(slackkit):
    paragraphs = [f"Paragraph {n}. " + "Some detail here. " * 8 for n in range(1, 4)]
    hub = await slackkit.build(
        slackkit.config(max_chars=200), gateway=ScriptedModel("\n\n".join(paragraphs)), **MODEL_BOT
    )
    await hub.event(ask("<@UBOT> please summarise the quarterly numbers"))
    await slackkit.fake.wait_for(lambda: len(slackkit.fake.posts()) >= 3)
    await hub.settle()
    posts = slackkit.fake.posts()
    assert [p.args["text"].split(".")[0] for p in posts] == ["Paragraph 1", "Paragraph 2", "Paragraph 3"]
    assert all(len(p.args["text"]) <= 200 for p in posts)
    assert {p.args["thread_ts"] for p in posts} == {"1515449522.000016"}
