"""One root for every error Switchboard raises on purpose."""

from __future__ import annotations


class SwitchboardError(Exception):
    """Root of Switchboard's own errors. Messages never contain user text."""


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` — or what caused it — is a lost connection (Redis down, a socket reset):
    the person is then told the service is temporarily unavailable, not that it failed."""
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, (RedisConnectionError, RedisTimeoutError, ConnectionError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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


class SendFailed(SwitchboardError):
    """A reply did not reach the platform (the adapter raised): it is not a delivered answer."""
