"""Streamed answers in Telegram.

Private chats: native drafts (`sendMessageDraft`, one draft id per answer, derived from the asking
event so every replica animates the same draft), coalesced to one frame per `interval`; a draft
is a 30-second preview, so the last frame is sent again while the model is slow; the answer ends
as ordinary messages with the full text (split), which replace the draft.

Groups and topics (drafts are private-only): one message posted, then edited in place through the
kit's edit stream (coalesced, overflow into follow-up messages, the final text guaranteed), paced
per chat and per group like every other message.

While the answer is being written it can be stopped: drafts carry Telegram's own stop button
(`can_stop`), an edited message an inline Stop button that the final text removes (`stopping`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections import OrderedDict
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from adapters.kit.buttons import SignedIds
from adapters.kit.editstream import EditStream
from adapters.telegram.outbound import Outbox, target_of
from adapters.telegram.sending import Target
from adapters.telegram.stopping import stop_markup
from adapters.telegram.text import to_html, to_plain
from core.errors import AdapterError
from core.events import ConversationRef, Reply, SentRef

log = logging.getLogger(__name__)

PLATFORM = "telegram"
DRAFT_PREFIX = "draft:"
MAX_STREAMS = 2_000


def draft_id_for(key: str) -> int:
    """A non-zero 31-bit id, the same on every replica for the same answer."""
    return (zlib.crc32(key.encode()) & 0x7FFFFFFF) or 1


@dataclass(slots=True)
class _Draft:
    target: Target
    draft_id: int
    allowed: set[str]
    can_stop: bool = False  # Telegram's own stop button on the draft
    latest: str = ""
    shown: str = ""
    last_frame: float = 0.0
    flusher: asyncio.Task[None] | None = field(default=None, repr=False)
    keepalive: asyncio.Task[None] | None = field(default=None, repr=False)


class Streams:
    def __init__(
        self, outbox: Outbox, buttons: SignedIds, *, interval: float, keepalive_s: float, drafts: bool
    ) -> None:
        self._outbox = outbox
        self._buttons = buttons  # signs the inline Stop buttons' callback data
        self._interval = interval
        self._keepalive_s = keepalive_s
        self._use_drafts = drafts
        self._drafts: OrderedDict[str, _Draft] = OrderedDict()
        self._edits: OrderedDict[str, EditStream] = OrderedDict()
        self._stoppable: OrderedDict[str, str] = OrderedDict()  # first message id -> stop token

    # -- the first frame -------------------------------------------------------------------------
    async def begin(self, reply: Reply) -> SentRef:
        """The first frame of a streamed answer: a draft in a private chat, a message elsewhere."""
        target = target_of(reply.conversation)
        if self._use_drafts and target.is_private and not target.business_connection_id:
            draft_id = draft_id_for(reply.in_reply_to or reply.conversation.key)
            ref = SentRef(PLATFORM, f"{DRAFT_PREFIX}{draft_id}", reply.conversation.channel_id)
            try:
                await self.update(ref, reply)
                return ref
            except AdapterError:
                self._drafts.pop(ref.message_id + ref.channel_id, None)
                log.info("drafts refused here: streaming by edits", extra={"platform": PLATFORM})
        ids = await self._outbox.post(reply, markup=stop_markup(reply.stop_token, self._buttons))
        if ids and reply.stop_token:
            self._stoppable[str(ids[0])] = reply.stop_token
            _trim(self._stoppable)
        return sent_ref(reply.conversation, ids)

    # -- later frames ------------------------------------------------------------------------------
    async def update(self, sent: SentRef, reply: Reply) -> None:
        """Show `reply.text` (coalesced: returns before it shows)."""
        if sent.message_id.startswith(DRAFT_PREFIX):
            draft = await self._draft(sent, reply)
            draft.latest = reply.text
            if not draft.shown:  # the first frame, awaited: it says whether drafts work here
                await self._draft_frame(draft, reply.text)
            elif draft.flusher is None or draft.flusher.done():
                draft.flusher = asyncio.get_running_loop().create_task(self._flush_draft(draft))
            return
        stream = await self._edit_stream(sent, reply.conversation)
        stream.update(reply.text)

    async def finish(self, sent: SentRef, reply: Reply) -> SentRef:
        """The final text, guaranteed: ordinary messages after a draft, the last edit otherwise."""
        if sent.message_id.startswith(DRAFT_PREFIX):
            draft = self._drafts.pop(sent.message_id + sent.channel_id, None)
            if draft is not None:
                await _stop(draft.keepalive)
                if draft.flusher is not None:
                    await asyncio.gather(draft.flusher, return_exceptions=True)
            ids = await self._outbox.post(reply)
            return sent_ref(reply.conversation, ids)
        stream = await self._edit_stream(sent, reply.conversation)
        if self._stoppable.pop(sent.message_id, None) is not None:
            stream.shown[0] = ""  # edit the first message once more: the Stop button goes with it
        stream.update(reply.text)
        await stream.settle()
        self._edits.pop(sent.message_id, None)
        return SentRef(PLATFORM, stream.ids[0], reply.conversation.channel_id, tuple(stream.ids[1:]))

    async def drain(self) -> None:
        for draft in list(self._drafts.values()):
            await _stop(draft.keepalive)
        pending: list[Awaitable[None]] = [s.settle() for s in self._edits.values() if s.busy]
        pending += [d.flusher for d in self._drafts.values() if d.flusher and not d.flusher.done()]
        await asyncio.gather(*pending, return_exceptions=True)

    # -- drafts ------------------------------------------------------------------------------------
    async def _draft(self, sent: SentRef, reply: Reply) -> _Draft:
        key = sent.message_id + sent.channel_id
        draft = self._drafts.get(key)
        if draft is None:
            allowed = await self._outbox.allowed(reply.conversation, "@")
            draft_id = int(sent.message_id.removeprefix(DRAFT_PREFIX))
            draft = _Draft(target_of(reply.conversation), draft_id, allowed, bool(reply.stop_token))
            self._drafts[key] = draft
            _trim(self._drafts)
        return draft

    async def _draft_frame(self, draft: _Draft, text: str) -> None:
        tail = self._outbox.chunks(text)[-1]  # a draft shows one message: the newest part
        html = to_html(tail, draft.allowed)
        await self._outbox.sender.draft(draft.target, draft.draft_id, html, can_stop=draft.can_stop)
        draft.shown, draft.last_frame = text, time.monotonic()
        await _stop(draft.keepalive)
        draft.keepalive = asyncio.get_running_loop().create_task(self._keep_alive(draft))

    async def _flush_draft(self, draft: _Draft) -> None:
        while True:
            wait = draft.last_frame + self._interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            text = draft.latest
            try:
                await self._draft_frame(draft, text)
            except Exception as exc:  # noqa: BLE001 — a lost frame is harmless; the final is not
                draft.last_frame = time.monotonic()
                log.warning("draft frame failed: %s", type(exc).__name__, extra={"platform": PLATFORM})
            if draft.latest == text:
                return

    async def _keep_alive(self, draft: _Draft) -> None:
        """Drafts vanish after 30 s: show the last frame again while the model is slow."""
        while True:
            await asyncio.sleep(self._keepalive_s)
            tail = self._outbox.chunks(draft.shown)[-1]
            html = to_html(tail, draft.allowed)
            try:
                await self._outbox.sender.draft(draft.target, draft.draft_id, html, can_stop=draft.can_stop)
            except Exception as exc:  # noqa: BLE001 — a missed keep-alive is cosmetic
                log.debug("draft keep-alive failed: %s", type(exc).__name__)

    # -- edits ---------------------------------------------------------------------------------------
    async def _edit_stream(self, sent: SentRef, conversation: ConversationRef) -> EditStream:
        stream = self._edits.get(sent.message_id)
        if stream is not None:
            return stream
        target = target_of(conversation)
        allowed = await self._outbox.allowed(conversation, "@")
        sender = self._outbox.sender

        async def post(chunk: str) -> str:
            message = await sender.message(target, to_html(chunk, allowed), to_plain(chunk, allowed))
            return str(message.message_id)

        async def edit(message_id: str, chunk: str) -> None:
            markup = stop_markup(
                self._stoppable.get(message_id), self._buttons
            )  # an edit without it drops it
            if not await sender.edit(
                target, int(message_id), to_html(chunk, allowed), to_plain(chunk, allowed), markup=markup
            ):
                raise AdapterError("the message to edit is gone")  # settle() posts the text anew

        ids = list(sent.message_ids)
        stream = EditStream(
            ids, [""] * len(ids), split=self._outbox.chunks, post=post, edit=edit, interval=self._interval
        )
        self._edits[sent.message_id] = stream
        _trim(self._edits)
        return stream


def sent_ref(conversation: ConversationRef, ids: list[int]) -> SentRef:
    if not ids:
        raise AdapterError("nothing was confirmed sent")
    return SentRef(PLATFORM, str(ids[0]), conversation.channel_id, tuple(str(i) for i in ids[1:]))


def _trim(streams: OrderedDict[str, Any], keep: int = MAX_STREAMS) -> None:
    while len(streams) > keep:
        streams.popitem(last=False)


async def _stop(task: asyncio.Task[None] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
