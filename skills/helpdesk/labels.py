"""A classifier's answer: a value and how sure it is (0..1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Label:
    value: str
    confidence: float

    def __str__(self) -> str:
        return f"{self.value} ({self.confidence:.2f})"
