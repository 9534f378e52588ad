"""Telegram's stop buttons, wired to the core's `/stop`.

- Private chats stream in drafts sent with `can_stop` (Bot API 10.3): Telegram shows its own
  stop button, and a press arrives as a `stopped_message_generation` update (chat, draft id).
- Groups and topics stream by editing a message: it carries an inline "Stop" button whose
  callback data names the answer (`stop:<stop token>`); the final text takes it away.

Either press becomes the command `/stop` (with the token when there is one) from the person who
pressed it; the core checks that it is their answer. The command's reply ("Stopped." / "Nothing
to stop.") answers the callback query as a toast; a draft's press needs no reply (the answer's
last part arrives marked "(stopped)").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.telegram.convert import PLATFORM, BotIdentity
from core.events import ConversationRef, Event, EventKind

CALLBACK_PREFIX = "stop:"
STOP_LABEL = "Stop"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,58}$")  # callback data holds at most 64 bytes


def stop_markup(token: str | None) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a streamed answer still being written (None: no button)."""
    if not token or not _TOKEN.match(token):
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(STOP_LABEL, callback_data=CALLBACK_PREFIX + token)]])


@dataclass(frozen=True, slots=True)
class StopPress:
    event: Event  # a `/stop` command from whoever pressed
    callback_id: str | None = None  # answer it (a toast); None for a draft's own stop button


def stop_press(update: Mapping[str, Any], bot: BotIdentity) -> StopPress | None:
    """The stop press in `update`, or None when it is something else."""
    update_id = update.get("update_id")
    stopped = update.get("stopped_message_generation")
    if isinstance(stopped, Mapping) and isinstance(update_id, int):
        chat = stopped.get("chat")
        if not isinstance(chat, Mapping) or chat.get("id") is None:
            return None
        thread = stopped.get("message_thread_id")
        conversation = ConversationRef(PLATFORM, str(chat["id"]), str(thread) if thread is not None else None)
        return StopPress(_command(bot, update_id, conversation, str(chat["id"]), ""))
    query = update.get("callback_query")
    if not isinstance(query, Mapping) or not isinstance(update_id, int):
        return None
    data = query.get("data")
    if not isinstance(data, str) or not data.startswith(CALLBACK_PREFIX):
        return None
    message, sender = query.get("message"), query.get("from")
    if not isinstance(message, Mapping) or not isinstance(sender, Mapping) or sender.get("id") is None:
        return None
    chat = message.get("chat")
    if not isinstance(chat, Mapping) or chat.get("id") is None:
        return None
    thread = message.get("message_thread_id") if message.get("is_topic_message") else None
    conversation = ConversationRef(PLATFORM, str(chat["id"]), str(thread) if thread is not None else None)
    token = data.removeprefix(CALLBACK_PREFIX)
    token = token if _TOKEN.match(token) else ""
    event = _command(bot, update_id, conversation, str(sender["id"]), token)
    return StopPress(event, str(query.get("id") or "") or None)


def _command(
    bot: BotIdentity, update_id: int, conversation: ConversationRef, sender: str, token: str
) -> Event:
    return Event(
        id=f"{PLATFORM}:{bot.id}:{update_id}",
        conversation=conversation,
        sender_id=sender,
        text=f"/stop {token}".strip(),
        kind=EventKind.COMMAND,  # a native control, like a slash command
        is_direct=not conversation.channel_id.startswith("-"),
        raw={"update_id": update_id, "stop_button": True},
    )
