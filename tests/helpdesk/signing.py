"""How each vendor signs its webhooks, for the tests (the verifiers' known answers are checked in
tests/helpdesk/test_signatures.py and tests/kit/test_verify.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from tests.helpdesk.fake_helpdesk import BOT_ID, iso

ENV: dict[str, dict[str, str]] = {
    "zendesk": {
        "ZENDESK_URL": "",
        "ZENDESK_EMAIL": "bot@example.com",
        "ZENDESK_API_TOKEN": "zendesk-api-token",
        "ZENDESK_WEBHOOK_SECRET": "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
    },
    "freshdesk": {
        "FRESHDESK_URL": "",
        "FRESHDESK_API_KEY": "fd-key",
        "FRESHDESK_WEBHOOK_SECRET": "fd-shared-secret-1",
    },
    "jsm": {
        "JIRA_URL": "",
        "JIRA_EMAIL": "bot@example.com",
        "JIRA_API_TOKEN": "jira-token",
        "JIRA_WEBHOOK_SECRET": "It's a Secret to Everybody",
    },
    "intercom": {
        "INTERCOM_URL": "",
        "INTERCOM_ACCESS_TOKEN": "ic-token",
        "INTERCOM_CLIENT_SECRET": "It's a Secret to Everybody",
        "INTERCOM_ADMIN_ID": BOT_ID,
    },
    "chatwoot": {
        "CHATWOOT_URL": "",
        "CHATWOOT_API_TOKEN": "cw-token",
        "CHATWOOT_WEBHOOK_SECRET": "chatwoot-webhook-secret",
    },
    "zammad": {
        "ZAMMAD_URL": "",
        "ZAMMAD_API_TOKEN": "zm-token",
        "ZAMMAD_WEBHOOK_SECRET": "It's a Secret to Everybody",
    },
}


def _hex(secret: str, data: bytes, digest: str) -> str:
    return hmac.new(secret.encode(), data, digest).hexdigest()


def signed(vendor: str, body: bytes, delivery: str, *, now: float | None = None) -> dict[str, str]:
    """Written from each vendor's documentation with hmac/hashlib, independently of the kit."""
    now = time.time() if now is None else now
    secret = next(v for k, v in ENV[vendor].items() if k.endswith(("_WEBHOOK_SECRET", "_CLIENT_SECRET")))
    if vendor == "zendesk":
        ts = iso(now)
        mac = hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()
        return {
            "X-Zendesk-Webhook-Signature": base64.b64encode(mac).decode(),
            "X-Zendesk-Webhook-Signature-Timestamp": ts,
            "X-Zendesk-Webhook-Invocation-Id": delivery,
        }
    if vendor == "freshdesk":
        return {"X-Switchboard-Secret": secret}
    if vendor == "jsm":
        return {
            "X-Hub-Signature": "sha256=" + _hex(secret, body, "sha256"),
            "X-Atlassian-Webhook-Identifier": delivery,
        }
    if vendor == "intercom":
        return {"X-Hub-Signature": "sha1=" + _hex(secret, body, "sha1")}
    if vendor == "chatwoot":
        ts = str(int(now))
        return {
            "X-Chatwoot-Signature": "sha256=" + _hex(secret, ts.encode() + b"." + body, "sha256"),
            "X-Chatwoot-Timestamp": ts,
            "X-Chatwoot-Delivery": delivery,
        }
    if vendor == "zammad":
        return {"X-Hub-Signature": "sha1=" + _hex(secret, body, "sha1"), "X-Zammad-Delivery": delivery}
    raise KeyError(vendor)
