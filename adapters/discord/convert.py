"""Discord payload → `core.events.Event`: pure functions, no I/O, tested on payload files.

The input is what Discord sends: a gateway dispatch (`{"op": 0, "t": "MESSAGE_CREATE", "d": …}`)
or an interaction body (the same JSON over the gateway and over the signed HTTP endpoint).

Which messages the bot answers:
- a mention of the bot (`<@id>` or `<@!id>`, stripped before routing), in any channel or thread;
- every message in a DM (no `guild_id`);
- a reply to one of the bot's messages;
- follow-ups in a thread the bot is part of: returned with `needs_thread_check`, the adapter
  asks Redis whether the bot spoke in that thread.
Ignored: the bot's own messages, other bots' and webhooks' (bot-to-bot loops, unless
`answer_bots`), edits (`MESSAGE_UPDATE`), system messages (joins, pins, boosts, thread starters:
every `type` but DEFAULT and REPLY), and every other dispatch.

Interactions: PING → `Ping`; `/ask <question>` → a MESSAGE addressed to the bot;
`/switchboard <command> [args]` → a COMMAND whose text is the command line (the core's admin gate
checks the user against the bot's admins); the Stop button (custom id `stop:<stop token>.<mac>`,
signed with a key derived from the bot token, `adapters.kit.buttons`) → the COMMAND
`/stop <stop token>` from whoever pressed it, answered ephemerally (the core stops only the
presser's own answer). A Stop press whose id does not verify (tampered, forged, unsigned, another
bot's) → `Refused`: answered "That button is not valid." to the presser, and no turn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.kit.buttons import SignedIds
from core.errors import SwitchboardError
from core.events import Attachment, ConversationRef, Event, EventKind
from core.routing import looks_like_command
from core.secrets import Secret

PLATFORM = "discord"
ANSWERED_TYPES = frozenset({0, 19})  # DEFAULT, REPLY; the rest are system messages
VOICE_MESSAGE_FLAG = 1 << 13
THREAD_TYPES = frozenset({10, 11, 12})  # announcement, public and private threads (forum posts too)
ASK_COMMAND = "ask"
ADMIN_COMMAND = "switchboard"
STOP_PREFIX = "stop:"
STOP_PURPOSE = "switchboard discord stop button"
CUSTOM_ID_CHARS = 100  # Discord's limit on a component's custom id
_INTERACTION_PING, _INTERACTION_COMMAND, _INTERACTION_COMPONENT = 1, 2, 3
_SUBCOMMAND = 1


class MalformedPayload(SwitchboardError):
    """The body is signed but is not a Discord payload we can read (answered with 400)."""


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is: its user id (mentions, own messages) and its application id."""

    user_id: str | None = None
    application_id: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    event: Event
    needs_thread_check: bool = False  # answer only if the bot already spoke in the thread
    media_only: bool = False  # images or a voice message and no text: answered "text only"


@dataclass(frozen=True, slots=True)
class Interaction:
    """An application command for the hub, with what is needed to answer it."""

    event: Event
    interaction_id: str
    token: str  # the interaction token (15 minutes of follow-ups): never logged
    admin: bool  # an admin command: answered ephemerally


@dataclass(frozen=True, slots=True)
class Refused:
    """A button press whose id does not verify: the presser is told so, nothing else happens."""

    interaction_id: str
    token: str = field(repr=False)  # the interaction token, to answer the presser: never logged
    event_id: str = ""
    reason: str = "invalid_button"


@dataclass(frozen=True, slots=True)
class Ping:
    """Discord checking the interactions endpoint: answered `{"type": 1}`."""


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str  # own_message | bot_message | edit | system | not_for_bot | empty | unsupported | …


def stop_ids(bot_token: Secret | str) -> SignedIds:
    """The signer of this bot's Stop buttons (every replica derives the same key)."""
    return SignedIds(bot_token, STOP_PURPOSE, prefix=STOP_PREFIX, max_chars=CUSTOM_ID_CHARS)


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedPayload("body is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), int):
        raise MalformedPayload("body is not a Discord interaction (no integer 'type')")
    return data


def mention_pattern(user_id: str) -> re.Pattern[str]:
    return re.compile(rf"<@!?{re.escape(user_id)}>")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    if bot_user_id:
        text = mention_pattern(bot_user_id).sub(" ", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def attachments_of(data: Mapping[str, Any]) -> tuple[Attachment, ...]:
    found = []
    for item in data.get("attachments") or ():
        if not isinstance(item, Mapping):
            continue
        size = item.get("size")
        found.append(
            Attachment(
                name=str(item.get("filename") or item.get("id") or "file"),
                content_type=str(item.get("content_type") or "application/octet-stream"),
                size=size if isinstance(size, int) else None,
                url=item.get("url"),
            )
        )
    return tuple(found)


def _mentions_bot(data: Mapping[str, Any], bot: BotIdentity) -> bool:
    if not bot.user_id:
        return False
    listed = any(
        isinstance(user, Mapping) and str(user.get("id")) == bot.user_id
        for user in data.get("mentions") or ()
    )
    return listed or bool(mention_pattern(bot.user_id).search(str(data.get("content") or "")))


def _replies_to_bot(data: Mapping[str, Any], bot: BotIdentity) -> bool:
    referenced = data.get("referenced_message")
    if not bot.user_id or not isinstance(referenced, Mapping):
        return False
    return str((referenced.get("author") or {}).get("id")) == bot.user_id


def _skip_reason(data: Mapping[str, Any], bot: BotIdentity, answer_bots: bool) -> str | None:
    author = data.get("author")
    if not isinstance(author, Mapping) or not data.get("id") or not data.get("channel_id"):
        return "incomplete"
    if bot.user_id and str(author.get("id")) == bot.user_id:
        return "own_message"
    if data.get("type", 0) not in ANSWERED_TYPES:
        return "system"
    if (author.get("bot") or author.get("system") or data.get("webhook_id")) and not answer_bots:
        return "bot_message"
    return None


def from_message(
    data: Mapping[str, Any], bot: BotIdentity, *, in_thread: bool = False, answer_bots: bool = False
) -> Inbound | Skip:
    """A MESSAGE_CREATE's `d` → what to hand to the hub, or why not. `in_thread`: the channel is
    a thread (or a forum post), which the adapter knows from discord.py's channel cache."""
    reason = _skip_reason(data, bot, answer_bots)
    if reason:
        return Skip(reason)
    guild = data.get("guild_id")
    is_direct = not guild
    mentioned = _mentions_bot(data, bot)
    replied = _replies_to_bot(data, bot)
    needs_thread_check = False
    if not (is_direct or mentioned or replied):
        if not in_thread:
            return Skip("not_for_bot")
        needs_thread_check = True
    text = strip_mention(str(data.get("content") or ""), bot.user_id)
    attachments = attachments_of(data)
    voice = bool(int(data.get("flags") or 0) & VOICE_MESSAGE_FLAG)
    if not text and not attachments and not voice:
        return Skip("empty")  # a bare mention, a sticker, or content hidden without the intent
    channel = str(data["channel_id"])
    author = data["author"]
    event = Event(
        id=f"{PLATFORM}:{data['id']}",
        conversation=ConversationRef(
            PLATFORM,
            channel,
            thread_id=channel if in_thread else None,
            workspace_id=str(guild) if guild else None,
        ),
        sender_id=str(author["id"]),
        text=text,
        kind=EventKind.COMMAND if looks_like_command(text) else EventKind.MESSAGE,
        is_direct=is_direct,
        mentions_bot=mentioned or replied,
        message_id=str(data["id"]),
        sender_name=str(author.get("global_name") or author.get("username") or "") or None,
        attachments=attachments,
        raw={"type": int(data.get("type", 0)), "voice": voice, "reply_to_bot": replied},
    )
    return Inbound(event, needs_thread_check=needs_thread_check, media_only=not text)


def _user_of(data: Mapping[str, Any]) -> Mapping[str, Any]:
    member = data.get("member")
    user = member.get("user") if isinstance(member, Mapping) else data.get("user")
    if not isinstance(user, Mapping) or not user.get("id"):
        raise MalformedPayload("interaction without 'member.user' or 'user'")
    return user


def _option_list(data: Mapping[str, Any]) -> list[Any]:
    """`options`, when it is a list (a signed body may carry any JSON type there)."""
    options = data.get("options")
    return options if isinstance(options, list) else []


def _options(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        str(o.get("name")): o.get("value")
        for o in _option_list(data)
        if isinstance(o, Mapping) and "value" in o
    }


def _command_line(command: Mapping[str, Any]) -> tuple[str, bool] | None:
    """(text for the hub, is an admin command), or None for a command we do not know."""
    name = command.get("name")
    if name == ASK_COMMAND:
        return str(_options(command).get("question") or "").strip(), False
    if name == ADMIN_COMMAND:
        subs = [o for o in _option_list(command) if isinstance(o, Mapping) and o.get("type") == _SUBCOMMAND]
        if subs:  # `/switchboard <sub> [args]`
            args = str(_options(subs[0]).get("args") or "").strip()
            return f"/{subs[0].get('name')} {args}".strip(), True
        line = str(_options(command).get("command") or "help").strip().lstrip("/")  # `command:<line>`
        return f"/{line}", True
    return None


def from_interaction(
    data: Mapping[str, Any], buttons: SignedIds | None = None
) -> Interaction | Refused | Ping | Skip:
    """An interaction (HTTP body or INTERACTION_CREATE's `d`) → what to do with it. `buttons`
    opens the Stop buttons' signed ids (without it every Stop press is refused)."""
    kind = data.get("type")
    if kind == _INTERACTION_PING:
        return Ping()
    interaction_id, token = data.get("id"), data.get("token")
    if not isinstance(interaction_id, str) or not isinstance(token, str):
        raise MalformedPayload("interaction without 'id' or 'token'")
    user = _user_of(data)
    body = data.get("data")
    if not isinstance(body, Mapping):
        raise MalformedPayload("interaction without 'data'")
    if kind == _INTERACTION_COMPONENT:
        custom_id = str(body.get("custom_id") or "")
        if not custom_id.startswith(STOP_PREFIX):
            return Skip("unsupported_component")
        answer = buttons.open(custom_id) if buttons is not None else None  # the answer it sits on
        if answer is None:
            return Refused(interaction_id, token, f"{PLATFORM}:interaction:{interaction_id}")
        text, admin = f"/stop {answer}", True
    elif kind != _INTERACTION_COMMAND:
        return Skip("unsupported_interaction")
    else:
        line = _command_line(body)
        if line is None:
            return Skip("unknown_command")
        text, admin = line
    if not text:
        return Skip("empty")
    guild = data.get("guild_id")
    given = data.get("channel")
    where: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    channel = str(data.get("channel_id") or where.get("id") or "")
    if not channel:
        raise MalformedPayload("interaction without 'channel_id'")
    thread = channel if where.get("type") in THREAD_TYPES else None
    event = Event(
        id=f"{PLATFORM}:interaction:{interaction_id}",
        conversation=ConversationRef(PLATFORM, channel, thread, workspace_id=str(guild) if guild else None),
        sender_id=str(user["id"]),
        text=text,
        kind=EventKind.COMMAND if admin else EventKind.MESSAGE,
        is_direct=not guild,
        mentions_bot=True,
        sender_name=str(user.get("global_name") or user.get("username") or "") or None,
        raw={"interaction": True, "command": str(body.get("name") or "stop")},
    )
    return Interaction(event, interaction_id, token, admin)


def from_dispatch(
    payload: Mapping[str, Any],
    bot: BotIdentity,
    *,
    in_thread: bool = False,
    answer_bots: bool = False,
    buttons: SignedIds | None = None,
) -> Inbound | Interaction | Refused | Ping | Skip:
    """One gateway dispatch (op 0) → what to hand to the hub, or why not."""
    name, data = payload.get("t"), payload.get("d")
    if not isinstance(data, Mapping):
        return Skip("no_data")
    if name == "MESSAGE_CREATE":
        return from_message(data, bot, in_thread=in_thread, answer_bots=answer_bots)
    if name == "MESSAGE_UPDATE":
        return Skip("edit")
    if name == "INTERACTION_CREATE":
        return from_interaction(data, buttons)
    return Skip("unsupported_dispatch")
