"""The admin dashboard's settings, from the environment. No token, no dashboard (404)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from core.errors import ConfigError
from core.secrets import Secret

TOKEN_ENV = "SWITCHBOARD_ADMIN_TOKEN"
SESSION_TTL_ENV = "SWITCHBOARD_ADMIN_SESSION_TTL"
BEHIND_PROXY_ENV = "SWITCHBOARD_ADMIN_BEHIND_PROXY"
MIN_TOKEN_CHARS = 16
ENABLE_HINT = (
    f"admin dashboard off: set {TOKEN_ENV} (at least {MIN_TOKEN_CHARS} characters) to serve it at /admin"
)


@dataclass(frozen=True, slots=True)
class AdminWebConfig:
    token: Secret
    session_ttl_s: int = 8 * 3600
    behind_proxy: bool = False  # trust X-Forwarded-Proto/-Host/-For from the proxy in front
    login_attempts: int = 5  # failed logins per client address per window, then 429
    login_window_s: int = 300

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AdminWebConfig | None:
        raw = env.get(TOKEN_ENV, "")
        if not raw:
            return None
        if len(raw) < MIN_TOKEN_CHARS:
            raise ConfigError(
                f"{TOKEN_ENV} is {len(raw)} characters long; use at least {MIN_TOKEN_CHARS} "
                '(make one: python -c "import secrets;print(secrets.token_urlsafe(32))")',
                source="environment",
            )
        ttl_raw = env.get(SESSION_TTL_ENV) or "28800"
        try:
            ttl = int(ttl_raw)
        except ValueError:
            ttl = -1
        if not 60 <= ttl <= 7 * 86_400:
            raise ConfigError(
                f"{SESSION_TTL_ENV}={ttl_raw!r}: set it to a number of seconds between 60 and 604800",
                source="environment",
            )
        proxy = (env.get(BEHIND_PROXY_ENV) or "").lower()
        if proxy not in {"", "0", "1", "false", "true", "no", "yes"}:
            raise ConfigError(f"{BEHIND_PROXY_ENV}={proxy!r}: set it to 1 or 0", source="environment")
        return cls(token=Secret(raw), session_ttl_s=ttl, behind_proxy=proxy in {"1", "true", "yes"})
