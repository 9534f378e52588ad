"""Replies in Telegram: split at 4,096 UTF-16 code units (paragraph → line → sentence, fences
reopened), each chunk as HTML with a plain-text fallback, the first quoting the asking message,
in the asker's topic; paced per chat, per group and per bot across replicas."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup

from adapters.kit.chunks import split, utf16_len
from adapters.kit.memory import MentionMemory
from adapters.kit.rates import Rate, SharedRates
from adapters.telegram.config import TelegramOptions
from adapters.telegram.sending import MaybeSent, Sender, Target
from adapters.telegram.text import to_html, to_plain
from core.events import ConversationRef, Reply

log = logging.getLogger(__name__)


class TelegramPacing:
    """Telegram's limits on the kit's shared rates: 1 message/s per chat, 20/min per group
    (as 5 back to back, then one every 4 s), 30/s for the bot."""

    def __init__(self, rates: SharedRates, options: TelegramOptions) -> None:
        self._rates = rates
        self.chat = Rate(1, 1 / options.chat_per_second)
        burst = max(1, options.group_per_minute // 4)
        self.group = Rate(options.group_per_minute - burst, 60.0, burst=burst)
        self.bot = Rate(options.bot_per_second, 1.0)

    async def wait(self, chat_id: str, *, group: bool) -> None:
        booked = [(f"chat:{chat_id}", self.chat), ("bot", self.bot)]
        if group:
            booked.append((f"group:{chat_id}", self.group))
        await self._rates.take(*booked)

    async def hold(self, chat_id: str, seconds: float) -> None:
        await self._rates.hold(f"chat:{chat_id}", seconds, self.chat)


def target_of(conversation: ConversationRef) -> Target:
    return Target(conversation.channel_id, conversation.thread_id, conversation.workspace_id)


class Outbox:
    def __init__(self, sender: Sender, mentions: MentionMemory, *, max_chars: int) -> None:
        self.sender = sender
        self._mentions = mentions
        self.max_chars = max_chars

    def chunks(self, text: str) -> list[str]:
        return split(text, self.max_chars, measure=utf16_len)

    async def allowed(self, conversation: ConversationRef, text: str) -> set[str]:
        return await self._mentions.allowed(conversation) if "@" in text else set()

    async def post(self, reply: Reply, *, markup: InlineKeyboardMarkup | None = None) -> list[int]:
        """Post `reply` (as several messages when long; `markup` on the first); returns their ids."""
        target = target_of(reply.conversation)
        allowed = await self.allowed(reply.conversation, reply.text)
        ids = []
        for index, chunk in enumerate(self.chunks(reply.text)):
            try:
                message = await self.sender.message(
                    target,
                    to_html(chunk, allowed),
                    to_plain(chunk, allowed),
                    quote_id=reply.quote_id if index == 0 else None,
                    markup=markup if index == 0 else None,
                )
            except MaybeSent:  # Telegram may have posted it: never post twice, go on with the rest
                log.warning(
                    "a message timed out after it was sent: not re-sent", extra={"platform": "telegram"}
                )
                continue
            ids.append(message.message_id)
        return ids
