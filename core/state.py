"""Redis key names, in one place, so every replica agrees and tests can scan them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str = "sb"

    def dedup(self, event_id: str) -> str:
        return f"{self.prefix}:dedup:{event_id}"

    def rate(self, scope: str, subject: str, window: int) -> str:
        return f"{self.prefix}:rate:{scope}:{subject}:{window}"

    def rate_notice(self, scope: str, subject: str, window: int) -> str:
        return f"{self.prefix}:rate-notice:{scope}:{subject}:{window}"

    def muted(self, bot: str) -> str:
        return f"{self.prefix}:{bot}:muted"

    def disabled_skills(self, bot: str, conversation: str) -> str:
        return f"{self.prefix}:{bot}:disabled:{conversation}"

    def follow_up(self, bot: str, conversation: str, sender: str) -> str:
        return f"{self.prefix}:{bot}:follow-up:{conversation}:{sender}"

    def memory(self, bot: str, conversation: str) -> str:
        return f"{self.prefix}:{bot}:memory:{conversation}"

    def audit(self, bot: str) -> str:
        return f"{self.prefix}:{bot}:audit"

    def pattern(self) -> str:
        return f"{self.prefix}:*"
