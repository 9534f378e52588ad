"""Helpdesk adapters: one family on the kit, one preset per vendor (docs/helpdesks.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from adapters.helpdesk.adapter import HelpdeskAdapter
from adapters.helpdesk.config import HelpdeskConfig
from adapters.helpdesk.parked import Clock, KeySource
from adapters.helpdesk.vendor import Vendor
from adapters.helpdesk.vendors.chatwoot import Chatwoot
from adapters.helpdesk.vendors.freshdesk import Freshdesk
from adapters.helpdesk.vendors.generic import GenericHook
from adapters.helpdesk.vendors.intercom import Intercom
from adapters.helpdesk.vendors.jsm import Jsm
from adapters.helpdesk.vendors.zammad import Zammad
from adapters.helpdesk.vendors.zendesk import Zendesk
from adapters.kit.http import SharedSession, Sleep
from core.errors import ConfigError

VENDORS: dict[str, type[Vendor]] = {
    cls.name: cls for cls in (Zendesk, Freshdesk, Jsm, Intercom, Chatwoot, Zammad)
}

__all__ = [
    "VENDORS",
    "HelpdeskAdapter",
    "HelpdeskConfig",
    "build",
    "build_hooks",
    "configured",
    "hook_problems",
]


def config_for(
    name: str,
    env: Mapping[str, str],
    options: Mapping[str, Any] | None = None,
    *,
    source: str = "bot definition",
) -> HelpdeskConfig:
    cls = VENDORS[name]
    return HelpdeskConfig.from_env(name, env, cls.env, options, default_url=cls.default_url, source=source)


def configured(name: str, config: HelpdeskConfig) -> bool:
    """Enabled by the environment: its webhook secret (and URL) are present."""
    return not config.missing(VENDORS[name].required, VENDORS[name].env)


def build(
    name: str,
    config: HelpdeskConfig,
    redis: Redis,
    session: SharedSession,
    *,
    key_prefix: str = "sb",
    sleep: Sleep | None = None,
    vault_key: KeySource | None = None,
    clock: Clock | None = None,
    sweep_every_s: float | None = 5.0,
) -> HelpdeskAdapter:
    """`vault_key`: where long rate limits park answers sealed (none: such an answer fails)."""
    cls = VENDORS[name]
    problems = config.problems(cls.required, cls.env)
    if problems:
        raise ConfigError(problems, source=f"environment ({cls.label})")
    return HelpdeskAdapter(
        cls(config, session, sleep=sleep),
        redis,
        key_prefix=key_prefix,
        vault_key=vault_key,
        clock=clock,
        sweep_every_s=sweep_every_s,
    )


def build_hooks(
    hooks: Mapping[str, Any],
    env: Mapping[str, str],
    redis: Redis,
    session: SharedSession,
    *,
    key_prefix: str = "sb",
    source: str = "bot definition",
    sleep: Sleep | None = None,
) -> list[HelpdeskAdapter]:
    """One adapter per `[adapters.hooks.<name>]` table: `POST /hooks/<name>`, Standard Webhooks
    (or HMAC) with the secret in `secret_env` (default `SWITCHBOARD_HOOK_<NAME>_SECRET`)."""
    return [
        HelpdeskAdapter(
            hook_vendor(name, table, env, session, source=source, sleep=sleep), redis, key_prefix=key_prefix
        )
        for name, table in hooks.items()
    ]


def hook_vendor(
    name: str,
    table: Any,
    env: Mapping[str, str],
    session: SharedSession,
    *,
    source: str = "bot definition",
    sleep: Sleep | None = None,
) -> GenericHook:
    """One `[adapters.hooks.<name>]` table, checked (ConfigError naming the key) and built."""
    if not isinstance(table, Mapping) or name in VENDORS or name == "enabled":
        raise ConfigError(
            f"key 'adapters.hooks.{name}': a hook is a table with secret_env, callback_url and fields",
            source=source,
        )
    options = dict(table)
    var = str(options.get("secret_env") or f"SWITCHBOARD_HOOK_{name.upper().replace('-', '_')}_SECRET")
    config = HelpdeskConfig.from_env(name, env, {"webhook_secret": var}, options, source=source)
    if not config.secret("webhook_secret"):
        raise ConfigError(f"key 'adapters.hooks.{name}': set {var} in the environment", source=source)
    try:
        vendor = GenericHook(name, config, session, sleep=sleep)
        vendor.verifier()
    except ValueError as exc:
        raise ConfigError(f"key 'adapters.hooks.{name}': {exc}", source=source) from None
    return vendor


def hook_problems(hooks: Mapping[str, Any], env: Mapping[str, str], *, source: str) -> list[str]:
    """`switchboard check`: each generic hook's table and secret (the vendors are checked by the
    adapter registry, `adapters.helpdesk.entries`)."""
    found: list[str] = []
    tables = dict(hooks)
    if tables.pop("enabled", True) is False:
        return found
    for name, table in tables.items():
        try:
            hook_vendor(name, table, env, SharedSession(), source=source)  # checked, never started
        except ConfigError as exc:
            found.extend(f"{exc.source}: {p}" for p in exc.problems)
    return found
