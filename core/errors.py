"""One root for every error Switchboard raises on purpose."""

from __future__ import annotations


class SwitchboardError(Exception):
    """Root of Switchboard's own errors. Messages never contain user text."""


class ConfigError(SwitchboardError):
    """A bot definition or a setting is wrong. Names the file, the key and the fix."""

    def __init__(self, problems: list[str] | str, *, source: str = "") -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        super().__init__(head + "; ".join(self.problems))


class SkillConflictError(ConfigError):
    """Two skills claim the same command."""


class PortInUseError(SwitchboardError):
    """The hub's HTTP port is taken by another program."""


class MaskingError(SwitchboardError):
    """PII analysis failed or timed out: the turn must stop (fail closed)."""


class ModelUnavailableError(SwitchboardError):
    """No model can answer right now."""


class AdapterError(SwitchboardError):
    """A platform refused or failed a send."""
