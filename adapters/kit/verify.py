"""Inbound authenticity over raw bytes, before anything is parsed.

One `Verifier` protocol, three families: HMAC with a configurable layout (Slack, Zendesk,
GitHub-style, Jira, Intercom, Chatwoot, Zammad, Standard Webhooks), a shared secret in a header
(Telegram, Freshdesk), and Ed25519 (Discord). Every failure is a `SignatureError` (answered 401);
no message names the secret, and header values that are not ASCII are refused, never crash.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Literal, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from core.errors import SwitchboardError
from core.secrets import Secret

DEFAULT_SKEW_S = 300
Digest = Literal["sha1", "sha256", "sha512"]
Encoding = Literal["hex", "base64"]
TimestampFormat = Literal["unix", "iso8601"]

_UNIX = re.compile(r"[0-9]{1,12}")  # ASCII digits only: str.isdigit() accepts "١٢٣"
_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_FIELD = re.compile(r"\{(ts|id|body)\}")


class SignatureError(SwitchboardError):
    """The request is not from who it claims (or too old to trust). Never names the secret."""


class Verifier(Protocol):
    def verify(self, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
        """Return if the request is authentic; raise SignatureError otherwise."""


def header_bytes(value: str) -> bytes:
    """A header value as the bytes that came on the wire (aiohttp decodes with surrogateescape)."""
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def parse_timestamp(value: str, fmt: TimestampFormat = "unix") -> float:
    """Strict: Unix seconds in ASCII digits, or ISO 8601 with a zone. Anything else is refused."""
    if fmt == "unix":
        if not _UNIX.fullmatch(value):
            raise SignatureError("timestamp header is not a Unix time")
        return float(int(value))
    if not _ISO.fullmatch(value):
        raise SignatureError("timestamp header is not an ISO 8601 time with a zone")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise SignatureError("timestamp header is not a valid date") from None


class Layout:
    """Which bytes are signed, as a template over `{ts}`, `{id}` and `{body}`:
    `"v0:{ts}:{body}"` (Slack), `"{ts}{body}"` (Zendesk, Discord), `"{ts}.{body}"` (Chatwoot),
    `"{id}.{ts}.{body}"` (Standard Webhooks), `"{body}"` (GitHub, Jira, Intercom, Zammad)."""

    def __init__(self, template: str) -> None:
        pieces = _FIELD.split(template)
        if "body" not in pieces[1::2]:
            raise ValueError(f"signed layout {template!r} must contain {{body}}")
        self.template = template
        self.fields = frozenset(pieces[1::2])
        self._pieces = [(p, i % 2 == 1) for i, p in enumerate(pieces) if p or i % 2 == 1]

    def render(self, body: bytes, *, ts: str = "", id: str = "") -> bytes:
        values = {"ts": ts.encode("ascii"), "id": id.encode("ascii"), "body": body}
        return b"".join(values[p] if is_field else p.encode() for p, is_field in self._pieces)


class HmacVerifier:
    """HMAC over a signed layout, compared in constant time. `separator` set means the header may
    carry several signatures (Standard Webhooks: `"v1,abc v1,def"`, key rotation)."""

    def __init__(
        self,
        key: bytes | Secret,
        *,
        signature_header: str,
        layout: str = "{body}",
        digest: Digest = "sha256",
        encoding: Encoding = "hex",
        prefix: str = "",
        timestamp_header: str | None = None,
        timestamp_format: TimestampFormat = "unix",
        id_header: str | None = None,
        max_skew_s: float | None = DEFAULT_SKEW_S,
        separator: str | None = None,
    ) -> None:
        self._key = key.reveal().encode() if isinstance(key, Secret) else key
        if not self._key:
            raise ValueError("an HMAC verifier needs a non-empty key")
        self.layout = Layout(layout)
        if "ts" in self.layout.fields and timestamp_header is None:
            raise ValueError("a layout with {ts} needs a timestamp_header")
        if "id" in self.layout.fields and id_header is None:
            raise ValueError("a layout with {id} needs an id_header")
        self.signature_header = signature_header
        self.timestamp_header = timestamp_header
        self.id_header = id_header
        self._digest = digest
        self._encoding = encoding
        self._prefix = prefix
        self._ts_format: TimestampFormat = timestamp_format
        self._skew = max_skew_s
        self._separator = separator

    def sign(self, body: bytes, *, ts: str = "", id: str = "") -> str:
        """The header value a sender would put on `body` (tests, outgoing callbacks)."""
        mac = hmac.new(self._key, self.layout.render(body, ts=ts, id=id), self._digest).digest()
        text = mac.hex() if self._encoding == "hex" else base64.b64encode(mac).decode()
        return self._prefix + text

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
        given = headers.get(self.signature_header)
        if not given:
            raise SignatureError(f"missing {self.signature_header} header")
        ts = id_ = ""
        if self.timestamp_header is not None:
            ts = _required(headers, self.timestamp_header)
            check_fresh(parse_timestamp(ts, self._ts_format), self._skew, now)
        if self.id_header is not None:
            id_ = _required(headers, self.id_header)
        if not ts.isascii() or not id_.isascii():
            raise SignatureError("signed header is not ASCII")
        expected = self.sign(body, ts=ts, id=id_).encode()
        candidates = given.split(self._separator) if self._separator else [given]
        matched = False
        for candidate in candidates:  # no early exit: time does not depend on which one matched
            matched |= hmac.compare_digest(expected, header_bytes(candidate.strip()))
        if not matched:
            raise SignatureError("signature does not match the body")


def _required(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if not value:
        raise SignatureError(f"missing {name} header")
    return value


def check_fresh(stamp: float, max_skew_s: float | None, now: float | None = None) -> None:
    if max_skew_s is None:
        return
    now = time.time() if now is None else now
    if abs(now - stamp) > max_skew_s:
        raise SignatureError(f"request timestamp is more than {max_skew_s:g} s from now")


class SecretHeaderVerifier:
    """A shared secret sent as a header (no MAC), compared as bytes in constant time."""

    def __init__(self, secret: Secret | str, *, header: str) -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if not value:
            raise ValueError(f"the {header} secret must not be empty")
        self._expected = value.encode("utf-8")
        self.header = header

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
        given = headers.get(self.header)
        if not given:
            raise SignatureError(f"missing {self.header} header")
        if not hmac.compare_digest(self._expected, header_bytes(given)):
            raise SignatureError(f"{self.header} does not match")


def basic_auth(user: str, password: Secret | str) -> SecretHeaderVerifier:
    """HTTP basic auth as a secret header (what Freshdesk webhooks can send)."""
    secret = password.reveal() if isinstance(password, Secret) else password
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return SecretHeaderVerifier("Basic " + token, header="Authorization")


class Ed25519Verifier:
    """Ed25519 over a signed layout (Discord: `{ts}{body}`), hex signature, hex public key."""

    def __init__(
        self,
        public_key_hex: str,
        *,
        signature_header: str = "X-Signature-Ed25519",
        timestamp_header: str = "X-Signature-Timestamp",
        layout: str = "{ts}{body}",
        max_skew_s: float | None = None,
    ) -> None:
        try:
            self._key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        except ValueError:
            raise ValueError("the Ed25519 public key must be 64 hex characters") from None
        self.layout = Layout(layout)
        self.signature_header = signature_header
        self.timestamp_header = timestamp_header
        self._skew = max_skew_s

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: float | None = None) -> None:
        given = _required(headers, self.signature_header)
        ts = _required(headers, self.timestamp_header)
        check_fresh(parse_timestamp(ts), self._skew, now)
        try:
            raw = bytes.fromhex(given) if given.isascii() else b""
        except ValueError:
            raw = b""
        if len(raw) != 64:
            raise SignatureError(f"{self.signature_header} is not a 64-byte hex signature")
        try:
            self._key.verify(raw, self.layout.render(body, ts=ts))
        except InvalidSignature:
            raise SignatureError("signature does not match the body") from None


def standard_webhooks(secret: Secret | str, *, max_skew_s: float = DEFAULT_SKEW_S) -> HmacVerifier:
    """Standard Webhooks v1 (https://www.standardwebhooks.com): `whsec_<base64 key>`, HMAC-SHA256
    over `id.ts.body`, base64, `v1,` prefix, space-separated signatures, 5 minutes of skew."""
    value = secret.reveal() if isinstance(secret, Secret) else secret
    encoded = value.removeprefix("whsec_")
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("a Standard Webhooks secret is 'whsec_' followed by base64") from None
    return HmacVerifier(
        key,
        signature_header="webhook-signature",
        id_header="webhook-id",
        timestamp_header="webhook-timestamp",
        layout="{id}.{ts}.{body}",
        encoding="base64",
        prefix="v1,",
        max_skew_s=max_skew_s,
        separator=" ",
    )
