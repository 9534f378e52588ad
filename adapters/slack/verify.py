"""Slack request signatures: HMAC-SHA256 over `v0:<timestamp>:<raw body>`, hex with `v0=`, checked
before parsing, on the kit's HMAC verifier.

https://api.slack.com/authentication/verifying-requests-from-slack
"""

from __future__ import annotations

from adapters.kit.verify import HmacVerifier, SignatureError
from core.secrets import Secret

__all__ = ["MAX_SKEW_S", "SignatureError", "SignatureVerifier", "signature"]

MAX_SKEW_S = 300
SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"


class SignatureVerifier(HmacVerifier):
    """Checks one request's headers and raw body against the signing secret, in constant time."""

    def __init__(self, secret: Secret | bytes, *, max_skew_s: int = MAX_SKEW_S) -> None:
        super().__init__(
            secret,
            signature_header=SIGNATURE_HEADER,
            timestamp_header=TIMESTAMP_HEADER,
            layout="v0:{ts}:{body}",
            prefix="v0=",
            max_skew_s=max_skew_s,
        )


def signature(secret: str | bytes, timestamp: str, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return SignatureVerifier(key).sign(body, ts=timestamp)
