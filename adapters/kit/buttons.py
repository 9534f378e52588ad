"""Signed button ids: what a platform hands back when a button is pressed (Discord's custom id,
Telegram's callback data), signed so that a press can only name what this bot put there.

Whoever can send the platform an interaction chooses the id it carries: a modified client, a
button another bot posted with the same layout, or an id copied and edited. A Stop button's id
names the answer it ends, so an unsigned one would let a crafted press try other tokens. Here an
id is `<prefix><token>.<mac>`: the mac is HMAC-SHA256 over the prefix and the token, under a key
derived (HKDF, `core.sealing.derive`) for one purpose from a secret every replica of the bot
already shares (its bot token: no new setting, and another bot's buttons never verify), cut to
16 bytes and written in base64url (22 characters). Checked in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from core import sealing
from core.secrets import Secret

MAC_BYTES = 16  # 128 bits: forging one takes 2^128 guesses, each a press the platform rate-limits
MAC_CHARS = 22  # base64url of 16 bytes, unpadded
SEPARATOR = "."  # not in a token's alphabet nor in base64url
INVALID_BUTTON = "That button is not valid."  # the presser's answer to a press that does not verify
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


class SignedIds:
    """Signs and opens the ids of one kind of button (`prefix`), at most `max_chars` long."""

    def __init__(self, secret: Secret | str, purpose: str, *, prefix: str, max_chars: int) -> None:
        raw = secret.reveal() if isinstance(secret, Secret) else secret
        if not raw:
            raise ValueError("signed button ids need a non-empty secret")
        self.prefix = prefix
        self.max_chars = max_chars
        self.max_token = max_chars - len(prefix) - len(SEPARATOR) - MAC_CHARS
        if self.max_token < 1:
            raise ValueError(f"{max_chars} characters leave no room for a token after {prefix!r}")
        self._key = sealing.derive(raw.encode(), purpose)

    def sign(self, token: str | None) -> str | None:
        """The button id naming `token`; None when there is none or it does not fit."""
        if not token or len(token) > self.max_token or not _TOKEN.match(token):
            return None
        return f"{self.prefix}{token}{SEPARATOR}{self._mac(token)}"

    def owns(self, value: str) -> bool:
        """`value` claims to be one of these buttons (signed or not: `open` says which)."""
        return value.startswith(self.prefix)

    def open(self, value: str) -> str | None:
        """The token `value` names if its mac verifies; None for a tampered, forged, unsigned or
        foreign id."""
        if not self.owns(value) or len(value) > self.max_chars:
            return None
        token, separator, given = value[len(self.prefix) :].rpartition(SEPARATOR)
        if not separator or not token or not _TOKEN.match(token):
            return None
        if not hmac.compare_digest(self._mac(token).encode(), given.encode("utf-8", "replace")):
            return None
        return token

    def _mac(self, token: str) -> str:
        digest = hmac.new(self._key, (self.prefix + token).encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:MAC_BYTES]).rstrip(b"=").decode()
