"""`PiiMasker`: the presidio-backed `Masker` the PII stage calls.

mask: analyse → one placeholder per distinct value (vault, per conversation) → masked text, and
a JSON state {"scope", "restore": {destination: types}} that any replica can use later. restore:
expand only the placeholders of that scope whose type the reply's destination may see (decided
from the reply when restoring: `core.pii.policy.destination_of`); every other placeholder (and any
generic one a model invents) is shown as a readable redaction (`core.pii.redaction`)."""

from __future__ import annotations

import logging
from typing import Any

from core.events import Reply
from core.pii import redaction
from core.pii.config import DESTINATIONS
from core.pii.policy import destination_of
from core.pii.service import AnalyzerService
from core.pii.spans import placeholders_in, replace
from core.pii.vault import PlaceholderStore
from core.pipeline import Turn
from core.stages.pii import Masked

log = logging.getLogger(__name__)


def scope_of(bot_name: str, conversation_key: str) -> str:
    return f"{bot_name}:pii:{conversation_key}"


class PiiMasker:
    def __init__(self, analyzer: AnalyzerService, store: PlaceholderStore) -> None:
        self.analyzer = analyzer
        self.store = store

    async def mask(self, turn: Turn) -> Masked:
        config = turn.bot.pii
        text = turn.event.text
        scope = scope_of(turn.bot.name, turn.event.conversation.key)
        spans = await self.analyzer.analyze(text, config)
        placeholders = await self.store.assign(scope, [(s.type, text[s.start : s.end]) for s in spans])
        state = {
            "scope": scope,
            "restore": {kind: sorted(config.restorable(kind)) for kind in DESTINATIONS},
        }
        return Masked(replace(text, spans, placeholders), state, tuple(s.type for s in spans))

    async def restore(self, state: Any, reply: Reply) -> Reply:
        return reply.with_text(await self._restore(state, reply.text, reply))

    async def restore_partial(self, state: Any, reply: Reply) -> Reply:
        """For streamed text: a trailing fragment that may still become a placeholder waits."""
        return reply.with_text(await self._restore(state, redaction.hold_back(reply.text), reply))

    async def _restore(self, state: Any, text: str, reply: Reply) -> str:
        """Never raises: when the vault cannot be read, every placeholder is withheld."""
        found = placeholders_in(text)
        values: dict[str, str] = {}
        if found and state:
            try:
                values = await self.store.lookup(state["scope"], found)
            except Exception as exc:  # noqa: BLE001 — withhold rather than show raw tokens
                log.error("PII vault lookup failed (%s); placeholders withheld", type(exc).__name__)
        allowed = allowed_for(state, reply)
        return redaction.render(text, values, allowed)


def allowed_for(state: Any, reply: Reply) -> frozenset[str]:
    """Entity types `reply` may show restored: by its destination (a flat list from a turn
    queued by an older hub applies to every destination)."""
    restore = state.get("restore", ()) if state else ()
    if isinstance(restore, dict):
        return frozenset(restore.get(destination_of(reply), ()))
    return frozenset(restore)
