"""Replies in Discord: the first message references the asking one, long answers continue in
follow-up messages under 2,000 characters with code fences balanced, and streamed answers grow
in place (`adapters.kit.editstream`), with `allowed_mentions` on every post and every edit.
While a streamed answer is being written its first message carries a Stop button (custom id
`stop:<stop token>.<mac>`, signed by `convert.stop_ids`, opened by `convert`); the final edit
removes it."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import Any

from adapters.discord.rest import DiscordRest
from adapters.discord.state import DiscordState
from adapters.kit.buttons import SignedIds
from adapters.kit.chunks import split
from adapters.kit.editstream import EditStream
from core.events import ConversationRef, Reply

ACTION_ROW, BUTTON, DANGER = 1, 2, 4
ATTACHED = "The answer is long ({chars:,} characters), so it is attached as answer.md."


@dataclass(slots=True)
class _Answer:
    conversation: ConversationRef
    stream: EditStream


class Outbox:
    def __init__(
        self,
        rest: DiscordRest,
        state: DiscordState,
        buttons: SignedIds,
        *,
        max_chars: int,
        edit_interval: float,
        attach_over_chars: int = 0,
    ) -> None:
        self._rest = rest
        self._attach_over = attach_over_chars
        self._state = state
        self.buttons = buttons
        self._max_chars = max_chars
        self._edit_interval = edit_interval
        self._answers: OrderedDict[str, _Answer] = OrderedDict()  # first message id -> answer
        self._stoppable: set[str] = set()  # first message ids that show a Stop button
        self._clearing: set[str] = set()  # ... whose next edit removes it

    def chunks(self, text: str) -> list[str]:
        return split(text, self._max_chars)

    async def post(self, reply: Reply, asker: str | None) -> list[str]:
        """Post `reply` (several messages when long); returns their ids."""
        conversation = reply.conversation
        if self._attach_over and len(reply.text) > self._attach_over:
            return [await self._attach(reply, asker)]
        chunks = self.chunks(reply.text)
        button = stop_button(reply.stop_token, self.buttons)
        ids = [
            await self._rest.post(
                conversation.channel_id,
                chunk,
                asker=asker,
                reply_to=reply.quote_id if i == 0 else None,
                components=button if i == 0 else None,
            )
            for i, chunk in enumerate(chunks)
        ]
        if button is not None:
            self._stoppable.add(ids[0])
        if conversation.thread_id:
            await self._state.mark_thread(conversation.thread_id)
        self._answers[ids[0]] = _Answer(conversation, self._stream(conversation, asker, ids, chunks))
        self._trim()
        return ids

    async def _attach(self, reply: Reply, asker: str | None) -> str:
        """A very long answer as an `answer.md` file, under a line that says so."""
        conversation = reply.conversation
        note = ATTACHED.format(chars=len(reply.text))
        message_id = await self._rest.post_file(
            conversation.channel_id,
            note,
            "answer.md",
            reply.text.encode(),
            asker=asker,
            reply_to=reply.quote_id,
        )
        if conversation.thread_id:
            await self._state.mark_thread(conversation.thread_id)
        return message_id

    def _stream(
        self, conversation: ConversationRef, asker: str | None, ids: list[str], shown: list[str]
    ) -> EditStream:
        channel = conversation.channel_id

        async def edit(message_id: str, chunk: str) -> None:
            # an edit without components keeps the Stop button; the final one sends [] (gone)
            clear = message_id in self._clearing
            await self._rest.edit(channel, message_id, chunk, asker=asker, components=[] if clear else None)
            self._clearing.discard(message_id)

        return EditStream(
            ids,
            shown,
            split=self.chunks,
            post=partial(self._rest.post, channel, asker=asker),
            edit=edit,
            interval=self._edit_interval,
        )

    def edit(self, message_ids: list[str], reply: Reply, asker: str | None) -> list[str]:
        """Show `reply.text` in the messages `message_ids` (posted by this replica or another),
        and follow-ups when it outgrows them. Returns at once, with the ids known so far; updates
        are coalesced to one per `edit_interval`."""
        answer = self._answers.get(message_ids[0])
        if answer is None:
            stream = self._stream(reply.conversation, asker, list(message_ids), [""] * len(message_ids))
            answer = self._answers[message_ids[0]] = _Answer(reply.conversation, stream)
        if not reply.stop_token and message_ids[0] in self._stoppable:  # the answer is over
            self._stoppable.discard(message_ids[0])
            self._clearing.add(message_ids[0])
            answer.stream.shown[0] = ""  # edited once more, taking the Stop button with it
        answer.stream.update(reply.text)
        return list(answer.stream.ids)  # the ids known so far (a coalesced edit may add more)

    async def finish(self, conversation: ConversationRef) -> None:
        """The turn in `conversation` is over: its streamed answers show their final text."""
        for answer in [a for a in self._answers.values() if a.conversation.key == conversation.key]:
            await answer.stream.settle()

    async def drain(self) -> None:
        await asyncio.gather(*(a.stream.settle() for a in self._answers.values()), return_exceptions=True)

    def _trim(self, keep: int = 2_000) -> None:
        while len(self._answers) > keep:
            oldest = next(iter(self._answers))
            if self._answers[oldest].stream.busy:
                break
            del self._answers[oldest]
            self._stoppable.discard(oldest)
            self._clearing.discard(oldest)


def stop_button(token: str | None, buttons: SignedIds) -> list[dict[str, Any]] | None:
    """The Stop button (a message component) under an answer still being written; its custom id
    is signed (None: no token, or one that does not fit)."""
    custom_id = buttons.sign(token)
    if custom_id is None:
        return None
    button = {"type": BUTTON, "style": DANGER, "label": "Stop", "custom_id": custom_id}
    return [{"type": ACTION_ROW, "components": [button]}]
