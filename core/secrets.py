"""A wrapper that keeps secret values out of logs, reprs and tracebacks."""

from __future__ import annotations

import hmac


def _bytes(value: str | bytes) -> bytes:
    # surrogatepass: any str encodes (lone surrogates included), so a comparison never raises
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


def same_bytes(given: str | bytes, expected: str | bytes) -> bool:
    """Constant-time equality of two values as UTF-8 bytes: never raises, whatever the text
    (`hmac.compare_digest` raises TypeError on non-ASCII `str`)."""
    return hmac.compare_digest(_bytes(given), _bytes(expected))


class Secret:
    """Holds a secret string; `str()` and `repr()` show `***`. Use `.reveal()` to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def matches(self, candidate: str) -> bool:
        """Constant-time comparison."""
        return same_bytes(candidate, self._value)

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.matches(other._value)

    def __hash__(self) -> int:
        return hash(("Secret", self._value))
