"""Slack signatures: the published known answer, and every way a request can be refused."""

from __future__ import annotations

import pytest

from adapters.slack.verify import SignatureError, SignatureVerifier, signature
from core.secrets import Secret
from tests.slack.payloads import raw

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TS = "1531420618"
ANSWER = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def headers(sig: str = ANSWER, ts: str = TS) -> dict[str, str]:
    return {"X-Slack-Signature": sig, "X-Slack-Request-Timestamp": ts}


def test_slacks_published_known_answer():
    body = raw("slash_command.txt")
    assert signature(SECRET, TS, body) == ANSWER
    SignatureVerifier(Secret(SECRET)).verify(headers(), body, now=int(TS) + 10)


@pytest.mark.parametrize(
    ("hdrs", "body", "now"),
    [
        (headers(), raw("slash_command.txt") + b"&admin=1", int(TS)),  # tampered body
        (headers(), raw("slash_command.txt"), int(TS) + 301),  # stale
        (headers(), raw("slash_command.txt"), int(TS) - 301),  # from the future
        ({"X-Slack-Request-Timestamp": TS}, raw("slash_command.txt"), int(TS)),  # no signature
        ({"X-Slack-Signature": ANSWER}, raw("slash_command.txt"), int(TS)),  # no timestamp
        (headers(ts="15314x0618"), raw("slash_command.txt"), int(TS)),
        (headers(sig="v0=" + "0" * 64), raw("slash_command.txt"), int(TS)),
    ],
)
def test_refused(hdrs, body, now):
    with pytest.raises(SignatureError) as caught:
        SignatureVerifier(Secret(SECRET)).verify(hdrs, body, now=now)
    assert SECRET not in str(caught.value)
