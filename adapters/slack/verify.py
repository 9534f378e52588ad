"""Slack request signatures: HMAC-SHA256 over `v0:<timestamp>:<raw body>`, checked before parsing.

https://api.slack.com/authentication/verifying-requests-from-slack
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from core.errors import SwitchboardError
from core.secrets import Secret

MAX_SKEW_S = 300
SIGNATURE_HEADER = "X-Slack-Signature"
TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"


class SignatureError(SwitchboardError):
    """The request does not come from Slack (or is too old to trust). Never names the secret."""


def signature(secret: str | bytes, timestamp: str, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(key, base, hashlib.sha256).hexdigest()


class SignatureVerifier:
    """Checks one request's headers and raw body against the signing secret, in constant time."""

    def __init__(self, secret: Secret, *, max_skew_s: int = MAX_SKEW_S) -> None:
        self._key = secret.reveal().encode()
        self._max_skew = max_skew_s

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
        given = headers.get(SIGNATURE_HEADER)
        stamp = headers.get(TIMESTAMP_HEADER)
        if not given or not stamp:
            raise SignatureError("missing X-Slack-Signature or X-Slack-Request-Timestamp header")
        if not stamp.isdigit() or len(stamp) > 12:
            raise SignatureError("X-Slack-Request-Timestamp is not a Unix time")
        now = time.time() if now is None else now
        if abs(now - int(stamp)) > self._max_skew:
            raise SignatureError(f"request timestamp is more than {self._max_skew} s from now")
        expected = signature(self._key, stamp, body)
        if not hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace")):
            raise SignatureError("signature does not match the body")
