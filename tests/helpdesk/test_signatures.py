"""Each vendor preset's verifier against the published known answers (../shared/FACTS.md), and
Chatwoot's against a vector cross-checked with `openssl dgst -sha256 -hmac`."""

from __future__ import annotations

import pytest

from adapters.helpdesk import VENDORS, config_for
from adapters.kit.http import SharedSession
from adapters.kit.verify import SignatureError, parse_timestamp

GITHUB_SECRET = "It's a Secret to Everybody"
HELLO = b"Hello, World!"


def verifier(vendor: str, **env: str):  # type: ignore[no-untyped-def]
    return VENDORS[vendor](config_for(vendor, {**env}), SharedSession()).verifier()


def test_zendesk_known_answer():
    v = verifier(
        "zendesk",
        ZENDESK_URL="https://x",
        ZENDESK_WEBHOOK_SECRET="dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==",
    )
    ts = "2021-03-25T05:09:27Z"
    headers = {
        "X-Zendesk-Webhook-Signature": "S/RDdU2ERmj7LHDDoWJ2onPYH+t7/f2+LTM4dL7UiLM=",
        "X-Zendesk-Webhook-Signature-Timestamp": ts,
    }
    body = b'{"event":"ticket.updated","id":123}'
    now = parse_timestamp(ts, "iso8601")
    v.verify(headers, body, now=now + 299)
    with pytest.raises(SignatureError):
        v.verify(headers, body, now=now + 301)  # more than 5 minutes off


def test_jsm_sha256_known_answer():
    v = verifier("jsm", JIRA_URL="https://x", JIRA_WEBHOOK_SECRET=GITHUB_SECRET)
    v.verify(
        {"X-Hub-Signature": "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"}, HELLO
    )
    with pytest.raises(SignatureError):
        v.verify({"X-Hub-Signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"}, HELLO)


@pytest.mark.parametrize(
    ("vendor", "env"),
    [
        ("intercom", {"INTERCOM_CLIENT_SECRET": GITHUB_SECRET}),
        ("zammad", {"ZAMMAD_URL": "https://x", "ZAMMAD_WEBHOOK_SECRET": GITHUB_SECRET}),
    ],
)
def test_sha1_known_answers(vendor, env):
    v = verifier(vendor, **env)
    v.verify({"X-Hub-Signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"}, HELLO)
    with pytest.raises(SignatureError):
        v.verify({"X-Hub-Signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"}, HELLO + b"\n")


def test_chatwoot_vector_cross_checked_with_openssl():
    v = verifier("chatwoot", CHATWOOT_URL="https://x", CHATWOOT_WEBHOOK_SECRET="chatwoot-webhook-secret")
    headers = {
        "X-Chatwoot-Signature": "sha256=f5b67a0112e6d14172e8da7eaa52895bbd19feb4edbf4eef3a45d8b684973e26",
        "X-Chatwoot-Timestamp": "1700000000",
    }
    body = b'{"event":"message_created","id":42}'
    v.verify(headers, body, now=1_700_000_000)
    for bad in (
        {**headers, "X-Chatwoot-Timestamp": "١٧٠٠٠٠٠٠٠٠"},
        {"X-Chatwoot-Signature": headers["X-Chatwoot-Signature"]},
    ):
        with pytest.raises(SignatureError):
            v.verify(bad, body, now=1_700_000_000)
    with pytest.raises(SignatureError):
        v.verify(headers, body, now=1_700_000_000 + 301)


def test_freshdesk_shared_secret_in_the_named_header():
    v = VENDORS["freshdesk"](
        config_for(
            "freshdesk",
            {"FRESHDESK_URL": "https://x", "FRESHDESK_WEBHOOK_SECRET": "s3cret"},
            {"secret_header": "X-Hook-Key"},
        ),
        SharedSession(),
    ).verifier()
    v.verify({"X-Hook-Key": "s3cret"}, b"{}")
    for bad in ({"X-Hook-Key": "s3cre"}, {"X-Hook-Key": "s3crét"}, {"X-Switchboard-Secret": "s3cret"}, {}):
        with pytest.raises(SignatureError):
            v.verify(bad, b"{}")


async def test_non_ascii_signature_headers_are_401_not_500(helpdesks):
    hub = await helpdesks.build("zammad")
    status, body = await hub.deliver(b"{}", sign=False, headers={"X-Hub-Signature": "sha1=é" + "0" * 39})
    assert status == 401 and body == {"error": "invalid Zammad signature"}
