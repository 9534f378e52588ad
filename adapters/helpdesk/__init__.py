"""Helpdesk adapters: one family on the kit, one preset per vendor (docs/helpdesks.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from adapters.helpdesk.adapter import HelpdeskAdapter
from adapters.helpdesk.config import HelpdeskConfig
from adapters.helpdesk.vendor import Vendor
from adapters.helpdesk.vendors.chatwoot import Chatwoot
from adapters.helpdesk.vendors.freshdesk import Freshdesk
from adapters.helpdesk.vendors.intercom import Intercom
from adapters.helpdesk.vendors.jsm import Jsm
from adapters.helpdesk.vendors.zammad import Zammad
from adapters.helpdesk.vendors.zendesk import Zendesk
from adapters.kit.http import SharedSession, Sleep
from core.errors import ConfigError

VENDORS: dict[str, type[Vendor]] = {
    cls.name: cls for cls in (Zendesk, Freshdesk, Jsm, Intercom, Chatwoot, Zammad)
}

__all__ = ["VENDORS", "HelpdeskAdapter", "HelpdeskConfig", "build", "configured"]


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
) -> HelpdeskAdapter:
    cls = VENDORS[name]
    problems = config.problems(cls.required, cls.env)
    if problems:
        raise ConfigError(problems, source=f"environment ({cls.label})")
    return HelpdeskAdapter(cls(config, session, sleep=sleep), redis, key_prefix=key_prefix)
