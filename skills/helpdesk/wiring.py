"""How a hub lends the helpdesk skills their store, and what they add to `/status`.
Called by the composition root when a bot lists `skills.helpdesk.skill`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis

from core.metrics import Metrics
from core.services import Services
from skills.helpdesk.config import settings_of
from skills.helpdesk.store import HELPDESK_STORE, HelpdeskStore

MODULE = "skills.helpdesk.skill"


def wanted(bot: Any) -> bool:
    return MODULE in bot.skills


def attach(
    bot: Any,
    services: Services,
    redis: Redis,
    metrics: Metrics,
    *,
    prefix: str,
    adapters: Iterable[Any] = (),
    source: str = "bot definition",
) -> HelpdeskStore:
    """Validate `[helpdesk]` (a bad key stops the hub at start, naming it), provide the store, and
    ask the helpdesk adapters for agents' replies and notes (draft outcomes, `/switchboard`)."""
    settings_of(bot, source=source)
    for adapter in adapters:
        if hasattr(adapter, "watch_agents"):
            adapter.watch_agents = True
    store = HelpdeskStore(redis, metrics, prefix=prefix, bot=bot.name)
    services.provide(HELPDESK_STORE, store)
    return store
