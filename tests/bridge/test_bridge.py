"""The Slack swarm bridge end to end: a Zendesk ticket becomes a Slack thread, the thread talks
back into the ticket, and nothing loops (real slack_sdk and Zendesk adapter against the fakes)."""

from __future__ import annotations

from tests.bridge.conftest import CHANNEL, REF
from tests.helpdesk.fake_helpdesk import AGENT_ID, BOT_ID, CUSTOMER_ID
from tests.helpdesk_skills.conftest import BOT, DRAFT, REFUND_DOC, DraftEngine, FakeIndex
from tests.model.test_queue import MODEL, EchoEngine, until, work_off
from tests.pii.test_canary import redis_dump

ANN, BOB = "UANN", "UBOB"  # Ann's Slack e-mail is a Zendesk agent's; Bob's is not


def bodies(swarm, author=None):
    return [c.body for c in swarm.comments() if author is None or c.author_id == author]


async def test_a_new_ticket_opens_a_thread_with_its_facts_and_the_draft(swarm):
    await swarm.start()
    await swarm.ticket_created()
    parent = swarm.parent()
    text = parent["text"]
    assert parent["channel"] == CHANNEL and parent.get("thread_ts") is None
    assert f"ticket #{REF}" in text and "Charged twice for November" in text
    assert "double charge" in text and "Priority: normal" in text
    assert f"{swarm.zendesk.url}/agent/tickets/{REF}" in text
    assert "Internal note by the bot:" in text and "Suggested answer for:" in text
    # the ticket's own skill still wrote its draft into the ticket, as an internal note
    (draft,) = swarm.comments()
    assert draft.author_id == BOT_ID and draft.public is False


async def test_a_thread_reply_becomes_an_internal_note_by_the_mapped_agent(swarm):
    await swarm.start()
    await swarm.ticket_created()
    await swarm.says(ANN, "I checked Stripe: the second charge is pending, it will drop off.")
    note = swarm.comments()[-1]
    assert note.author_id == AGENT_ID and note.public is False
    assert note.body.startswith("I checked Stripe") and "via Slack (ref sb-" in note.body


async def test_an_unmapped_person_is_noted_by_the_bot_under_their_name(swarm):
    await swarm.start()
    await swarm.ticket_created()
    await swarm.says(BOB, "This customer is on the enterprise plan.")
    note = swarm.comments()[-1]
    assert note.author_id == BOT_ID and note.public is False
    assert note.body.startswith("Slack — Bob: This customer is on the enterprise plan.")


async def test_slash_reply_from_an_agent_is_a_public_reply(swarm):
    await swarm.start()
    await swarm.ticket_created()
    await swarm.says(ANN, " /reply Hi, the refund is on its way.")
    reply = swarm.comments()[-1]
    assert reply.author_id == AGENT_ID and reply.public is True
    assert reply.body.startswith("Hi, the refund is on its way.")
    (confirmation,) = swarm.slack.of("chat.postEphemeral")
    assert confirmation.args["user"] == ANN and "Sent to the customer" in confirmation.args["text"]


async def test_slash_reply_from_someone_who_is_no_agent_is_refused_and_nothing_is_public(swarm):
    await swarm.start()
    await swarm.ticket_created()
    before = len(swarm.comments())
    await swarm.says(BOB, "/reply We will refund you twice!")
    assert len(swarm.comments()) == before and not [c for c in swarm.comments() if c.public]
    (refusal,) = swarm.slack.of("chat.postEphemeral")
    assert refusal.args["user"] == BOB and refusal.args["thread_ts"] == swarm.parent()["ts"]
    assert "Nothing was sent" in refusal.args["text"]


async def test_a_customer_comment_appears_in_the_thread(swarm):
    await swarm.start()
    await swarm.ticket_created()
    await swarm.customer_says("<p>Any news on the refund?</p>")
    shown = swarm.in_thread()
    assert any(t.startswith("*Customer:*") and "Any news on the refund?" in t for t in shown)
    assert any("Internal note by the bot:" in t for t in shown)  # the draft for it follows


async def test_three_rounds_with_every_echo_delivered_do_not_loop(swarm):
    await swarm.start(max_answers_per_hour=10)  # every round's draft is written
    await swarm.ticket_created()
    await swarm.echo()
    for round_ in range(3):
        await swarm.customer_says(f"<p>Round {round_}: still waiting.</p>")
        await swarm.says(ANN, f"Round {round_}: on it.")
        await swarm.says(ANN, f"/reply Round {round_}: done soon.")
        await swarm.echo()  # Slack and Zendesk send back everything the bot wrote
        await swarm.echo()
    posts = [m for m in swarm.slack.messages if m.get("bot_id")]
    # 1 parent + per round: the customer's comment and the draft for it
    assert len(posts) == 1 + 3 * 2
    by_author = [c.author_id for c in swarm.comments()]
    # 1 draft at creation + per round: customer, draft, Ann's note, Ann's reply
    assert by_author.count(CUSTOMER_ID) == 3 and by_author.count(AGENT_ID) == 6
    assert by_author.count(BOT_ID) == 1 + 3
    assert len(by_author) == 1 + 3 * 4
    carried = {
        (direction, kind): swarm.metric(direction=direction, kind=kind)
        for direction, kind in [("to_chat", "parent"), ("to_chat", "customer"), ("to_chat", "draft")]
        + [("to_ticket", "note"), ("to_ticket", "public_reply")]
    }
    assert carried == {
        ("to_chat", "parent"): 1,
        ("to_chat", "customer"): 3,
        ("to_chat", "draft"): 3,
        ("to_ticket", "note"): 3,
        ("to_ticket", "public_reply"): 3,
    }


async def test_solved_closes_and_reopened_resumes_the_same_thread(swarm):
    await swarm.start()
    await swarm.ticket_created()
    parent = swarm.parent()["ts"]
    await swarm.status("solved")
    assert swarm.in_thread()[-1].startswith(":white_check_mark: Ticket solved")
    await swarm.status("solved")  # told once
    assert sum("Ticket solved" in t for t in swarm.in_thread()) == 1
    await swarm.customer_says("<p>Sorry, it happened again.</p>")
    shown = swarm.in_thread()
    assert any("Ticket reopened (status: open)" in t for t in shown)
    assert any("it happened again" in t for t in shown)
    assert swarm.parent()["ts"] == parent  # no second parent message


async def test_a_restarted_replica_keeps_the_ticket_thread_link(swarm):
    await swarm.start()
    await swarm.ticket_created()
    await swarm.start()  # a fresh hub: only Redis remembers
    await swarm.says(ANN, "Picked up after the deploy.")
    assert swarm.comments()[-1].body.startswith("Picked up after the deploy.")
    await swarm.customer_says("<p>Hello?</p>")
    assert any("Hello?" in t for t in swarm.in_thread())


async def test_the_thread_shows_the_customer_name_and_withholds_the_rest(swarm, masker):
    await swarm.start(pii_masker=masker)
    await swarm.ticket_created(
        "Hi,\n\nmy invoice shows a double charge. Call me on +1 415 555 0132 or write to "
        "maria.lopez@example.org.\n\nThanks,\nMaria Lopez"
    )
    text = swarm.parent()["text"]
    assert "Maria Lopez" in text
    assert "maria.lopez@example.org" not in text and "555 0132" not in text
    assert "[email withheld]" in text
    # the ticket's agents see the values in the bot's internal note, by the internal_note policy
    assert "maria.lopez@example.org" in swarm.comments()[0].body
    await swarm.says(ANN, "I phoned her on +1 415 555 0132, she confirmed.")
    assert "+1 415 555 0132" in swarm.comments()[-1].body  # the agent's own note, for agents
    dump = await redis_dump(swarm.redis)  # masked everywhere else (memory, links, dedup...)
    assert "maria.lopez@example.org" not in dump and "555 0132" not in dump and "Lopez" not in dump


async def test_a_slack_retry_of_a_thread_reply_writes_one_note(swarm):
    await swarm.start()
    await swarm.ticket_created()
    envelope = await swarm.says(ANN, "Refund approved by finance.")
    await swarm.slack_event(envelope)  # Slack redelivers (X-Slack-Retry-Num)
    assert sum(b.startswith("Refund approved") for b in bodies(swarm)) == 1


async def test_handoff_mode_opens_the_thread_when_the_ticket_is_handed_off(swarm):
    await swarm.start(bridge={"channel": CHANNEL, "post_on": ["handoff"]})
    await swarm.ticket_created()
    assert [m for m in swarm.slack.messages if m["channel"] == CHANNEL] == []
    await swarm.customer_says("<p>I want to talk to a person.</p>", tags=["billing", "sb_handoff"])
    parent = swarm.parent()["text"]
    assert f"ticket #{REF}" in parent and "talk to a person" in parent


async def test_a_draft_the_model_writes_reaches_the_ticket_and_the_thread(swarm, redis_url):
    await swarm.start(skill="tests.bridge.draft_skill:model_draft", model=MODEL)
    await swarm.ticket_created()
    assert "Suggested reply" not in swarm.parent()["text"]  # the parent is posted before the draft
    work_off(redis_url, EchoEngine())
    await until(lambda: bool(swarm.in_thread()) and bool(swarm.comments()))
    (draft,) = swarm.in_thread()
    assert draft.startswith("*Suggested reply (draft):*\nYou said: Charged twice for November")
    (note,) = swarm.comments()
    assert note.author_id == BOT_ID and note.public is False and note.body.startswith("You said:")


async def test_a_handoff_by_the_tickets_own_skill_opens_the_thread_at_once(swarm):
    await swarm.start(
        bridge={"channel": CHANNEL, "post_on": ["handoff"]}, skill="tests.bridge.handoff_skill:hand_off"
    )
    await swarm.ticket_created()
    parent = swarm.parent()["text"]
    assert f"ticket #{REF}" in parent and "Priority: high" in parent
    assert "Internal note by the bot:*\n&gt; Handed to the billing team." in parent


async def test_a_ticket_whose_parent_could_not_be_posted_gets_its_thread_at_the_next_comment(swarm):
    await swarm.start()
    for _ in range(3):  # Slack answers 500 to the first post and both retries
        swarm.slack.fail_next("chat.postMessage", 500)
    await swarm.ticket_created()
    assert [m for m in swarm.slack.messages if m["channel"] == CHANNEL] == []
    await swarm.customer_says("<p>Hello, anyone?</p>")
    assert "Hello, anyone?" in swarm.parent()["text"]
    await swarm.says(ANN, "Looking now.")
    assert swarm.comments()[-1].body.startswith("Looking now.")


async def test_without_the_email_scope_notes_are_the_bots_and_public_replies_are_refused(swarm):
    await swarm.start()
    await swarm.ticket_created()
    swarm.slack.refuse("users.info", "missing_scope")
    await swarm.says(ANN, "Noted from Slack.")
    await swarm.says(ANN, "/reply Hello!")
    note = swarm.comments()[-1]
    assert note.author_id == BOT_ID and note.body.startswith("Slack — UANN: Noted from Slack.")
    assert not [c for c in swarm.comments() if c.public]
    assert len(swarm.slack.of("chat.postEphemeral")) == 1
    assert len(swarm.slack.of("users.info!missing_scope")) == 1  # asked once, not per message


async def test_with_the_helpdesk_skills_the_draft_and_its_sources_reach_the_thread(swarm, redis_url):
    await swarm.start(bot=BOT, knowledge=FakeIndex([REFUND_DOC]))
    await swarm.ticket_created()
    assert f"ticket #{REF}" in swarm.parent()["text"]
    work_off(redis_url, DraftEngine())
    await until(lambda: any(DRAFT in t for t in swarm.in_thread()))
    (copy,) = [t for t in swarm.in_thread() if DRAFT in t]
    assert copy.startswith("*Suggested reply (draft):*") and REFUND_DOC.link in copy
    (note,) = [c for c in swarm.comments() if DRAFT in c.body]
    assert note.author_id == BOT_ID and note.public is False
    await swarm.says(ANN, "/reply " + DRAFT)  # the agent sends the draft as it is
    assert swarm.comments()[-1].public and swarm.comments()[-1].author_id == AGENT_ID


async def test_what_an_agent_writes_in_the_helpdesk_appears_in_the_thread_and_nothing_answers_it(swarm):
    await swarm.start()
    await swarm.ticket_created()
    before = len(swarm.comments())
    await swarm.agent_writes("<p>Refund issued, 3-5 days.</p>", public=True)
    await swarm.agent_writes("<p>Checked with finance.</p>", public=False)
    shown = swarm.in_thread()
    assert shown[-2] == "*Agent's public reply in Zendesk:*\n&gt; Refund issued, 3-5 days."
    assert shown[-1] == "*Agent's internal note in Zendesk:*\n&gt; Checked with finance."
    assert len(swarm.comments()) == before + 2  # only the agent's own two: the bot wrote nothing


async def test_a_note_the_helpdesk_does_not_take_is_reported_to_its_writer(swarm):
    await swarm.start()
    await swarm.ticket_created()
    await swarm.zendesk.server.close()  # Zendesk is unreachable
    await swarm.says(ANN, "Customer called again.")
    (notice,) = swarm.slack.of("chat.postEphemeral")
    assert notice.args["user"] == ANN and "did not reach the ticket" in notice.args["text"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_a_thread_reply_zendesk_rate_limits_for_long_is_parked_and_written_once_after_a_restart(
    swarm,
):
    clock = Clock()
    await swarm.start(clock=clock)
    await swarm.ticket_created()
    before = len(swarm.comments())
    swarm.zendesk.rate_limit = [{"Retry-After": "600"}]  # ten minutes: far beyond a turn's wait
    envelope = await swarm.says(ANN, "Finance approved the refund.")
    (notice,) = swarm.slack.of("chat.postEphemeral")
    assert notice.args["user"] == ANN and "in about 10 minutes" in notice.args["text"]
    assert len(swarm.comments()) == before and swarm.metric(direction="to_ticket", kind="parked") == 1
    parked = await swarm.redis.hgetall(swarm.zendesk_adapter.parked.data_key)
    assert len(parked) == 1 and "Finance" not in str(parked)  # sealed, like a parked answer
    clock.now += 599
    assert await swarm.sweep() == 0  # not due yet
    await swarm.start(clock=clock)  # a restarted hub: only Redis and the fakes are left
    clock.now += 2
    assert await swarm.sweep() == 1 and await swarm.sweep() == 0
    await swarm.slack_event(envelope)  # and a late Slack redelivery of the same message
    notes = [c for c in swarm.comments() if c.body.startswith("Finance approved")]
    assert len(notes) == 1 and notes[0].author_id == AGENT_ID and notes[0].public is False
    assert "via Slack (ref sb-" in notes[0].body
    await swarm.echo()  # its webhook echo is not carried back into the thread
    assert not any("Finance approved" in t for t in swarm.in_thread())


async def test_a_public_reply_rate_limited_for_long_reaches_the_customer_once_when_due(swarm):
    clock = Clock()
    await swarm.start(clock=clock)
    await swarm.ticket_created()
    swarm.zendesk.rate_limit = [{"Retry-After": "90"}]
    await swarm.says(ANN, " /reply Hi, the refund is on its way.")
    (notice,) = swarm.slack.of("chat.postEphemeral")
    assert "goes to the customer in about 2 minutes" in notice.args["text"]
    assert not any(c.public for c in swarm.comments() if c.author_id == AGENT_ID)
    swarm.zendesk.rate_limit = [{"Retry-After": "30"}]  # still limited when it comes due: again later
    clock.now += 91
    assert await swarm.sweep() == 0
    clock.now += 31
    assert await swarm.sweep() == 1 and await swarm.sweep() == 0
    (reply,) = [c for c in swarm.comments() if c.author_id == AGENT_ID]
    assert reply.public is True and reply.body.startswith("Hi, the refund is on its way.")
