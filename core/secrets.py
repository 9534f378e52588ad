"""A wrapper that keeps secret values out of logs, reprs and tracebacks."""

from __future__ import annotations

import hmac


class Secret:
    """Holds a secret string; `str()` and `repr()` show `***`. Use `.reveal()` to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def matches(self, candidate: str) -> bool:
        """Constant-time comparison."""
        # surrogateescape: header values with undecodable bytes compare unequal, never raise
        return hmac.compare_digest(self._value.encode(), candidate.encode("utf-8", "surrogateescape"))

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.matches(other._value)

    def __hash__(self) -> int:
        return hash(("Secret", self._value))
