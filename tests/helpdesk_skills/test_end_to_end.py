"""Triage and drafts end to end against the fake Zendesk and Freshdesk: what an agent sees on
the ticket (tags, priority, notes, public replies, the assignment) and what the metrics say."""

from __future__ import annotations

import time

import pytest

from tests.helpdesk.vendor_facts import REF, visibility
from tests.helpdesk.vendor_facts import text as written
from tests.helpdesk_skills.conftest import DRAFT, REFUND_DOC, FakeIndex, comment, ticket

VENDORS = ["zendesk", "freshdesk"]
MODEL_OFF = {"backend": "none"}


def text(vendor: str, body: dict) -> str:
    """What the agent reads (Freshdesk is sent HTML line breaks)."""
    return written(vendor, body).replace("<br>", "\n")


PRIORITY = {"zendesk": {"high": "high", "urgent": "urgent"}, "freshdesk": {"high": "3", "urgent": "4"}}
BILLING = (
    "Charged twice for November",
    "Hi,\n\nmy invoice INV-2291 shows a double charge. I was charged twice this month, "
    "please refund one of them today.\n\nThanks",
)


@pytest.mark.parametrize("vendor", VENDORS)
async def test_new_ticket_gets_tags_priority_and_a_draft_note_with_sources(desks, vendor):
    desk = await desks(vendor, knowledge=FakeIndex([REFUND_DOC]))
    desk.fake.ticket(REF[vendor], tags=["vip"])
    assert await desk.send(ticket(vendor, *BILLING)) == {"status": "accepted"}
    await desk.work()
    held = desk.fake.ticket(REF[vendor])
    assert {"sb_category__billing", "sb_urgency__high", "sb_lang__en"} <= set(held.tags)
    assert any(t.startswith("sb_sentiment__") for t in held.tags)
    assert "vip" in held.tags  # the tags the ticket had are kept
    assert held.priority == PRIORITY[vendor]["high"]
    (write,) = desk.fake.writes
    note = text(vendor, write.body)
    assert visibility(vendor, write.body) is False
    assert note.startswith(DRAFT)
    assert "Draft reply for the agent" in note
    assert "Sources:\n[1] Billing › Refunds — https://help.example.com/billing#refunds" in note
    assert "Why: the ticket reads as billing" in note
    assert "Triage: category billing (" in note and "language en (" in note
    assert desk.engine.lanes == ["high"]  # a high-urgency ticket waits on the high lane
    assert desk.metric("switchboard_skills_helpdesk_drafts_total", outcome="written") == 1


@pytest.mark.parametrize("vendor", VENDORS)
async def test_promoted_intent_above_threshold_is_answered_in_public(desks, vendor):
    desk = await desks(vendor, knowledge=FakeIndex([REFUND_DOC]), options={"public_replies": True})
    await desk.send(
        ticket(
            vendor, "Cannot log in", "I cannot log in to my account, the password reset link does not work."
        )
    )
    await desk.work()
    notes = [w for w in desk.fake.writes if visibility(vendor, w.body) is False]
    public = [w for w in desk.fake.writes if visibility(vendor, w.body) is True]
    assert len(public) == 1 and text(vendor, public[0].body).startswith(DRAFT)
    assert "Sources:\n[1] Billing › Refunds" in text(vendor, public[0].body)
    assert "Draft reply" not in text(vendor, public[0].body)  # the customer sees no agent hints
    assert len(notes) == 1 and "Triage: category login (" in text(vendor, notes[0].body)
    assert desk.metric("switchboard_skills_helpdesk_auto_replies_total") == 1


async def test_promoted_intent_without_citations_or_below_threshold_stays_a_draft(desks):
    desk = await desks("zendesk", options={"public_replies": True})  # no documents: no citations
    await desk.send(
        ticket(
            "zendesk",
            "Cannot log in",
            "I cannot log in to my account, the password reset link does not work.",
        )
    )
    await desk.work()
    assert [visibility("zendesk", w.body) for w in desk.fake.writes] == [False]
    assert "Sources: none found" in text("zendesk", desk.fake.writes[0].body)


async def test_promoted_intent_below_its_threshold_stays_a_draft(desks):
    sure = {"handoff": {"group": "360099"}, "auto_reply": {"intents": ["login"], "threshold": 0.99}}
    desk = await desks(
        "freshdesk", knowledge=FakeIndex([REFUND_DOC]), options={"public_replies": True}, helpdesk=sure
    )
    await desk.send(
        ticket(
            "freshdesk",
            "Cannot log in",
            "I cannot log in to my account, the password reset link does not work.",
        )
    )
    await desk.work()
    assert [visibility("freshdesk", w.body) for w in desk.fake.writes] == [False]


@pytest.mark.parametrize("vendor", VENDORS)
async def test_handoff_assigns_the_group_and_then_the_bot_stays_silent_until_an_agent_asks(desks, vendor):
    desk = await desks(vendor)
    await desk.send(ticket(vendor, "Refund", "I was charged twice. I want to talk to a human, not a bot."))
    held = desk.fake.ticket(REF[vendor])
    assert held.group == "360099" and "sb_handoff" in held.tags
    (write,) = desk.fake.writes
    note = text(vendor, write.body)
    assert visibility(vendor, write.body) is False
    assert note.startswith("Handed to a person (group 360099): the customer asked for a person.")
    assert "Latest from the customer: Refund I was charged twice." in note
    assert desk.metric("switchboard_skills_helpdesk_handoffs_total", reason="requested") == 1

    await desk.send(comment(vendor, "customer_replied", "Hello? Anybody there?"))
    assert len(desk.fake.writes) == 1 and desk.hub.assembly.redis is not None  # silent

    await desk.send(comment(vendor, "internal_note", "/switchboard draft"))
    await desk.work()
    assert len(desk.fake.writes) == 2
    asked = desk.fake.writes[1]
    assert visibility(vendor, asked.body) is False and text(vendor, asked.body).startswith(DRAFT)
    assert "Hello? Anybody there?" in desk.engine.prompts[0]


@pytest.mark.parametrize("vendor", VENDORS)
async def test_draft_outcomes_follow_the_agents_next_public_reply(desks, vendor):
    desk = await desks(vendor)
    outcomes = []
    for reply in (
        DRAFT,
        DRAFT.replace("second", "duplicate") + " Sorry for the trouble.",
        "Closing this one.",
    ):
        await desk.send(ticket(vendor, *BILLING))
        await desk.work()
        await desk.send(comment(vendor, "agent_replied", reply))
        outcomes.append(
            {
                name: desk.metric("switchboard_skills_helpdesk_drafts_total", outcome=name)
                for name in ("sent_as_is", "edited", "discarded")
            }
        )
    assert outcomes[-1] == {"sent_as_is": 1, "edited": 1, "discarded": 1}
    assert outcomes[0] == {"sent_as_is": 1, "edited": 0, "discarded": 0}
    status = await desk.hub.assembly.hub.status()
    assert status["helpdesk"]["drafts"] == {
        "written": 3,
        "sent_as_is": 1,
        "edited": 1,
        "discarded": 1,
        "auto_reply": 0,
    }


async def test_status_shows_the_oldest_waiting_ticket_with_its_sla(desks):
    desk = await desks("freshdesk")
    due = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 60))
    await desk.send(ticket("freshdesk", *BILLING, sla_due=due))
    status = (await desk.hub.assembly.hub.status())["helpdesk"]
    oldest = status["oldest_waiting"]
    assert oldest["ticket"] == "freshdesk:1042" and 0 <= oldest["waiting_s"] < 60
    assert 0 < oldest["sla_due_in_s"] <= 30 * 60 and status["waiting_tickets"] == 1
    await desk.work()
    assert desk.engine.lanes == ["urgent"]  # 30 minutes before the SLA breach: the urgent lane
    held = desk.fake.ticket("1042")
    assert "sb_urgency__urgent" in held.tags and held.priority == "4"
    await desk.send(comment("freshdesk", "agent_replied", "Done, refunded."))
    assert "oldest_waiting" not in (await desk.hub.assembly.hub.status())["helpdesk"]


async def test_without_a_running_model_the_triage_still_lands_and_says_why(desks):
    desk = await desks("zendesk", model={**MODEL_OFF})
    await desk.send(ticket("zendesk", *BILLING))
    held = desk.fake.ticket(REF["zendesk"])
    assert "sb_category__billing" in held.tags and held.priority == "high"
    (write,) = desk.fake.writes
    assert "Triage: category billing" in text("zendesk", write.body) and "No draft" in text(
        "zendesk", write.body
    )


async def test_no_progress_after_n_bot_answers_hands_off_and_an_agent_reply_resets_the_count(desks):
    config = {"handoff": {"group": "360099", "max_bot_turns": 2}}
    desk = await desks("zendesk", helpdesk=config, options={"max_answers_per_hour": 10})
    await desk.send(ticket("zendesk", *BILLING))
    await desk.work()
    await desk.send(comment("zendesk", "agent_replied", "Looking into it."))  # progress: count back to 0
    await desk.send(comment("zendesk", "customer_replied", "Any news on the refund of my invoice?"))
    await desk.work()
    await desk.send(comment("zendesk", "customer_replied", "Still waiting for the refund of my invoice."))
    await desk.work()
    assert desk.fake.ticket(REF["zendesk"]).group == ""  # two bot answers since the agent: not yet
    await desk.send(comment("zendesk", "customer_replied", "Hello? The refund of my invoice?"))
    held = desk.fake.ticket(REF["zendesk"])
    assert held.group == "360099" and "sb_handoff" in held.tags
    assert "2 bot answers without an agent reply" in text("zendesk", desk.fake.writes[-1].body)
    assert desk.metric("switchboard_skills_helpdesk_handoffs_total", reason="no_progress") == 1


async def test_a_handoff_over_the_hourly_cap_still_assigns_the_ticket(desks):
    desk = await desks("zendesk", options={"max_answers_per_hour": 1})
    await desk.send(ticket("zendesk", *BILLING))
    await desk.work()  # the draft takes the hour's one answer
    await desk.send(comment("zendesk", "customer_replied", "I want to talk to a human."))
    held = desk.fake.ticket(REF["zendesk"])
    assert held.group == "360099" and "sb_handoff" in held.tags
    assert len(desk.fake.writes) == 1  # no second note this hour
    assert "hourly answer cap reached for the ticket" in desk.hub.adapter.stood_down
