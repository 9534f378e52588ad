"""The kit's verifiers against the vendors' published known answers, and every way to be refused."""

from __future__ import annotations

import pytest

from adapters.kit.verify import (
    Ed25519Verifier,
    HmacVerifier,
    SecretHeaderVerifier,
    SignatureError,
    basic_auth,
    parse_timestamp,
    standard_webhooks,
)
from core.secrets import Secret
from tests.slack.payloads import raw

GITHUB_SECRET = b"It's a Secret to Everybody"
HELLO = b"Hello, World!"


def refused(verifier, headers, body, now=None) -> str:
    with pytest.raises(SignatureError) as caught:
        verifier.verify(headers, body, now=now)
    return str(caught.value)


# -- Slack --------------------------------------------------------------------------------------
SLACK = HmacVerifier(
    b"8f742231b10e8888abcd99yyyzzz85a5",
    signature_header="X-Slack-Signature",
    timestamp_header="X-Slack-Request-Timestamp",
    layout="v0:{ts}:{body}",
    prefix="v0=",
)
SLACK_TS = "1531420618"
SLACK_ANSWER = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def test_slack_known_answer():
    body = raw("slash_command.txt")
    assert SLACK.sign(body, ts=SLACK_TS) == SLACK_ANSWER
    headers = {"X-Slack-Signature": SLACK_ANSWER, "X-Slack-Request-Timestamp": SLACK_TS}
    SLACK.verify(headers, body, now=int(SLACK_TS) + 299)
    assert "300 s" in refused(SLACK, headers, body, now=int(SLACK_TS) + 301)


# -- Zendesk: ISO 8601 timestamp + body, base64 ---------------------------------------------------
ZENDESK = HmacVerifier(
    Secret("dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="),  # used as the ASCII string
    signature_header="X-Zendesk-Webhook-Signature",
    timestamp_header="X-Zendesk-Webhook-Signature-Timestamp",
    timestamp_format="iso8601",
    layout="{ts}{body}",
    encoding="base64",
)
ZENDESK_BODY = b'{"event":"ticket.updated","id":123}'
ZENDESK_TS = "2021-03-25T05:09:27Z"
ZENDESK_HEADERS = {
    "X-Zendesk-Webhook-Signature": "S/RDdU2ERmj7LHDDoWJ2onPYH+t7/f2+LTM4dL7UiLM=",
    "X-Zendesk-Webhook-Signature-Timestamp": ZENDESK_TS,
}
ZENDESK_NOW = parse_timestamp(ZENDESK_TS, "iso8601")


def test_zendesk_known_answer():
    ZENDESK.verify(ZENDESK_HEADERS, ZENDESK_BODY, now=ZENDESK_NOW + 60)


@pytest.mark.parametrize(
    ("headers", "body", "now"),
    [
        (ZENDESK_HEADERS, ZENDESK_BODY + b" ", ZENDESK_NOW),
        (ZENDESK_HEADERS, ZENDESK_BODY, ZENDESK_NOW + 301),
        ({**ZENDESK_HEADERS, "X-Zendesk-Webhook-Signature-Timestamp": "1616648967"}, ZENDESK_BODY, None),
        (
            {**ZENDESK_HEADERS, "X-Zendesk-Webhook-Signature-Timestamp": "2021-03-25T05:09:27"},
            ZENDESK_BODY,
            None,
        ),
        ({"X-Zendesk-Webhook-Signature": ZENDESK_HEADERS["X-Zendesk-Webhook-Signature"]}, ZENDESK_BODY, None),
    ],
    ids=["tampered", "stale", "unix-ts", "no-zone", "no-timestamp"],
)
def test_zendesk_refusals(headers, body, now):
    assert "dGhpc19" not in refused(ZENDESK, headers, body, now=now or ZENDESK_NOW)


# -- GitHub-style / Jira sha256, Intercom / Zammad sha1 --------------------------------------------
def test_github_and_jira_sha256_known_answer():
    verifier = HmacVerifier(GITHUB_SECRET, signature_header="X-Hub-Signature-256", prefix="sha256=")
    answer = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    verifier.verify({"X-Hub-Signature-256": answer}, HELLO)
    refused(verifier, {"X-Hub-Signature-256": answer}, HELLO + b"!")
    refused(verifier, {"X-Hub-Signature-256": answer.upper()}, HELLO)


@pytest.mark.parametrize("vendor", ["intercom", "zammad"])
def test_sha1_known_answer(vendor):
    verifier = HmacVerifier(GITHUB_SECRET, signature_header="X-Hub-Signature", digest="sha1", prefix="sha1=")
    answer = "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"
    verifier.verify({"X-Hub-Signature": answer}, HELLO)
    refused(verifier, {"X-Hub-Signature": answer}, b"Hello, World?")
    refused(verifier, {}, HELLO)


# -- Chatwoot: "{ts}.{body}", cross-checked with `openssl dgst -sha256 -hmac` ---------------------
def test_chatwoot_vector_matches_openssl():
    verifier = HmacVerifier(
        b"chatwoot-webhook-secret",
        signature_header="X-Chatwoot-Signature",
        timestamp_header="X-Chatwoot-Timestamp",
        layout="{ts}.{body}",
        prefix="sha256=",
    )
    body = b'{"event":"message_created","id":42}'
    answer = "sha256=f5b67a0112e6d14172e8da7eaa52895bbd19feb4edbf4eef3a45d8b684973e26"
    headers = {"X-Chatwoot-Signature": answer, "X-Chatwoot-Timestamp": "1700000000"}
    verifier.verify(headers, body, now=1_700_000_100)
    refused(verifier, {**headers, "X-Chatwoot-Timestamp": "1700000001"}, body, now=1_700_000_100)


# -- Standard Webhooks ---------------------------------------------------------------------------
STD = standard_webhooks("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
STD_HEADERS = {
    "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "webhook-timestamp": "1614265330",
    "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}
STD_BODY = b'{"test": 2432232314}'


def test_standard_webhooks_known_answer_and_rotation():
    STD.verify(STD_HEADERS, STD_BODY, now=1614265330)
    rotated = {**STD_HEADERS, "webhook-signature": "v1,bm9wZQ== " + STD_HEADERS["webhook-signature"]}
    STD.verify(rotated, STD_BODY, now=1614265330)
    refused(STD, {**STD_HEADERS, "webhook-id": "msg_other"}, STD_BODY, now=1614265330)
    refused(STD, STD_HEADERS, STD_BODY, now=1614265330 + 301)
    refused(STD, {k: v for k, v in STD_HEADERS.items() if k != "webhook-id"}, STD_BODY, now=1614265330)


# -- Discord Ed25519 (RFC 8032 TEST 1 key) --------------------------------------------------------
DISCORD = Ed25519Verifier("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
DISCORD_BODY = (
    b'{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}'
)
DISCORD_SIG = (
    "f0bd878adcef1f6d475c9644421905bd02b5de38e0d3ecfc6f58a711962c69cc"
    "c8dd7c9db312f9bdf08b1e1b8182e27a844da728c5e0dbb5507bf9931c1ed80b"
)
DISCORD_HEADERS = {"X-Signature-Ed25519": DISCORD_SIG, "X-Signature-Timestamp": "1700000000"}


def test_discord_known_answer_and_refusals():
    DISCORD.verify(DISCORD_HEADERS, DISCORD_BODY)
    refused(DISCORD, DISCORD_HEADERS, DISCORD_BODY + b" ")
    refused(DISCORD, {**DISCORD_HEADERS, "X-Signature-Timestamp": "1700000001"}, DISCORD_BODY)
    refused(DISCORD, {**DISCORD_HEADERS, "X-Signature-Ed25519": "zz" * 64}, DISCORD_BODY)
    refused(DISCORD, {**DISCORD_HEADERS, "X-Signature-Ed25519": DISCORD_SIG[:-2]}, DISCORD_BODY)
    refused(DISCORD, {**DISCORD_HEADERS, "X-Signature-Ed25519": "é" * 128}, DISCORD_BODY)


# -- strict timestamps and non-ASCII headers -------------------------------------------------------
@pytest.mark.parametrize(
    "stamp", ["١٧٠٠٠٠٠٠٠٠", "１７００００００００", "1700000000.5", " 1700000000", "-1", ""]
)
def test_unix_timestamps_are_ascii_digits_only(stamp):
    with pytest.raises(SignatureError):
        parse_timestamp(stamp)


def test_unicode_digit_timestamp_is_refused_by_a_verifier():
    headers = {**DISCORD_HEADERS, "X-Signature-Timestamp": "١٧٠٠٠٠٠٠٠٠"}
    assert "Unix time" in refused(DISCORD, headers, DISCORD_BODY)
    headers = {"X-Slack-Signature": SLACK_ANSWER, "X-Slack-Request-Timestamp": "١٥٣١٤٢٠٦١٨"}
    refused(SLACK, headers, raw("slash_command.txt"), now=int(SLACK_TS))


def test_secret_header_compares_bytes_and_survives_non_ascii():
    verifier = SecretHeaderVerifier(Secret("s3cret-token_A"), header="X-Switchboard-Secret")
    verifier.verify({"X-Switchboard-Secret": "s3cret-token_A"}, b"{}")
    for bad in ["s3cret-token_B", "s3cret-tökén_A", "\udcff\udcfe", "🙂" * 20]:
        assert "s3cret" not in refused(verifier, {"X-Switchboard-Secret": bad}, b"{}")
    refused(verifier, {}, b"{}")
    refused(
        SLACK, {"X-Slack-Signature": "v0=é", "X-Slack-Request-Timestamp": SLACK_TS}, b"", now=int(SLACK_TS)
    )


def test_basic_auth():
    verifier = basic_auth("switchboard", Secret("pa55"))
    verifier.verify({"Authorization": "Basic c3dpdGNoYm9hcmQ6cGE1NQ=="}, b"")
    refused(verifier, {"Authorization": "Basic c3dpdGNoYm9hcmQ6cGE1Ng=="}, b"")


def test_bad_configuration_is_named():
    with pytest.raises(ValueError, match="timestamp_header"):
        HmacVerifier(b"k", signature_header="X", layout="{ts}{body}")
    with pytest.raises(ValueError, match="body"):
        HmacVerifier(b"k", signature_header="X", layout="{ts}")
    with pytest.raises(ValueError, match="whsec_"):
        standard_webhooks("whsec_not*base64")
    with pytest.raises(ValueError, match="64 hex"):
        Ed25519Verifier("abc")
