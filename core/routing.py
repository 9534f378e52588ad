"""Routing: commands first, then patterns, then example utterances, then the fallback skill.

Helpdesk tickets (`EventKind.TICKET`) go to ticket skills only: their patterns, else the ticket
skill of highest priority, else the fallback — never to example matching on the ticket body.
A "/command" typed as text is read here; adapters mark only platform-native commands."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from core.errors import ConfigError
from core.events import Event, EventKind
from core.similarity import ExampleIndex
from core.skills import Intent, Skill

EXAMPLE_THRESHOLD = 0.55


def parse_command(text: str) -> tuple[str, str]:
    """`"/skills disable help"` -> `("skills", "disable help")`."""
    head, _, rest = text.strip().partition(" ")
    return head.lstrip("/").lower(), rest.strip()


def looks_like_command(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith("/") and len(stripped) > 1 and not stripped.startswith("//")


class Router:
    """Classifies an event into an Intent naming one skill."""

    def __init__(
        self,
        skills: Sequence[Skill],
        *,
        fallback: str,
        threshold: float = EXAMPLE_THRESHOLD,
        source: str = "bot definition",
    ) -> None:
        self.skills = {s.name: s for s in skills}
        if fallback not in self.skills:
            raise ConfigError(
                f"key 'fallback': no loaded skill is named {fallback!r} — fix: use one of "
                f"{sorted(self.skills)} or list the module that defines it under 'skills'",
                source=source,
            )
        self.fallback = fallback
        self.threshold = threshold
        self._by_priority = sorted(skills, key=lambda s: -s.priority)
        self._ticket_skills = [s for s in self._by_priority if s.tickets]
        self._commands = {c: s for s in skills for c in s.commands}
        self._examples = ExampleIndex((s.name, ex) for s in skills for ex in s.examples)

    def command_owner(self, name: str) -> Skill | None:
        return self._commands.get(name)

    def classify(self, event: Event, *, disabled: Collection[str] = ()) -> Intent:
        def usable(candidate: Skill) -> bool:
            return candidate.name not in disabled and candidate.supports(event.platform)

        text = event.text
        if event.kind is EventKind.COMMAND or looks_like_command(text):
            name, args = parse_command(text)
            owner = self._commands.get(name)
            if owner is not None and usable(owner):
                return Intent(name=name, skill=owner.name, via="command", args=args)
        ticket = event.kind is EventKind.TICKET
        candidates = [c for c in (self._ticket_skills if ticket else self._by_priority) if usable(c)]
        for candidate in candidates:
            for pattern in candidate.patterns:
                match = pattern.search(text)
                if match:
                    slots = {k: v for k, v in match.groupdict().items() if v is not None}
                    return Intent(name=candidate.name, skill=candidate.name, via="pattern", slots=slots)
        if ticket:
            if candidates:
                return Intent(name=candidates[0].name, skill=candidates[0].name, via="ticket")
            return Intent(name="fallback", skill=self.fallback, via="fallback", score=0.0)
        best = self._examples.best(text)
        if best is not None:
            label, score = best
            if score >= self.threshold and usable(self.skills[label]):
                return Intent(name=label, skill=label, via="example", score=round(score, 3))
        return Intent(name="fallback", skill=self.fallback, via="fallback", score=0.0)
