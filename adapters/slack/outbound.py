"""Replies in Slack: in the asker's thread, split at sentence boundaries (`adapters.kit.chunks`),
and streamed answers edited in place (`adapters.kit.editstream`: coalesced edits, overflow into
follow-up messages). The final text always reaches the person: when the last edit of a stream
fails for good, `finish` posts the whole answer anew in the same thread, once."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial

from slack_sdk.errors import SlackApiError

from adapters.kit.editstream import EditStream
from adapters.slack.posting import Poster
from adapters.slack.state import SlackState
from adapters.slack.text import render, split
from adapters.slack.workspaces import Workspaces
from core.errors import AdapterError
from core.events import ConversationRef, Reply

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Answer:
    conversation: ConversationRef
    stream: EditStream


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
        self._answers: OrderedDict[str, _Answer] = OrderedDict()  # first message ts -> answer

    def _split(self, rendered: str) -> list[str]:
        return split(rendered, self._max_chars)

    async def _render(self, reply: Reply) -> str:
        allowed: set[str] = set()
        if "<@" in reply.text:
            allowed = await self._state.allowed_mentions(reply.conversation)
        return render(reply.text, allowed)

    async def post(self, reply: Reply) -> list[str]:
        """Post `reply` (as several messages when long); returns their timestamps."""
        conversation = reply.conversation
        chunks = self._split(await self._render(reply))
        stamps = [await self._poster.post(conversation, chunk) for chunk in chunks]
        # a message the bot starts in a channel starts a thread it follows (a bridge's ticket)
        thread = conversation.thread_id or (None if conversation.channel_id.startswith("D") else stamps[0])
        if thread:  # keyed by team as events carry it: a post addressed without one is the default's
            team = conversation.workspace_id or self._workspaces.default_team
            await self._state.mark_thread(team, conversation.channel_id, thread)
        self._answers[stamps[0]] = _Answer(conversation, self._stream(conversation, list(stamps), chunks))
        self._trim()
        return stamps

    async def post_ephemeral(self, reply: Reply, user: str) -> str:
        conversation = reply.conversation
        client = await self._workspaces.client(conversation.workspace_id)
        text = "\n\n".join(self._split(await self._render(reply)))[:40_000]
        try:
            response = await client.chat_postEphemeral(
                channel=conversation.channel_id, user=user, text=text, thread_ts=conversation.thread_id
            )
        except SlackApiError as exc:
            raise AdapterError(f"chat.postEphemeral failed: {exc.response.get('error', 'error')}") from None
        return str(response.get("message_ts") or "")

    # -- streaming ---------------------------------------------------------------------------
    def _stream(self, conversation: ConversationRef, stamps: list[str], shown: list[str]) -> EditStream:
        async def edit(ts: str, chunk: str) -> None:
            client = await self._workspaces.client(conversation.workspace_id)
            await client.chat_update(channel=conversation.channel_id, ts=ts, text=chunk)

        return EditStream(
            stamps,
            shown,
            split=self._split,
            post=partial(self._poster.post, conversation),
            edit=edit,
            interval=self._edit_interval,
        )

    async def edit(self, stamps: tuple[str, ...], reply: Reply) -> list[str]:
        """Show `reply.text` in the messages `stamps` (and follow-ups when it outgrows them).
        Returns once queued, with the timestamps known so far; updates are coalesced to one per
        `edit_interval` per message. A stream another replica began continues in its messages."""
        answer = self._answers.get(stamps[0])
        if answer is None:
            stream = self._stream(reply.conversation, list(stamps), [""] * len(stamps))
            answer = self._answers[stamps[0]] = _Answer(reply.conversation, stream)
        answer.stream.update(await self._render(reply))
        return list(answer.stream.ids)

    async def finish(self, message_ts: str) -> list[str]:
        """The stream that starts at `message_ts` has its final text: wait for its pending edits
        and, when its last edit failed for good, post the full text anew (later edits go there).
        Returns the timestamps of the messages that now hold the answer."""
        answer = self._answers.get(message_ts)
        if answer is None:
            return [message_ts]
        await answer.stream.settle()
        return list(answer.stream.ids)

    async def drain(self) -> None:
        """Wait for pending streaming edits (at shutdown)."""
        await asyncio.gather(*(a.stream.settle() for a in self._answers.values()), return_exceptions=True)

    def _trim(self, keep: int = 2_000) -> None:
        while len(self._answers) > keep:
            oldest = next(iter(self._answers))
            if self._answers[oldest].stream.busy:
                break
            del self._answers[oldest]
