"""Deployment settings and secrets, read from the environment (`SWITCHBOARD_*`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.errors import ConfigError
from core.http.hosts import default_hosts, parse_hosts
from core.http.limits import EdgeLimits
from core.http.origin import normal_origin
from core.secrets import Secret

ENV_SOURCE = "environment"


def _int(env: Mapping[str, str], key: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            f"{key}={raw!r} is not a whole number; set it to an integer between {low} and {high}",
            source=ENV_SOURCE,
        ) from None
    if not low <= value <= high:
        raise ConfigError(
            f"{key}={value} is out of range; set it between {low} and {high}", source=ENV_SOURCE
        )
    return value


def _float(env: Mapping[str, str], key: str, default: float, *, low: float, high: float) -> float:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not low <= value <= high:  # NaN fails too
        raise ConfigError(
            f"{key}={raw!r} is not a number of seconds between {low:g} and {high:g}; set it in that range",
            source=ENV_SOURCE,
        )
    return value


def _origins(env: Mapping[str, str], key: str) -> tuple[str, ...]:
    """`https://chat.example.com,http://localhost:3000` → normalised origins, or a ConfigError."""
    found = []
    for item in (env.get(key) or "").split(","):
        item = item.strip().rstrip("/")
        if not item:
            continue
        origin = normal_origin(item)
        if origin is None:
            raise ConfigError(
                f"{key}: {item!r} is not an origin; write scheme://host[:port] "
                "(e.g. https://chat.example.com), comma-separated",
                source=ENV_SOURCE,
            )
        found.append(origin)
    return tuple(found)


def _hosts(env: Mapping[str, str], key: str) -> tuple[str, ...] | None:
    """`chat.example.com,10.0.0.5` → host names; `*` → () (any); unset → None (the default)."""
    raw = (env.get(key) or "").strip()
    if not raw:
        return None
    names = parse_hosts(raw)
    if names is None:
        raise ConfigError(
            f"{key}={raw!r}: write host names or addresses without a scheme, comma-separated "
            "(e.g. chat.example.com,10.0.0.5), or * for any",
            source=ENV_SOURCE,
        )
    return names


def _secret(env: Mapping[str, str], key: str) -> Secret | None:
    raw = env.get(key, "")
    return Secret(raw) if raw else None


# Environment variables adapters read (their credentials and webhook secrets).
PLATFORM_ENV_PREFIXES = (
    "SWITCHBOARD_",
    "SLACK_",
    "DISCORD_",
    "TELEGRAM_",
    "ZENDESK_",
    "FRESHDESK_",
    "JIRA_",
    "INTERCOM_",
    "CHATWOOT_",
    "ZAMMAD_",
)


@dataclass(frozen=True)
class Settings:
    """What differs between deployments of the same bot."""

    redis_url: str | None = None  # None: start a private Redis (embedded default)
    redis_max_connections: int = 512  # per process; a call past it waits for a free one
    redis_wait_s: float = 5.0  # how long it waits before the turn says "temporarily unavailable"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    api_token: Secret | None = None
    bot: str = "assistant"
    max_concurrent_turns: int = 64
    max_body_bytes: int = 1_048_576
    api_timeout_s: int = 30
    key_prefix: str = "sb"
    max_message_chars: int = 8_000  # one cap for every adapter; longer messages get a polite reply
    send_attempts: int = 3  # tries of one answer before the person gets an apology
    send_backoff_s: float = 0.5  # the pause after the first failed try (doubles after each)
    send_deadline_s: float = 300.0  # a model answer is tried until this long after its first failed send
    body_timeout_s: float = 10.0
    header_timeout_s: float = 10.0
    readyz_timeout_s: float = 1.0
    sockets_per_address: int = 256
    connections_per_address: int = 512
    allowed_hosts: tuple[str, ...] | None = None  # None: loopback names when bound to loopback
    webchat_origins: tuple[str, ...] = ()  # besides the hub's own origin
    extra: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def limits(self) -> EdgeLimits:
        return EdgeLimits(
            max_body_bytes=self.max_body_bytes,
            body_timeout_s=self.body_timeout_s,
            header_timeout_s=self.header_timeout_s,
            readyz_timeout_s=self.readyz_timeout_s,
            sockets_per_address=self.sockets_per_address,
            connections_per_address=self.connections_per_address,
            allowed_hosts=default_hosts(self.http_host) if self.allowed_hosts is None else self.allowed_hosts,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            redis_url=env.get("SWITCHBOARD_REDIS_URL") or None,
            redis_max_connections=_int(env, "SWITCHBOARD_REDIS_MAX_CONNECTIONS", 512, low=8, high=100_000),
            redis_wait_s=_float(env, "SWITCHBOARD_REDIS_WAIT_S", 5.0, low=0.1, high=120),
            http_host=env.get("SWITCHBOARD_HTTP_HOST") or "127.0.0.1",
            http_port=_int(env, "SWITCHBOARD_HTTP_PORT", 8080, low=0, high=65535),
            api_token=_secret(env, "SWITCHBOARD_API_TOKEN"),
            bot=env.get("SWITCHBOARD_BOT") or "assistant",
            max_concurrent_turns=_int(env, "SWITCHBOARD_MAX_CONCURRENT_TURNS", 64, low=1, high=100_000),
            max_body_bytes=_int(env, "SWITCHBOARD_MAX_BODY_BYTES", 1_048_576, low=1024, high=64 * 1_048_576),
            api_timeout_s=_int(env, "SWITCHBOARD_API_TIMEOUT", 30, low=1, high=3600),
            key_prefix=env.get("SWITCHBOARD_KEY_PREFIX") or "sb",
            max_message_chars=_int(env, "SWITCHBOARD_MAX_MESSAGE_CHARS", 8_000, low=100, high=200_000),
            send_attempts=_int(env, "SWITCHBOARD_SEND_ATTEMPTS", 3, low=1, high=20),
            send_backoff_s=_float(env, "SWITCHBOARD_SEND_BACKOFF", 0.5, low=0.0, high=60),
            send_deadline_s=_float(env, "SWITCHBOARD_SEND_DEADLINE_S", 300.0, low=0.0, high=3000),
            body_timeout_s=_float(env, "SWITCHBOARD_BODY_TIMEOUT", 10.0, low=0.1, high=600),
            header_timeout_s=_float(env, "SWITCHBOARD_HEADER_TIMEOUT", 10.0, low=0.1, high=600),
            readyz_timeout_s=_float(env, "SWITCHBOARD_READYZ_TIMEOUT", 1.0, low=0.05, high=60),
            sockets_per_address=_int(env, "SWITCHBOARD_SOCKETS_PER_ADDRESS", 256, low=1, high=100_000),
            connections_per_address=_int(
                env, "SWITCHBOARD_CONNECTIONS_PER_ADDRESS", 512, low=1, high=1_000_000
            ),
            allowed_hosts=_hosts(env, "SWITCHBOARD_ALLOWED_HOSTS"),
            webchat_origins=_origins(env, "SWITCHBOARD_WEBCHAT_ORIGINS"),
            extra={k: v for k, v in env.items() if k.startswith(PLATFORM_ENV_PREFIXES)},
        )
