"""Telegram's stop buttons, wired to the core's `/stop`.

- Private chats stream in drafts sent with `can_stop` (Bot API 10.3): Telegram shows its own
  stop button, and a press arrives as a `stopped_message_generation` update (chat, draft id).
- Groups and topics stream by editing a message: it carries an inline "Stop" button whose
  callback data names the answer, signed (`stop:<stop token>.<mac>`, a key derived from the bot
  token, `adapters.kit.buttons`; 60 of the 64 bytes callback data may hold); the final text
  takes it away.

Either press becomes the command `/stop` (with the token when there is one) from the person who
pressed it; the core checks that it is their answer. An inline press whose callback data does not
verify (tampered, forged, unsigned, another bot's) stops nothing: the presser's toast says "That
button is not valid.". The command's reply ("Stopped." / "Nothing
to stop.") answers the callback query as a toast; a draft's press needs no reply (the answer's
last part arrives marked "(stopped)").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.kit.buttons import SignedIds
from adapters.telegram.convert import PLATFORM, BotIdentity
from core.events import ConversationRef, Event, EventKind
from core.secrets import Secret

CALLBACK_PREFIX = "stop:"
STOP_LABEL = "Stop"
STOP_PURPOSE = "switchboard telegram stop button"
CALLBACK_DATA_BYTES = 64  # Telegram's limit (the signed data is ASCII: bytes = characters)


def stop_ids(bot_token: Secret | str) -> SignedIds:
    """The signer of this bot's inline Stop buttons (every replica derives the same key)."""
    return SignedIds(bot_token, STOP_PURPOSE, prefix=CALLBACK_PREFIX, max_chars=CALLBACK_DATA_BYTES)


def stop_markup(token: str | None, buttons: SignedIds) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a streamed answer still being written (None: no button)."""
    data = buttons.sign(token)
    if data is None:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(STOP_LABEL, callback_data=data)]])


@dataclass(frozen=True, slots=True)
class StopPress:
    event: Event  # a `/stop` command from whoever pressed
    callback_id: str | None = None  # answer it (a toast); None for a draft's own stop button
    refused: bool = False  # the callback data does not verify: say so, stop nothing


def stop_press(update: Mapping[str, Any], bot: BotIdentity, buttons: SignedIds | None) -> StopPress | None:
    """The stop press in `update`, or None when it is something else. `buttons` opens the
    inline buttons' signed callback data (without it every inline press is refused)."""
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
    token = buttons.open(data) if buttons is not None else None
    event = _command(bot, update_id, conversation, str(sender["id"]), token or "")
    return StopPress(event, str(query.get("id") or "") or None, refused=token is None)


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
