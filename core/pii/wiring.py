"""What the composition root needs for a bot with `[pii] enabled = true`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from core.admin import AdminCommand
from core.botdef import BotDefinition
from core.metrics import Metrics
from core.pii import vaultkey
from core.pii.admin import reveal_command
from core.pii.masker import PiiMasker
from core.pii.service import AnalyzerService
from core.pii.vault import RedisVault
from core.stages.pii import Masker

ReadyCheck = Callable[[], Awaitable[tuple[bool, Any]]]


@dataclass(slots=True)
class PiiParts:
    masker: Masker | None = None
    ready_checks: dict[str, ReadyCheck] = field(default_factory=dict)
    commands: list[AdminCommand] = field(default_factory=list)


def pii_parts(
    bot: BotDefinition,
    redis: Redis,
    *,
    key_prefix: str,
    env: Mapping[str, str],
    masker: Masker | None = None,
    metrics: Metrics | None = None,
) -> PiiParts:
    """A masker for `bot` (unless one is given), its readiness check and admin command.
    The analyzer starts loading now, on its own thread."""
    if masker is None and bot.pii.enabled:
        vault = RedisVault(
            redis, vaultkey.load(env), prefix=key_prefix, ttl_seconds=bot.pii.vault_ttl_seconds
        )
        masker = PiiMasker(AnalyzerService(bot.pii.spacy_model), vault)
    parts = PiiParts(masker=masker)
    if isinstance(masker, PiiMasker):
        parts.ready_checks["pii"] = masker.analyzer.ready
        parts.commands.append(reveal_command(masker.store, metrics))
    return parts
