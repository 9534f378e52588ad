"""`switchboard helpdesk setup <vendor>`: the webhook (and trigger or rule) configuration that makes
a helpdesk call the hub, as the JSON bodies to paste; with `--create`, made through the vendor's
API where it allows it (Zendesk, Chatwoot, Zammad), found first by name or URL so a second run
creates nothing. Secrets are never printed: a body shows where a secret goes, not its value.

The bodies produce exactly what each preset's `parse` reads (checked by tests that feed them
through it). Endpoint shapes: Zendesk Webhooks API and Triggers API (`notification_webhook` action:
[webhook id, JSON body]), Chatwoot `POST /api/v1/accounts/{id}/webhooks`, Zammad
`POST /api/v1/webhooks` and `POST /api/v1/triggers` (`notification.webhook`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.helpdesk.vendors.freshdesk import EVENTS as FRESHDESK_EVENTS
from adapters.helpdesk.vendors.intercom import TOPICS as INTERCOM_TOPICS
from core.errors import ConfigError

NAME = "Switchboard"
WEBHOOK_ID = "<webhook id>"  # filled in by --create (or by hand, after creating the webhook)


@dataclass(frozen=True, slots=True)
class Piece:
    """One thing to configure in the helpdesk: where, and the JSON body (the API call's body where
    there is one; the fields of the admin form where there is not)."""

    title: str
    where: str
    body: Any
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Target:
    vendor: str
    hook_url: str  # <public URL>/hooks/<vendor>
    account: str = ""  # Chatwoot account id
    jql: str = ""  # Jira: the issues to send
    secret_header: str = "X-Switchboard-Secret"  # Freshdesk
    extra: Mapping[str, str] = field(default_factory=dict)


def hook_url(public_url: str, vendor: str) -> str:
    base = public_url.strip().rstrip("/")
    if not base.startswith(("https://", "http://")):
        raise ConfigError(
            "give the hub's public URL: --url https://bot.example.com (or SWITCHBOARD_PUBLIC_URL)",
            source=f"switchboard helpdesk setup {vendor}",
        )
    return f"{base}/hooks/{vendor}"


# -- Zendesk ------------------------------------------------------------------------------------
ZENDESK_DETAIL = {
    "id": "{{ticket.id}}",
    "subject": "{{ticket.title}}",
    "description": "{{ticket.description}}",
    "status": "{{ticket.status}}",
    "priority": "{{ticket.priority}}",
    "requester_id": "{{ticket.requester.id}}",
    "assignee_id": "{{ticket.assignee.id}}",
    "tags": "{{ticket.tags}}",
    "via": {"channel": "{{ticket.via}}"},
}
# Trigger conditions, checked 2026-12-02 against Zendesk's conditions reference
# (https://developer.zendesk.com/documentation/ticketing/reference-guides/conditions-reference/):
# `update_type` is Create | Change (operator "is"), `comment_is_public` is true | false |
# not_relevant (operators is / is_not), `role` (the current user's: end_user, agent, admin;
# operators is / is_not) — all trigger-only conditions. The action `notification_webhook` takes
# [webhook id, JSON body as a string], and a webhook a trigger may call is created with
# `subscriptions: ["conditional_ticket_events"]`
# (https://developer.zendesk.com/documentation/webhooks/creating-and-monitoring-webhooks/).
ZENDESK_TRIGGERS = {
    f"{NAME}: ticket created": (
        [{"field": "update_type", "operator": "is", "value": "Create"}],
        {"type": "zen:event-type:ticket.created", "detail": ZENDESK_DETAIL},
    ),
    f"{NAME}: customer comment": (
        [
            {"field": "update_type", "operator": "is", "value": "Change"},
            {"field": "role", "operator": "is", "value": "end_user"},
            {"field": "comment_is_public", "operator": "is", "value": "true"},
        ],
        {
            "type": "zen:event-type:ticket.comment_added",
            "detail": ZENDESK_DETAIL,
            "event": {
                "comment": {
                    "id": "{{ticket.latest_comment.id}}",
                    "body": "{{ticket.latest_comment.value}}",
                    "is_public": True,
                    "author": {"id": "{{current_user.id}}", "is_staff": False},
                }
            },
        },
    ),
}


def zendesk_webhook(target: Target) -> dict[str, Any]:
    return {
        "webhook": {
            "name": NAME,
            "endpoint": target.hook_url,
            "http_method": "POST",
            "request_format": "json",
            "status": "active",
            "subscriptions": ["conditional_ticket_events"],
        }
    }


def zendesk_trigger(title: str, webhook_id: str) -> dict[str, Any]:
    conditions, body = ZENDESK_TRIGGERS[title]
    return {
        "trigger": {
            "title": title,
            "active": True,
            "conditions": {"all": conditions, "any": []},
            "actions": [{"field": "notification_webhook", "value": [webhook_id, json.dumps(body)]}],
        }
    }


def zendesk(target: Target) -> list[Piece]:
    triggers = [
        Piece(
            f"Trigger: {title.split(': ', 1)[1]}",
            "POST /api/v2/triggers (Admin Center → Objects and rules → Triggers)",
            zendesk_trigger(title, WEBHOOK_ID),
            (f"replace {WEBHOOK_ID!r} with the webhook's id",),
        )
        for title in ZENDESK_TRIGGERS
    ]
    webhook = Piece(
        "Webhook (connected to triggers)",
        "POST /api/v2/webhooks (Admin Center → Apps and integrations → Webhooks)",
        zendesk_webhook(target),
        (
            "Zendesk generates the signing secret: open the webhook, 'Reveal secret', and set "
            "ZENDESK_WEBHOOK_SECRET to it (API: GET /api/v2/webhooks/{id}/signing_secret)",
            "the bot's own comments are not sent (the customer trigger fires for end users only)",
        ),
    )
    return [webhook, *triggers]


# -- Freshdesk ----------------------------------------------------------------------------------
FRESHDESK_RULES = {
    "ticket_created": "Ticket creation rule: any ticket",
    "customer_replied": "Ticket update rule: 'Reply is sent' by the requester",
    "agent_replied": "Ticket update rule: 'Reply is sent' by an agent (the bot stands down)",
    "note_added": "Ticket update rule: 'Note is added' by an agent (the bot stands down)",
}


def freshdesk_body(event: str) -> dict[str, Any]:
    assert event in FRESHDESK_EVENTS
    return {
        "freshdesk_webhook": {
            "switchboard_event": event,
            "ticket_id": "{{ticket.id}}",
            "ticket_subject": "{{ticket.subject}}",
            "ticket_description": "{{ticket.description}}",
            "ticket_latest_public_comment": "{{ticket.latest_public_comment}}",
            "ticket_latest_private_comment": "{{ticket.latest_private_comment}}",
            "ticket_status": "{{ticket.status}}",
            "ticket_priority": "{{ticket.priority}}",
            "ticket_requester_id": "{{ticket.requester.id}}",
            "ticket_tags": "{{ticket.tags}}",
            "ticket_source": "{{ticket.source}}",
            "ticket_due_by": "{{ticket.due_by_time}}",
            "ticket_updated_at": "{{ticket.updated_at}}",
            "actor_id": "{{ticket.agent.id}}",
        }
    }


def freshdesk(target: Target) -> list[Piece]:
    return [
        Piece(
            f"Automation rule: {event}",
            f"Admin → Automations → {rule} → action 'Trigger webhook'",
            {
                "request_type": "POST",
                "url": target.hook_url,
                "encoding": "JSON",
                "custom_headers": {target.secret_header: "<FRESHDESK_WEBHOOK_SECRET>"},
                "content": freshdesk_body(event),
            },
            ("Freshdesk has no API for automation rules: fill in the form with these values",),
        )
        for event, rule in FRESHDESK_RULES.items()
    ]


# -- Jira Service Management --------------------------------------------------------------------
def jsm(target: Target) -> list[Piece]:
    jql = target.jql or "project = <your service project key>"
    return [
        Piece(
            "Webhook",
            "POST /rest/webhooks/1.0/webhook (Jira settings → System → WebHooks)",
            {
                "name": NAME,
                "url": target.hook_url,
                "events": ["jira:issue_created", "comment_created"],
                "filters": {"issue-related-events-section": jql},
                "excludeBody": False,
            },
            (
                "set the webhook's Secret to JIRA_WEBHOOK_SECRET (Jira signs with X-Hub-Signature)",
                "keep the JQL to your service project (--jql 'project = SUP')",
            ),
        )
    ]


# -- Intercom -----------------------------------------------------------------------------------
def intercom(target: Target) -> list[Piece]:
    return [
        Piece(
            "Webhook topics",
            "Developer Hub → your app → Webhooks",
            {"endpoint_url": target.hook_url, "topics": list(INTERCOM_TOPICS)},
            (
                "Intercom signs with the app's client secret: set INTERCOM_CLIENT_SECRET to it",
                "webhook subscriptions are set in the Developer Hub (no public API creates them)",
            ),
        )
    ]


# -- Chatwoot -----------------------------------------------------------------------------------
# `POST /api/v1/accounts/{id}/webhooks` {name, url, subscriptions}; both events are in the
# documented list (https://www.chatwoot.com/hc/user-guide/articles/1677693021-how-to-use-webhooks,
# and chatwoot/docs docs/product/others/webhook-events.md), checked 2026-12-02.
CHATWOOT_EVENTS = ["conversation_created", "message_created"]


def chatwoot_webhook(target: Target) -> dict[str, Any]:
    return {"name": NAME, "url": target.hook_url, "subscriptions": CHATWOOT_EVENTS}


def chatwoot(target: Target) -> list[Piece]:
    account = target.account or "{account_id}"
    return [
        Piece(
            "Webhook",
            f"POST /api/v1/accounts/{account}/webhooks (Settings → Integrations → Webhooks)",
            chatwoot_webhook(target),
            ("Chatwoot generates the webhook's secret (≥ 4.11.2): set CHATWOOT_WEBHOOK_SECRET to it",),
        )
    ]


# -- Zammad -------------------------------------------------------------------------------------
ZAMMAD_TRIGGER = f"{NAME}: new article"


def zammad_webhook(target: Target, secret: str = "<ZAMMAD_WEBHOOK_SECRET>") -> dict[str, Any]:
    return {
        "name": NAME,
        "endpoint": target.hook_url,
        "signature_token": secret,
        "ssl_verify": True,
        "active": True,
        "note": "Switchboard: every new article (the bot skips its own)",
    }


def zammad_trigger(webhook_id: Any) -> dict[str, Any]:
    """A trigger calls a webhook through the perform action
    `{"notification.webhook": {"webhook_id": <id>}}` (https://docs.zammad.org/en/pre-release/api/webhook.html,
    checked 2026-12-02); `article.action` is create: every new article (the bot skips its own)."""
    return {
        "name": ZAMMAD_TRIGGER,
        "condition": {"article.action": {"operator": "is", "value": "create"}},
        "perform": {"notification.webhook": {"webhook_id": webhook_id}},
        "activator": "action",
        "execution_condition_mode": "selective",
        "active": True,
    }


def zammad(target: Target) -> list[Piece]:
    return [
        Piece(
            "Webhook",
            "POST /api/v1/webhooks (Manage → Webhook)",
            zammad_webhook(target),
            ("the signature token is ZAMMAD_WEBHOOK_SECRET (--create sends it from the environment)",),
        ),
        Piece(
            "Trigger",
            "POST /api/v1/triggers (Manage → Trigger)",
            zammad_trigger(WEBHOOK_ID),
            (f"replace {WEBHOOK_ID!r} with the webhook's id",),
        ),
    ]


PLANS: dict[str, Callable[[Target], list[Piece]]] = {
    "zendesk": zendesk,
    "freshdesk": freshdesk,
    "jsm": jsm,
    "intercom": intercom,
    "chatwoot": chatwoot,
    "zammad": zammad,
}


def plan(target: Target) -> list[Piece]:
    return PLANS[target.vendor](target)


def render(target: Target, pieces: list[Piece]) -> str:
    lines = [f"{target.vendor}: the helpdesk calls {target.hook_url}", ""]
    for piece in pieces:
        lines += [f"## {piece.title}", f"   where: {piece.where}"]
        lines += [f"   note: {note}" for note in piece.notes]
        lines += [json.dumps(piece.body, indent=2, ensure_ascii=False), ""]
    return "\n".join(lines)


def as_json(target: Target, pieces: list[Piece]) -> str:
    return json.dumps(
        {
            "vendor": target.vendor,
            "hook_url": target.hook_url,
            "pieces": [
                {"title": p.title, "where": p.where, "body": p.body, "notes": p.notes} for p in pieces
            ],
        },
        indent=2,
        ensure_ascii=False,
    )
