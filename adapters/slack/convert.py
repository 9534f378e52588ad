"""Slack payload → `core.events.Event`: pure functions, no I/O, tested on payload files.

Which messages the bot answers:
- `app_mention` in channels (the mention is stripped from the text);
- every message in a DM with the bot (`channel_type` "im");
- follow-ups in a thread the bot is part of: returned with `needs_thread_check`, the receiver
  asks Redis whether the bot posted in that thread.
Ignored: the bot's own messages, other bots' (unless `answer_bots`), edits (`message_changed`:
the bot answered the original and does not answer again), deletions, joins/leaves and every other
subtype, and channel `message` events that mention the bot (their `app_mention` twin answers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.kit.route import MalformedPayload as MalformedPayload  # the body is signed but unreadable
from adapters.kit.route import parse_form as parse_form
from core.events import Attachment, ConversationRef, Event, EventKind
from core.http import BadInput, load_json

PLATFORM = "slack"
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message", "bot_message"})
JOIN_SUBTYPES = frozenset(
    {"channel_join", "channel_leave", "group_join", "group_leave", "member_joined_channel"}
)


@dataclass(frozen=True, slots=True)
class BotIdentity:
    """Who the bot is in one workspace: its user id (U…) and bot id (B…)."""

    user_id: str | None = None
    bot_id: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    event: Event
    needs_thread_check: bool = False  # answer only if the bot already posted in the thread
    mentioned: tuple[str, ...] = ()  # user ids the person mentioned (the bot may mention them back)


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str  # own_message | bot_message | edit | deletion | join | subtype | not_for_bot | ...


def parse_json(body: bytes) -> dict[str, Any]:
    try:
        data = load_json(body)  # nesting bounded, valid UTF-8, no lone surrogates
    except BadInput as exc:
        raise MalformedPayload(exc.reason) from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise MalformedPayload("body is not a Slack Events API envelope (no 'type')")
    return data


def team_of(envelope: Mapping[str, Any]) -> str | None:
    event = envelope.get("event") or {}
    return envelope.get("team_id") or event.get("team") or None


def attachments_of(event: Mapping[str, Any]) -> tuple[Attachment, ...]:
    found = []
    for item in event.get("files") or ():
        if not isinstance(item, Mapping):
            continue
        size = item.get("size")
        found.append(
            Attachment(
                name=str(item.get("name") or item.get("title") or item.get("id") or "file"),
                content_type=str(item.get("mimetype") or "application/octet-stream"),
                size=size if isinstance(size, int) else None,
                url=item.get("url_private"),
            )
        )
    return tuple(found)


def strip_mention(text: str, bot_user_id: str | None) -> str:
    if not bot_user_id:
        return text.strip()
    cleaned = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip()


def _skip_reason(event: Mapping[str, Any], bot: BotIdentity, answer_bots: bool) -> str | None:
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return "edit"
    if subtype == "message_deleted":
        return "deletion"
    if subtype in JOIN_SUBTYPES:
        return "join"
    if subtype not in ANSWERED_SUBTYPES:
        return "subtype"
    user, bot_id = event.get("user"), event.get("bot_id")
    if (bot.user_id and user == bot.user_id) or (bot.bot_id and bot_id == bot.bot_id):
        return "own_message"
    if (bot_id or subtype == "bot_message") and not answer_bots:
        return "bot_message"
    if not (user or bot_id) or not event.get("channel") or not event.get("ts"):
        return "incomplete"
    return None


def from_event_callback(
    envelope: Mapping[str, Any], bot: BotIdentity, *, answer_bots: bool = False
) -> Inbound | Skip:
    """One `event_callback` envelope → what to hand to the hub, or why not."""
    event = envelope.get("event")
    event_id = envelope.get("event_id")
    if not isinstance(event, Mapping) or not isinstance(event_id, str):
        raise MalformedPayload("event_callback without 'event' or 'event_id'")
    if event.get("type") not in {"app_mention", "message"}:
        return Skip("unsupported_event")
    reason = _skip_reason(event, bot, answer_bots)
    if reason:
        return Skip(reason)
    channel, ts = str(event["channel"]), str(event["ts"])
    text = str(event.get("text") or "")
    is_direct = event.get("channel_type") == "im" or (
        event.get("channel_type") is None and channel.startswith("D")
    )
    mentions_bot = bool(bot.user_id) and any(m == bot.user_id for m in MENTION.findall(text))
    thread_ts = event.get("thread_ts")
    needs_thread_check = False
    if event["type"] == "message" and not is_direct:
        if mentions_bot:
            return Skip("answered_as_app_mention")
        if not thread_ts or thread_ts == ts:
            return Skip("not_for_bot")
        needs_thread_check = True
    clean = strip_mention(text, bot.user_id)
    conversation = ConversationRef(
        PLATFORM,
        channel,
        thread_id=str(thread_ts) if thread_ts else (None if is_direct else ts),
        workspace_id=team_of(envelope),
    )
    result = Event(
        id=f"{PLATFORM}:{event_id}",
        conversation=conversation,
        sender_id=str(event.get("user") or event.get("bot_id")),
        text=clean,
        kind=EventKind.MESSAGE,  # a "/command" typed as text is the router's to read
        is_direct=is_direct,
        mentions_bot=mentions_bot or event["type"] == "app_mention",
        message_id=ts,
        attachments=attachments_of(event),
        raw={"type": event["type"], "channel_type": event.get("channel_type"), "event_ts": ts},
    )
    mentioned = tuple(dict.fromkeys(m for m in MENTION.findall(text) if m != bot.user_id))
    return Inbound(result, needs_thread_check=needs_thread_check, mentioned=mentioned)


def from_slash_command(form: Mapping[str, str]) -> Event:
    """A slash command (`/switchboard status`) → a COMMAND event whose text is the command line."""
    for key in ("team_id", "channel_id", "user_id", "command", "trigger_id"):
        if not form.get(key):
            raise MalformedPayload(f"slash command without '{key}'")
    line = form.get("text", "").strip() or "help"
    channel = form["channel_id"]
    return Event(
        id=f"{PLATFORM}:cmd:{form['trigger_id']}",
        conversation=ConversationRef(PLATFORM, channel, workspace_id=form["team_id"]),
        sender_id=form["user_id"],
        text=line,
        kind=EventKind.COMMAND,
        is_direct=form.get("channel_name") == "directmessage" or channel.startswith("D"),
        raw={"command": form["command"]},
    )
