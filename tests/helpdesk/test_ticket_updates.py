"""Tags, priority and assignment reach every vendor (on its own scale), with a note or alone,
after the same checks as any write; tags the ticket had are kept."""

from __future__ import annotations

import pytest

from adapters.helpdesk import VENDORS
from tests.helpdesk import update_skill
from tests.helpdesk.conftest import payload
from tests.helpdesk.vendor_facts import REF

BOT = {"skills": ["tests.helpdesk.update_skill"], "fallback": "tag"}
HIGH = {"zendesk": "high", "freshdesk": "3", "jsm": "High", "intercom": "priority", "chatwoot": "high"}
HIGH["zammad"] = "3 high"
GROUP = {"zendesk": "77", "freshdesk": "77", "intercom": "77", "chatwoot": "77", "zammad": "77", "jsm": ""}


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@pytest.mark.parametrize("alone", [False, True])
async def test_update_is_applied_with_a_note_or_alone(helpdesks, vendor, alone):
    update_skill.alone = alone
    try:
        hub = await helpdesks.build(vendor, **BOT)
        hub.fake.ticket(REF[vendor], tags=["vip"])
        await hub.deliver(payload(vendor, "ticket_created"))
        await hub.settle()
    finally:
        update_skill.alone = False
    held = hub.fake.ticket(REF[vendor])
    assert {"vip", "sb_category__billing", "sb_handoff"} <= set(held.tags)
    assert held.priority == HIGH[vendor] and held.group == GROUP[vendor]
    assert len(hub.fake.writes) == (0 if alone else 1)


async def test_no_update_when_a_human_answered_meanwhile(helpdesks):
    hub = await helpdesks.build("zendesk", **BOT)
    hub.fake.add_comment(REF["zendesk"], "20002", "I'll take this one.", public=True)
    await hub.deliver(payload("zendesk", "ticket_created"))
    await hub.settle()
    assert hub.fake.updates == [] and hub.fake.writes == []


async def test_zendesk_update_is_safe_and_leaves_what_an_agent_changed_meanwhile(helpdesks):
    hub = await helpdesks.build("zendesk", **BOT)
    hub.fake.ticket(REF["zendesk"], priority="low")
    hub.fake.agent_edit = {"priority": "urgent"}  # saved by an agent between the bot's read and write
    await hub.deliver(payload("zendesk", "ticket_created"))
    await hub.settle()
    held = hub.fake.ticket(REF["zendesk"])
    assert held.priority == "urgent"  # the agent's choice stands
    assert held.group == "77" and {"sb_category__billing", "sb_handoff"} <= set(held.tags)
    refused, applied = hub.fake.updates
    assert refused.stored is False and refused.body["ticket"]["safe_update"] is True
    assert "priority" not in applied.body["ticket"] and applied.body["ticket"]["safe_update"] is True
    assert len(hub.fake.bot_comments()) == 1  # the note is still written
