"""`PiiMasker`: the presidio-backed `Masker` the PII stage calls.

mask: analyse → one placeholder per distinct value (vault, per conversation) → masked text, and
a JSON state {"scope", "restore"} that any replica can use later. restore: expand only the
placeholders of that scope whose type the destination may see."""

from __future__ import annotations

from typing import Any

from core.events import Reply
from core.pii.policy import destination_of, restore_text
from core.pii.service import AnalyzerService
from core.pii.spans import PARTIAL_PLACEHOLDER, placeholders_in, replace
from core.pii.vault import PlaceholderStore
from core.pipeline import Turn
from core.stages.pii import Masked


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
            "restore": sorted(config.restorable(destination_of(turn.event))),
        }
        return Masked(replace(text, spans, placeholders), state, tuple(s.type for s in spans))

    async def restore(self, state: Any, reply: Reply) -> Reply:
        if not state:
            return reply
        return reply.with_text(await self._restore(state, reply.text))

    async def restore_partial(self, state: Any, reply: Reply) -> Reply:
        """For streamed text: a trailing fragment that may still become a placeholder waits."""
        text = reply.text
        held = PARTIAL_PLACEHOLDER.search(text)
        if held is not None:
            text = text[: held.start()]
        if not state:
            return reply.with_text(text)
        return reply.with_text(await self._restore(state, text))

    async def _restore(self, state: dict[str, Any], text: str) -> str:
        found = placeholders_in(text)
        if not found:
            return text
        values = await self.store.lookup(state["scope"], found)
        return restore_text(text, values, frozenset(state.get("restore", ())))
