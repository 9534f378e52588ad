"""The one way out: every answer — a direct reply, a cached answer, a model answer — leaves here.

    restore (by destination policy) → end the turn's working sign → send, or finish the
    streamed message by a final edit → remember what was delivered

Texts arrive masked (as the core holds them) and are restored only here, just before the
adapter sees them. A failed send raises `SendFailed`: it is never a delivered answer. A turn
the hub runs retries it inline (`deliver(..., retry=...)`); a model answer stays pending and the
sweeper retries it (`core.model.delivery`). When every attempt failed, the person gets the
catalogue apology where the platform still takes it, and `switchboard_replies_undelivered_total`
counts it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core import messages
from core.adapter import Adapter, SupportsEdit, SupportsTicketUpdate, SupportsWorking
from core.botdef import BotDefinition
from core.errors import MaskingError, SendFailed
from core.events import ConversationRef, Reply, SentRef
from core.metrics import Metrics
from core.stages.memory import ConversationMemory
from core.stages.pii import Masker

log = logging.getLogger(__name__)

Entry = tuple[str, str]  # (role, masked text) for conversation memory


@dataclass(frozen=True, slots=True)
class Retry:
    """How often one answer is tried before the person gets the apology: `attempts` sends,
    `backoff_s`, then twice that, ... between them (at most `max_backoff_s`). An answer held in
    Redis (a model answer, tried again by the sweeper) is also tried until `deadline_s` after its
    first failed send: a platform outage of minutes delays it, and does not lose it."""

    attempts: int = 3
    backoff_s: float = 0.5
    deadline_s: float = 0.0
    max_backoff_s: float = 30.0

    def delay(self, failures: int) -> float:
        """The pause after the `failures`-th failed attempt."""
        return min(self.max_backoff_s, self.backoff_s * 2 ** max(0, failures - 1))

    def again(self, failures: int, failing_for_s: float) -> bool:
        """Whether a held answer that failed `failures` times, the first `failing_for_s` ago,
        is tried once more."""
        return failures < self.attempts or failing_for_s < self.deadline_s


DEFAULT_RETRY = Retry()
NO_RETRY = Retry(attempts=1, backoff_s=0.0)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One answer on its way out, as the core holds it (masked text)."""

    reply: Reply
    pii: Any = None  # the turn's PII state; None: nothing to restore
    remember: tuple[Entry, ...] = ()  # the turn's own entries (the asker's message), written with it
    sent: SentRef | None = None  # a streamed answer's message(s): finished by a final edit
    ends_turn: bool = True  # the answer for the asking message: its working sign comes off
    partial: bool = False  # streamed text so far: an unfinished trailing placeholder waits
    kept: str | None = None  # the answer as memory keeps it, when not the reply's text


@dataclass(slots=True)
class Delivered:
    reply: Reply  # as the person sees it (restored)
    sent: SentRef | None = None
    failures: int = 0
    entries: list[Entry] = field(default_factory=list)


class Outbound:
    def __init__(
        self,
        bot: BotDefinition,
        adapters: Mapping[str, Adapter],
        metrics: Metrics,
        *,
        memory: ConversationMemory | None = None,
        masker: Masker | None = None,
        retry: Retry = DEFAULT_RETRY,
    ) -> None:
        self.bot = bot
        self.adapters = adapters  # the hub's own mapping: adapters added later are seen
        self.metrics = metrics
        self.memory = memory
        self.masker = masker
        self.retry = retry

    # -- what a platform can do ----------------------------------------------------------------
    def editor(self, platform: str) -> SupportsEdit | None:
        adapter = self.adapters.get(platform)
        return adapter if isinstance(adapter, SupportsEdit) else None

    def stream_interval(self, platform: str) -> float | None:
        """The adapter's one pacing decision for a streamed answer (seconds between frames), or
        None when the platform cannot edit (no streaming there)."""
        editor = self.editor(platform)
        if editor is None:
            return None
        return float(getattr(editor, "edit_interval", 0.0) or 0.0)

    # -- the steps -----------------------------------------------------------------------------
    async def restore(self, out: Outgoing) -> Reply:
        if self.masker is None or out.pii is None:
            return out.reply
        try:
            if out.partial:
                return await self.masker.restore_partial(out.pii, out.reply)
            return await self.masker.restore(out.pii, out.reply)
        except MaskingError:
            log.error("PII restore failed; sending masked text", extra={"event_id": out.reply.in_reply_to})
            return out.reply

    async def send(self, reply: Reply) -> SentRef | None:
        """One attempt; raises SendFailed (the adapter's error is logged by type, never its text)."""
        platform = reply.conversation.platform
        adapter = self.adapters.get(platform)
        if adapter is None:
            log.error("no adapter for reply", extra={"platform": platform})
            self.metrics.replies_sent.labels(platform, "no_adapter").inc()
            raise SendFailed(f"no adapter {platform!r}")
        if not reply.text.strip() and not reply.attachments and not isinstance(adapter, SupportsTicketUpdate):
            return None  # a ticket update alone: nothing to show on this platform
        try:
            sent = await adapter.send(reply)
        except Exception as exc:  # noqa: BLE001 — any adapter failure is a failed send
            log.warning("send failed: %s", type(exc).__name__, extra={"platform": platform})
            self.metrics.replies_sent.labels(platform, "error").inc()
            raise SendFailed(f"{platform}: {type(exc).__name__}") from exc
        self.metrics.replies_sent.labels(platform, "ok").inc()
        return sent

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool) -> SentRef | None:
        """Show `reply` in the message(s) `sent`; a final edit that fails is sent anew."""
        editor = self.editor(reply.conversation.platform)
        if editor is None:
            return await self.send(reply) if final else sent
        try:
            return await editor.edit(sent, reply, final=final) or sent
        except Exception as exc:  # noqa: BLE001
            if not final:
                raise SendFailed(f"edit: {type(exc).__name__}") from exc
            log.warning("final edit failed (%s); sending anew", type(exc).__name__)
        return await self.send(reply)

    async def remember(self, conversation: ConversationRef, *entries: Entry) -> None:
        if self.memory is not None and entries:
            await self.memory.remember(self.bot, conversation, *entries)

    async def working_off(self, conversation: ConversationRef, message_id: str | None) -> None:
        adapter = self.adapters.get(conversation.platform)
        if not isinstance(adapter, SupportsWorking):
            return
        try:
            await adapter.working(conversation, message_id, False)
        except Exception as exc:  # noqa: BLE001 — a sign left on must not fail the answer
            log.warning(
                "working sign not removed: %s", type(exc).__name__, extra={"platform": conversation.platform}
            )

    # -- the way out -------------------------------------------------------------------------------
    async def deliver(self, out: Outgoing, *, retry: Retry = NO_RETRY) -> Delivered:
        """restore → sign off → send or final edit (up to `retry.attempts` tries) → remember.

        Raises SendFailed when every attempt failed (nothing is remembered then); the caller
        decides whether to try later or to give up (`give_up`)."""
        reply = await self.restore(out)
        if out.ends_turn:  # the sign goes as the answer comes (a web chat shows them in order)
            await self.working_off(out.reply.conversation, out.reply.quote_id)
        failures = 0
        while True:
            try:
                sent = await (self.edit(out.sent, reply, final=True) if out.sent else self.send(reply))
                break
            except SendFailed:
                failures += 1
                if failures >= retry.attempts:
                    raise
                await asyncio.sleep(retry.delay(failures))
        entries = list(out.remember)
        kept = out.reply.text if out.kept is None else out.kept
        if kept and not (out.reply.notice or out.reply.interim or out.partial):
            entries.append(("assistant", kept))
        await self.remember(out.reply.conversation, *entries)
        return Delivered(reply, sent, failures, entries)

    async def give_up(self, out: Outgoing, failures: int) -> Reply | None:
        """Every attempt failed: count it, and apologise where the platform still takes it."""
        reply = out.reply
        platform = reply.conversation.platform
        self.metrics.replies_undelivered.labels(platform).inc()
        log.error(
            "answer not delivered after %d attempts",
            failures,
            extra={"event_id": reply.in_reply_to, "platform": platform},
        )
        apology = None
        if not (reply.notice and reply.text == messages.UNDELIVERED):
            apology = replace(reply, text=messages.UNDELIVERED, notice=True, interim=False)
            try:
                await self.send(apology)
            except SendFailed:
                log.error("apology not delivered either", extra={"event_id": reply.in_reply_to})
                apology = None
        await self.remember(reply.conversation, *out.remember)
        return apology

    async def send_quietly(self, reply: Reply) -> SentRef | None:
        """One attempt at a reply nothing depends on (a queue position); failures are logged."""
        try:
            return await self.send(reply)
        except SendFailed:
            return None
