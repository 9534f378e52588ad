"""`switchboard helpdesk setup <vendor>`: the printed configuration is valid JSON naming the hub's
URL and the events the presets read (and what Zendesk and Freshdesk would send from it is read by
the presets as the right ticket event); `--create` makes the webhook and triggers once."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from adapters.helpdesk import VENDORS, config_for, setup
from adapters.helpdesk.ticket import Ticket, TicketKind
from adapters.kit.http import SharedSession
from bots.cli import main
from bots.helpdesk_tools import run_setup, target_for
from tests.helpdesk.fake_helpdesk import FakeHelpdesk
from tests.helpdesk.signing import ENV

PUBLIC = "https://bot.example.com"
EVENTS = {
    "zendesk": ["update_type", "end_user"],
    "freshdesk": ["ticket_created", "customer_replied"],
    "jsm": ["jira:issue_created", "comment_created"],
    "intercom": ["conversation.user.created", "conversation.user.replied"],
    "chatwoot": ["message_created"],
    "zammad": ["article.action", "notification.webhook"],
}
SAMPLE = {
    "ticket.id": "4821",
    "ticket.title": 'Refund "twice"',
    "ticket.description": "I was charged twice.\nPlease refund.",
    "ticket.status": "Open",
    "ticket.priority": "Normal",
    "ticket.requester.id": "30003",
    "ticket.assignee.id": "",
    "ticket.tags": "billing vip",
    "ticket.latest_comment.id": "77",
    "ticket.latest_comment.value": "Any news on my refund?",
    "current_user.id": "30003",
    "ticket.latest_public_comment": "Any news on my refund?",
    "ticket.subject": "Refund",
    "ticket.updated_at": "2026-12-02T06:00:00Z",
}


def fill(template: str) -> dict[str, Any]:
    """What the vendor sends: each placeholder replaced by a value (escaped for JSON)."""
    filled = re.sub(r"\{\{([a-z_.]+)\}\}", lambda m: json.dumps(SAMPLE.get(m[1], ""))[1:-1], template)
    return json.loads(filled)


def preset(vendor: str) -> Any:
    return VENDORS[vendor](
        config_for(vendor, {**ENV[vendor], f"{vendor.upper()}_URL": PUBLIC}), SharedSession()
    )


@pytest.mark.parametrize("vendor", sorted(setup.PLANS))
def test_the_printed_configuration_is_json_with_the_url_and_events(vendor, capsys):
    assert main(["helpdesk", "setup", vendor, "--url", PUBLIC + "/", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    text = json.dumps(printed)
    assert printed["hook_url"] == f"{PUBLIC}/hooks/{vendor}" and printed["pieces"]
    assert all(f"{PUBLIC}/hooks/{vendor}" in json.dumps(p["body"]) for p in printed["pieces"][:1])
    for event in EVENTS[vendor]:
        assert event in text
    for secret in ENV[vendor].values():
        assert not secret or secret not in text


def test_the_human_format_shows_each_body_as_json(capsys, monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_PUBLIC_URL", PUBLIC)
    assert main(["helpdesk", "setup", "zammad"]) == 0
    out = capsys.readouterr().out
    bodies = [json.loads(block) for block in re.findall(r"^\{.*?^\}", out, flags=re.S | re.M)]
    assert [b.get("name") for b in bodies] == ["Switchboard", setup.ZAMMAD_TRIGGER]
    assert bodies[0]["endpoint"] == f"{PUBLIC}/hooks/zammad"


def test_without_a_public_url_it_says_what_to_give(capsys, monkeypatch):
    monkeypatch.delenv("SWITCHBOARD_PUBLIC_URL", raising=False)
    assert main(["helpdesk", "setup", "zendesk"]) == 2
    assert "--url https://" in capsys.readouterr().err


def test_what_zendesk_triggers_send_is_read_as_the_right_ticket_event():
    zendesk = preset("zendesk")
    kinds = []
    for title in setup.ZENDESK_TRIGGERS:
        action = setup.zendesk_trigger(title, "01GK")["trigger"]["actions"][0]
        assert action["field"] == "notification_webhook" and action["value"][0] == "01GK"
        parsed = zendesk.parse(fill(action["value"][1]), "inv-1", "90001")
        assert isinstance(parsed, Ticket) and parsed.ref == "4821" and parsed.answerable
        assert parsed.tags == ("billing", "vip") and parsed.status == "open"
        kinds.append(parsed.kind)
    assert kinds == [TicketKind.CREATED, TicketKind.CUSTOMER_REPLIED]


def test_what_freshdesk_rules_send_is_read_as_the_right_ticket_event():
    freshdesk = preset("freshdesk")
    for event, kind in (
        ("ticket_created", TicketKind.CREATED),
        ("customer_replied", TicketKind.CUSTOMER_REPLIED),
    ):
        body = fill(json.dumps(setup.freshdesk_body(event)))
        parsed = freshdesk.parse(body, "d", "90001")
        assert isinstance(parsed, Ticket) and parsed.kind is kind and parsed.ref == "4821"


async def create(vendor: str, fake: FakeHelpdesk, capsys: Any, **extra: str) -> tuple[int, str]:
    env = {**ENV[vendor], f"{vendor.upper()}_URL": fake.url, **extra}
    target = target_for(vendor, env, url=PUBLIC)
    code = await run_setup(vendor, env, target, create=True, as_json=False)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("vendor", ["zendesk", "chatwoot", "zammad"])
async def test_create_makes_the_webhook_and_triggers_once(vendor, capsys):
    fake = await FakeHelpdesk(vendor).start()
    try:
        extra = {"CHATWOOT_ACCOUNT_ID": "3"} if vendor == "chatwoot" else {}
        first, out = await create(vendor, fake, capsys, **extra)
        made = list(fake.created)
        second, again = await create(vendor, fake, capsys, **extra)
    finally:
        await fake.close()
    assert first == 0 and second == 0 and fake.created == made  # the second run finds them all
    assert "created:" in out and "created:" not in again and "exists:" in again
    webhooks = [body for kind, body in made if kind == "webhook"]
    assert len(webhooks) == 1 and f"{PUBLIC}/hooks/{vendor}" in json.dumps(webhooks[0])
    hook_id = fake.configured["webhook"][0]["id"]
    triggers = [body for kind, body in made if kind == "trigger"]
    assert len(triggers) == {"zendesk": 2, "chatwoot": 0, "zammad": 1}[vendor]
    assert all(str(hook_id) in json.dumps(t) for t in triggers)  # each trigger calls that webhook
    for secret in ENV[vendor].values():
        assert not secret or secret not in out + again
    if vendor == "zammad":  # the signature token is the hub's secret, sent, never printed
        assert webhooks[0]["signature_token"] == ENV["zammad"]["ZAMMAD_WEBHOOK_SECRET"]


async def test_create_refuses_vendors_without_an_api_for_it_and_missing_credentials(capsys):
    fake = await FakeHelpdesk("freshdesk").start()
    try:
        code, out = await create("freshdesk", fake, capsys)
        assert code == 1 and "paste the printed configuration" in out
    finally:
        await fake.close()
    fake = await FakeHelpdesk("chatwoot").start()
    try:
        code, out = await create("chatwoot", fake, capsys)
        assert code == 1 and "--account" in out and fake.created == []
        code, out = await create("chatwoot", fake, capsys, CHATWOOT_API_TOKEN="", CHATWOOT_ACCOUNT_ID="3")
        assert code == 1 and "CHATWOOT_API_TOKEN" in out
    finally:
        await fake.close()
