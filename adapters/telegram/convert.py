"""Telegram update (Bot API JSON) → `core.events.Event`: pure functions, no I/O, tested on payload files.

Who gets an answer:
- private chats (and private topics): every message with text or a caption;
- groups, supergroups and forum topics: only messages addressed to the bot — an `@botname`
  mention or a `text_mention` of the bot (text or caption entities), a reply to one of the bot's
  messages, or a command (`/cmd` or `/cmd@botname`; `/cmd@otherbot` is someone else's);
- business chats (`business_message`): like private chats, through the business connection.
Ignored: the bot's own messages and other bots', edits, channel posts, service messages (joins,
titles, pins, topic events), automatic forwards from a linked channel. A group migrating to a
supergroup comes back as `Migration`; a business connection change as `BusinessLink`.

Entity offsets and lengths are counted in UTF-16 code units (Bot API), not Python characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.errors import SwitchboardError
from core.events import Attachment, ConversationRef, Event, EventKind

PLATFORM = "telegram"
GENERAL_TOPIC = "1"  # the General topic of a forum: sendMessage refuses message_thread_id=1
ANONYMOUS_ADMIN = 1087968824  # "GroupAnonymousBot": a group admin posting as the group
SERVICE_KEYS = frozenset(
    {
        "new_chat_members",
        "left_chat_member",
        "new_chat_title",
        "new_chat_photo",
        "delete_chat_photo",
        "group_chat_created",
        "supergroup_chat_created",
        "channel_chat_created",
        "pinned_message",
        "forum_topic_created",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
        "general_forum_topic_hidden",
        "general_forum_topic_unhidden",
        "message_auto_delete_timer_changed",
        "video_chat_started",
        "video_chat_ended",
        "video_chat_scheduled",
        "video_chat_participants_invited",
        "users_shared",
        "chat_shared",
        "write_access_allowed",
        "boost_added",
        "chat_background_set",
    }
)
MEDIA_KEYS = (
    "photo",
    "voice",
    "sticker",
    "document",
    "video",
    "video_note",
    "audio",
    "animation",
    "location",
    "contact",
    "poll",
    "venue",
    "dice",
)
_SPACES = re.compile(r"[ \t]{2,}")
ANSWERED_UPDATES = ("message", "business_message")
IGNORED_UPDATES = {
    "edited_message": "edit",
    "edited_business_message": "edit",
    "channel_post": "channel_post",
    "edited_channel_post": "edit",
    "my_chat_member": "membership",
    "chat_member": "membership",
    "deleted_business_messages": "deletion",
}


class MalformedUpdate(SwitchboardError):
    """The body passed the secret check but is not a Bot API update (answered with 400)."""


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is (from getMe): its user id and @username (without the @)."""

    id: int
    username: str

    @property
    def handle(self) -> str:
        return f"@{self.username}".lower()


@dataclass(frozen=True, slots=True)
class Inbound:
    event: Event
    update_id: int
    media_only: bool = False  # no text, only a photo / voice / sticker...: answered with a notice
    business_connection_id: str | None = None
    mentioned: tuple[str, ...] = ()  # @usernames the person mentioned (a reply may mention them)


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str  # own_message | bot_message | edit | channel_post | service | not_for_bot | ...
    update_id: int


@dataclass(frozen=True, slots=True)
class Migration:
    """A group became a supergroup: replies to `old_chat_id` go to `new_chat_id` from now on."""

    old_chat_id: str
    new_chat_id: str
    update_id: int


@dataclass(frozen=True, slots=True)
class BusinessLink:
    """A business account connected, changed or removed the bot."""

    connection_id: str
    owner_id: str
    can_reply: bool
    enabled: bool
    update_id: int


Converted = Inbound | Skip | Migration | BusinessLink


def parse_update(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedUpdate("body is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise MalformedUpdate("body is not a Telegram update (no integer 'update_id')")
    return data


# -- UTF-16 offsets ------------------------------------------------------------------------------
def utf16_index(text: str, units: int) -> int:
    """The Python index of the character that starts `units` UTF-16 code units into `text`."""
    if text.isascii():
        return min(units, len(text))
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


@dataclass(frozen=True, slots=True)
class Span:
    kind: str
    start: int  # Python indices into the text
    end: int
    user_id: int | None = None

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def spans(text: str, entities: Sequence[Mapping[str, Any]]) -> list[Span]:
    found = []
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            continue
        start = utf16_index(text, offset)
        end = start + utf16_index(text[start:], length)
        user = entity.get("user") if isinstance(entity.get("user"), Mapping) else None
        found.append(Span(str(entity.get("type")), start, end, user.get("id") if user else None))
    return found


# -- messages --------------------------------------------------------------------------------------
def attachments_of(message: Mapping[str, Any]) -> tuple[Attachment, ...]:
    found = []
    for key in MEDIA_KEYS:
        item = message.get(key)
        if item is None:
            continue
        if key == "photo" and isinstance(item, list) and item:
            item = item[-1]  # the largest size
        meta = item if isinstance(item, Mapping) else {}
        size = meta.get("file_size")
        found.append(
            Attachment(
                name=str(meta.get("file_name") or key),
                content_type=str(meta.get("mime_type") or _default_type(key)),
                size=size if isinstance(size, int) else None,
            )
        )
    return tuple(found)


def _default_type(key: str) -> str:
    return {"photo": "image/jpeg", "voice": "audio/ogg", "sticker": "image/webp"}.get(
        key, "application/octet-stream"
    )


def _skip_reason(message: Mapping[str, Any], bot: BotIdentity, answer_bots: bool) -> str | None:
    sender = message.get("from")
    if not isinstance(sender, Mapping) or not isinstance(message.get("chat"), Mapping):
        return "incomplete"
    if sender.get("id") == bot.id:
        return "own_message"
    if message.get("is_automatic_forward"):
        return "automatic_forward"
    if sender.get("is_bot") and sender.get("id") != ANONYMOUS_ADMIN and not answer_bots:
        return "bot_message"
    if any(message.get(key) for key in SERVICE_KEYS):  # PTB's to_dict() writes False for absent ones
        return "service"
    return None


def _is_reply_to_bot(message: Mapping[str, Any], bot: BotIdentity) -> bool:
    original = message.get("reply_to_message")
    if not isinstance(original, Mapping) or "forum_topic_created" in original:
        return False  # in a forum every message "replies" to its topic's creation
    author = original.get("from")
    return isinstance(author, Mapping) and author.get("id") == bot.id


def _sender_id(message: Mapping[str, Any]) -> str:
    sender = message["from"]
    if sender.get("id") == ANONYMOUS_ADMIN and isinstance(message.get("sender_chat"), Mapping):
        return f"chat{message['sender_chat'].get('id')}"
    return str(sender.get("id"))


def _sender_name(message: Mapping[str, Any]) -> str | None:
    sender = message["from"]
    name = " ".join(str(sender[k]) for k in ("first_name", "last_name") if sender.get(k))
    return name or None


def _conversation(message: Mapping[str, Any], connection: str | None) -> ConversationRef:
    chat = message["chat"]
    thread = message.get("message_thread_id")
    in_topic = bool(message.get("is_topic_message")) or (bool(chat.get("is_forum")) and thread is not None)
    return ConversationRef(
        PLATFORM,
        str(chat.get("id")),
        thread_id=str(thread) if in_topic and thread is not None else None,
        workspace_id=connection,
    )


def _cleaned(text: str, found: list[Span], bot: BotIdentity) -> tuple[str, bool, str | None]:
    """Text without the bot's mention or `@botname` command suffix; whether the bot was addressed;
    and `None` or the other bot a `/cmd@otherbot` command was meant for."""
    addressed, other = False, None
    cuts: list[tuple[int, int, str]] = []
    for span in found:
        piece = span.of(text)
        if span.kind == "mention" and piece.lower() == bot.handle:
            addressed = True
            cuts.append((span.start, span.end, ""))
        elif span.kind == "text_mention" and span.user_id == bot.id:
            addressed = True
        elif span.kind == "bot_command" and "@" in piece:
            name, _, target = piece.partition("@")
            if target.lower() == bot.username.lower():
                addressed = True
                cuts.append((span.start, span.end, name))
            elif span.start == 0:
                other = target
    for start, end, replacement in sorted(cuts, reverse=True):
        text = text[:start] + replacement + text[end:]
    return (_SPACES.sub(" ", text).strip() if cuts else text.strip()), addressed, other


def _mentioned(text: str, found: list[Span], bot: BotIdentity) -> tuple[str, ...]:
    names = (s.of(text) for s in found if s.kind == "mention")
    return tuple(dict.fromkeys(n for n in names if n.lower() != bot.handle))


def from_message(
    update_id: int,
    message: Mapping[str, Any],
    bot: BotIdentity,
    *,
    answer_bots: bool = False,
    connection: str | None = None,
) -> Inbound | Skip | Migration:
    chat = _mapping(message.get("chat"))
    if "migrate_to_chat_id" in message:
        return Migration(str(chat.get("id")), str(message["migrate_to_chat_id"]), update_id)
    if "migrate_from_chat_id" in message:
        return Migration(str(message["migrate_from_chat_id"]), str(chat.get("id")), update_id)
    reason = _skip_reason(message, bot, answer_bots)
    if reason:
        return Skip(reason, update_id)
    text = message.get("text") if isinstance(message.get("text"), str) else message.get("caption")
    text = text if isinstance(text, str) else ""
    entities = message.get("entities") or message.get("caption_entities") or ()
    found = spans(text, entities if isinstance(entities, list) else ())
    clean, addressed, other_bot = _cleaned(text, found, bot)
    if other_bot is not None:
        return Skip("other_bot_command", update_id)
    is_command = any(s.kind == "bot_command" and s.start == 0 for s in found)
    is_direct = chat.get("type") == "private"
    mentions_bot = addressed or _is_reply_to_bot(message, bot)
    if not (is_direct or mentions_bot or is_command):
        return Skip("not_for_bot", update_id)
    attachments = attachments_of(message)
    if not clean and not attachments:
        return Skip("empty", update_id)
    event = Event(
        id=f"{PLATFORM}:{bot.id}:{update_id}",
        conversation=_conversation(message, connection),
        sender_id=_sender_id(message),
        text=clean,
        kind=EventKind.COMMAND if is_command else EventKind.MESSAGE,
        is_direct=is_direct,
        mentions_bot=mentions_bot,
        message_id=str(message.get("message_id")),
        sender_name=_sender_name(message),
        attachments=attachments,
        raw={"chat_type": chat.get("type"), "update_id": update_id},
    )
    return Inbound(
        event,
        update_id,
        media_only=not clean,
        business_connection_id=connection,
        mentioned=_mentioned(text, found, bot),
    )


def from_update(update: Mapping[str, Any], bot: BotIdentity, *, answer_bots: bool = False) -> Converted:
    """One update → what to hand to the hub, or why not."""
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        raise MalformedUpdate("update without an integer 'update_id'")
    for key in ANSWERED_UPDATES:
        message = update.get(key)
        if isinstance(message, Mapping):
            connection = message.get("business_connection_id") if key == "business_message" else None
            if key == "business_message" and not isinstance(connection, str):
                return Skip("incomplete", update_id)
            return from_message(update_id, message, bot, answer_bots=answer_bots, connection=connection)
    link = update.get("business_connection")
    if isinstance(link, Mapping):
        return _business_link(update_id, link)
    for key, reason in IGNORED_UPDATES.items():
        if key in update:
            return Skip(reason, update_id)
    return Skip("unsupported", update_id)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _business_link(update_id: int, link: Mapping[str, Any]) -> BusinessLink:
    rights, owner = _mapping(link.get("rights")), _mapping(link.get("user"))
    return BusinessLink(
        connection_id=str(link.get("id")),
        owner_id=str(owner.get("id")),
        can_reply=bool(rights.get("can_reply", link.get("can_reply", False))),
        enabled=bool(link.get("is_enabled")),
        update_id=update_id,
    )
