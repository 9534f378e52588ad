"""How each vendor signs its webhooks, for the tests (the verifiers' own known answers are in
tests/helpdesk/test_signatures.py and tests/kit/test_verify.py)."""

from __future__ import annotations

import time

from adapters.kit.verify import HmacVerifier
from tests.helpdesk.fake_helpdesk import iso

ENV: dict[str, dict[str, str]] = {
    "zendesk": {
        "ZENDESK_URL": "",
        "ZENDESK_EMAIL": "bot@example.com",
        "ZENDESK_API_TOKEN": "zendesk-api-token",
        "ZENDESK_WEBHOOK_SECRET": "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
    },
}


def signed(vendor: str, body: bytes, delivery: str, *, now: float | None = None) -> dict[str, str]:
    now = time.time() if now is None else now
    if vendor == "zendesk":
        ts = iso(now)
        signer = HmacVerifier(
            ENV["zendesk"]["ZENDESK_WEBHOOK_SECRET"].encode(),
            signature_header="-",
            timestamp_header="-",
            layout="{ts}{body}",
            encoding="base64",
        )
        return {
            "X-Zendesk-Webhook-Signature": signer.sign(body, ts=ts),
            "X-Zendesk-Webhook-Signature-Timestamp": ts,
            "X-Zendesk-Webhook-Invocation-Id": delivery,
        }
    raise KeyError(vendor)
