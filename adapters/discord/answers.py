"""Replies to an interaction, after Discord was answered.

An interaction has one "original" message: the inline answer (type 4) or the deferred
"thinking…" placeholder (type 5) that the first reply replaces. Replies that come before the ack
are collected and become the inline answer; a streamed reply keeps editing the original (through
the interaction webhook, `allowed_mentions` on every edit), and what outgrows 2,000 characters
continues in follow-ups. Later replies are follow-ups of their own. The token lives 15 minutes;
after that `take` declines and the reply becomes a plain channel message. While a streamed
answer is being written the original carries the Stop button; the final edit removes it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from adapters.discord.convert import Interaction
from adapters.discord.outbound import stop_button
from adapters.discord.rest import DiscordRest
from adapters.kit.buttons import SignedIds
from adapters.kit.editstream import EditStream
from core.events import ConversationRef, Reply

TOKEN_TTL_S = 15 * 60 - 30  # Discord accepts follow-ups for 15 minutes; keep a margin
ORIGINAL = "@original"
REF_PREFIX = "interaction:"


@dataclass(slots=True)
class Pending:
    interaction: Interaction = field(repr=False)
    created: float = field(default_factory=time.monotonic)
    acked: bool = False
    parts: list[str] = field(default_factory=list, repr=False)  # what the original shows, in order
    original: EditStream | None = None
    followups: list[EditStream] = field(default_factory=list)
    stop_token: str | None = None  # the original shows a Stop button while this is set
    stoppable: bool = False  # it showed one: the final edit takes it away

    @property
    def conversation(self) -> ConversationRef:
        return self.interaction.event.conversation

    @property
    def expired(self) -> bool:
        return time.monotonic() - self.created > TOKEN_TTL_S

    def original_text(self) -> str:
        return "\n\n".join(self.parts)


class InteractionAnswers:
    def __init__(
        self,
        rest: DiscordRest,
        chunks: Callable[[str], list[str]],
        buttons: SignedIds,
        *,
        edit_interval: float,
    ) -> None:
        self._rest = rest
        self.buttons = buttons
        self._chunks = chunks
        self._edit_interval = edit_interval
        self._pending: OrderedDict[str, Pending] = OrderedDict()  # event id -> interaction

    def open(self, interaction: Interaction) -> Pending:
        self._forget_old()
        slot = self._pending[interaction.event.id] = Pending(interaction)
        return slot

    def drop(self, event_id: str) -> None:
        self._pending.pop(event_id, None)

    def chunks(self, text: str) -> list[str]:
        return self._chunks(text)

    def acked(self, slot: Pending, asker: str | None) -> None:
        """Discord has the response: the original shows the first chunk of `slot.parts` (nothing
        when deferred); what does not fit follows as follow-ups."""
        slot.acked = True
        text = slot.original_text()
        shown = self._chunks(text)[:1] if text else [""]
        slot.original = self._stream(slot, asker, [ORIGINAL], shown)
        if text and shown[0] != text:
            slot.original.update(text)

    async def take(self, reply: Reply, asker: str | None) -> str | None:
        """A ref for later edits if `reply` answers a live interaction; None when it does not
        (or the token expired: the caller posts it in the channel)."""
        event_id = reply.in_reply_to or ""
        slot = self._pending.get(event_id)
        if slot is None or slot.expired:
            self.drop(event_id)
            return None
        if not slot.acked or (slot.original is not None and not slot.parts):
            if reply.stop_token and not slot.parts:  # a streamed answer's first frame
                slot.stop_token, slot.stoppable = reply.stop_token, True
            slot.parts.append(reply.text)
            if slot.original is not None:
                slot.original.update(slot.original_text())
            return f"{REF_PREFIX}{event_id}:o{len(slot.parts) - 1}"
        stream = self._stream(slot, asker, [], [])
        slot.followups.append(stream)
        stream.update(reply.text)
        return f"{REF_PREFIX}{event_id}:f{len(slot.followups) - 1}"

    def edit(self, ref: str, reply: Reply) -> bool:
        """Show `reply.text` in the message `ref` stands for; False if it is gone."""
        event_id, _, part = ref.removeprefix(REF_PREFIX).rpartition(":")
        slot = self._pending.get(event_id)
        if slot is None or slot.expired or not part[1:].isdigit():
            return False
        index = int(part[1:])
        if part.startswith("o") and index < len(slot.parts):
            if slot.stop_token and not reply.stop_token and slot.original is not None:
                slot.stop_token = None  # the answer is over: edit once more, without the button
                slot.original.shown[0] = ""
            slot.parts[index] = reply.text
            if slot.original is not None:
                slot.original.update(slot.original_text())
            return True
        if part.startswith("f") and index < len(slot.followups):
            slot.followups[index].update(reply.text)
            return True
        return False

    async def finish(self, conversation: ConversationRef) -> None:
        for slot in [s for s in self._pending.values() if s.conversation.key == conversation.key]:
            for stream in [slot.original, *slot.followups]:
                if stream is not None:
                    await stream.settle()

    async def drain(self) -> None:
        for slot in list(self._pending.values()):
            for stream in [slot.original, *slot.followups]:
                if stream is not None:
                    await stream.settle()

    def _stream(self, slot: Pending, asker: str | None, ids: list[str], shown: list[str]) -> EditStream:
        token, ephemeral = slot.interaction.token, slot.interaction.admin

        async def post(chunk: str) -> str:
            return await self._rest.follow_up(token, chunk, asker=asker, ephemeral=ephemeral)

        async def edit(message_id: str, chunk: str) -> None:
            components = None
            if message_id == ORIGINAL and slot.stoppable:  # the Stop button, then [] when it is over
                components = stop_button(slot.stop_token, self.buttons) or []
            await self._rest.edit_webhook_message(
                token, message_id, chunk, asker=asker, components=components
            )

        return EditStream(ids, shown, split=self._chunks, post=post, edit=edit, interval=self._edit_interval)

    def _forget_old(self) -> None:
        while self._pending:
            key, slot = next(iter(self._pending.items()))
            if not slot.expired and len(self._pending) < 10_000:
                break
            self._pending.pop(key)
