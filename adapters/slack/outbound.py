"""Replies in Slack: in the asker's thread, split at sentence boundaries, and streamed answers
edited in place (throttled). The final text always reaches the person: when the last edit of a
stream fails for good, `finish` posts the whole answer anew in the same thread, once."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError

from adapters.slack.posting import Poster
from adapters.slack.state import SlackState
from adapters.slack.text import render, split
from adapters.slack.workspaces import Workspaces
from core.errors import AdapterError
from core.events import ConversationRef, Reply

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Stream:
    """One streamed answer: the messages it spans and what each shows now."""

    conversation: ConversationRef
    stamps: list[str]
    shown: list[str]
    latest: str = ""
    last_update: float = 0.0
    failed: bool = False  # the last update of `latest` failed for good (after retries)
    flusher: asyncio.Task[None] | None = field(default=None, repr=False)


class Outbox:
    def __init__(
        self,
        workspaces: Workspaces,
        state: SlackState,
        *,
        max_chars: int,
        post_interval: float,
        edit_interval: float,
    ) -> None:
        self._workspaces = workspaces
        self._state = state
        self._max_chars = max_chars
        self._poster = Poster(workspaces, post_interval=post_interval)
        self._edit_interval = edit_interval
        self._streams: dict[str, _Stream] = {}

    async def _chunks(self, reply: Reply) -> list[str]:
        allowed: set[str] = set()
        if "<@" in reply.text:
            allowed = await self._state.allowed_mentions(reply.conversation)
        return split(render(reply.text, allowed), self._max_chars)

    async def post(self, reply: Reply) -> list[str]:
        """Post `reply` (as several messages when long); returns their timestamps."""
        conversation = reply.conversation
        stamps = []
        chunks = await self._chunks(reply)
        for chunk in chunks:
            stamps.append(await self._poster.post(conversation, chunk))
        if conversation.thread_id:
            await self._state.mark_thread(
                conversation.workspace_id, conversation.channel_id, conversation.thread_id
            )
        self._streams[stamps[0]] = _Stream(conversation, stamps, chunks, latest=reply.text)
        self._trim()
        return stamps

    async def post_ephemeral(self, reply: Reply, user: str) -> str:
        conversation = reply.conversation
        client = await self._workspaces.client(conversation.workspace_id)
        text = "\n\n".join(await self._chunks(reply))[:40_000]
        try:
            response = await client.chat_postEphemeral(
                channel=conversation.channel_id, user=user, text=text, thread_ts=conversation.thread_id
            )
        except SlackApiError as exc:
            raise AdapterError(f"chat.postEphemeral failed: {exc.response.get('error', 'error')}") from None
        return str(response.get("message_ts") or "")

    # -- streaming ---------------------------------------------------------------------------
    def edit(self, message_ts: str, reply: Reply) -> None:
        """Show `reply.text` in the message `message_ts` (and follow-ups when it outgrows one).
        Returns at once; updates are coalesced to one per `edit_interval` per message."""
        stream = self._streams.get(message_ts)
        if stream is None:
            stream = _Stream(reply.conversation, [message_ts], [""])
            self._streams[message_ts] = stream
        stream.latest = reply.text
        if stream.flusher is None or stream.flusher.done():
            stream.flusher = asyncio.get_running_loop().create_task(self._flush(stream))

    async def _flush(self, stream: _Stream) -> None:
        while True:
            wait = stream.last_update + self._edit_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            text = stream.latest
            try:
                await self._apply(stream, text)
                stream.failed = False
            except Exception as exc:  # noqa: BLE001 — a failed edit must not kill the stream
                stream.failed = True
                log.warning("streaming edit failed: %s", type(exc).__name__, extra={"platform": "slack"})
            stream.last_update = time.monotonic()
            if stream.latest == text:
                return

    async def _apply(self, stream: _Stream, text: str) -> None:
        chunks = await self._chunks(Reply(text=text, conversation=stream.conversation))
        client = await self._workspaces.client(stream.conversation.workspace_id)
        for index, chunk in enumerate(chunks):
            if index < len(stream.stamps):
                if stream.shown[index] != chunk:
                    await client.chat_update(
                        channel=stream.conversation.channel_id, ts=stream.stamps[index], text=chunk
                    )
                    stream.shown[index] = chunk
            else:
                stream.stamps.append(await self._poster.post(stream.conversation, chunk))
                stream.shown.append(chunk)

    async def finish(self, message_ts: str) -> list[str]:
        """The stream that starts at `message_ts` has its final text: wait for its pending edits
        and, when its last edit failed for good, post the full text anew (later edits go there).
        Returns the timestamps of the messages that now hold the answer."""
        stream = self._streams.get(message_ts)
        if stream is None:
            return [message_ts]
        if stream.flusher is not None and not stream.flusher.done():
            await asyncio.gather(stream.flusher, return_exceptions=True)
        if stream.failed:
            stream.failed = False
            chunks = await self._chunks(Reply(text=stream.latest, conversation=stream.conversation))
            # Messages before the first one that is wrong read fine; from there on, post anew in order.
            first_wrong = next(
                (i for i, shown in enumerate(stream.shown[: len(chunks)]) if shown != chunks[i]), None
            )
            start = min(len(stream.shown), len(chunks)) if first_wrong is None else first_wrong
            stamps = [await self._poster.post(stream.conversation, chunk) for chunk in chunks[start:]]
            stream.stamps, stream.shown = (
                stream.stamps[:start] + stamps,
                stream.shown[:start] + chunks[start:],
            )
            log.warning("final streaming edit failed; answer posted anew", extra={"platform": "slack"})
        return list(stream.stamps)

    async def drain(self) -> None:
        """Wait for pending streaming edits (at shutdown)."""
        pending = [s.flusher for s in self._streams.values() if s.flusher and not s.flusher.done()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def _trim(self, keep: int = 2_000) -> None:
        while len(self._streams) > keep:
            oldest = next(iter(self._streams))
            stream = self._streams[oldest]
            if stream.flusher and not stream.flusher.done():
                break
            del self._streams[oldest]
