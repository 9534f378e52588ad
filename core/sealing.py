"""Encryption at rest, written once: AES-256-GCM under a key derived (HKDF-SHA256) from one
master key for one purpose.

Every user names its purpose (`Sealer(master, "switchboard installations")`), so the PII vault
and the installation store never share an AES key even when they share the master key. A sealed
value is `s1:<base64 of nonce + ciphertext>`; the prefix names the format, so a later one can be
read beside it. The caller binds what the value belongs to as associated data (`context`): a
value copied to another record fails to open.

Master keys are 32 random bytes in base64 (standard or URL-safe alphabet), decoded here only.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.errors import ConfigError, SwitchboardError

KEY_BYTES = 32
PREFIX = "s1:"
_NONCE = 12
KEY_FIX = (
    'generate one with python -c "import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
)


class SealError(SwitchboardError):
    """A sealed value cannot be opened: wrong or rotated key, another record's value, or damage."""


def decode_key(encoded: str, *, name: str, source: str) -> bytes:
    """The 32 bytes of a base64 master key, or a ConfigError naming the variable and the fix."""
    try:
        raw = base64.urlsafe_b64decode(encoded.strip().encode() + b"==")
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        problem = f"{name} must be {KEY_BYTES} random bytes in base64 — fix: {KEY_FIX}"
        raise ConfigError(problem, source=source)
    return raw


def derive(master: bytes, purpose: str) -> bytes:
    """A 32-byte key for one purpose (an AES key, an HMAC key) from the master key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(master)


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


class Sealer:
    def __init__(self, master: bytes, purpose: str) -> None:
        self.purpose = purpose
        self._aead = AESGCM(derive(master, purpose))

    def seal(self, plaintext: bytes, context: bytes) -> str:
        nonce = os.urandom(_NONCE)
        return PREFIX + base64.b64encode(nonce + self._aead.encrypt(nonce, plaintext, context)).decode()

    def open(self, sealed: str, context: bytes) -> bytes:
        if not is_sealed(sealed):
            raise SealError(f"not a sealed value ({self.purpose})")
        try:
            raw = base64.b64decode(sealed[len(PREFIX) :], validate=True)
            if len(raw) <= _NONCE:
                raise ValueError
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], context)
        except (InvalidTag, ValueError, binascii.Error):
            problem = f"a sealed value failed to open ({self.purpose}: wrong key or tampered)"
            raise SealError(problem) from None
