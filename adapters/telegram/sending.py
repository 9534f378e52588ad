"""Bot API calls that put text in front of people, with Telegram's failure modes handled once:

- 429 `retry_after`: wait (shared with every replica through the pacer) and try again;
- "can't parse entities": the same chunk again as plain text — formatting never loses an answer;
- a group that became a supergroup: follow it (and remember) and send there;
- 403 (blocked, kicked, deactivated): the chat is marked and nothing more is tried;
- "message is not modified": nothing to do; "message to edit not found": the caller sends anew;
- a timeout after the request went out: *not* re-sent (Telegram may have posted it; a second try
  would post twice). Only failures where the request never left (connect, pool) are retried.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import httpx
from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from adapters.telegram.convert import GENERAL_TOPIC
from adapters.telegram.state import TelegramState
from core.errors import AdapterError
from core.metrics import PLATFORM

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_TRIES = 5
MAX_WAIT_S = 60.0
_EXTRA = {"platform": "telegram"}
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ChatBlocked(AdapterError):
    """The chat refuses the bot (blocked, kicked, deactivated): nothing is sent there."""


class MaybeSent(AdapterError):
    """The request timed out after it went out: Telegram may have posted it. Not retried."""


class Pacer(Protocol):
    async def wait(self, chat_id: str, *, group: bool) -> None:
        """Return when one more message may go to `chat_id` (per chat, per group, per bot)."""

    async def hold(self, chat_id: str, seconds: float) -> None:
        """Telegram said "retry after": nobody sends to `chat_id` for `seconds`."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes, in Bot API terms."""

    chat_id: str
    thread_id: str | None = None
    business_connection_id: str | None = None

    @property
    def is_group(self) -> bool:
        return self.chat_id.startswith("-")

    @property
    def is_private(self) -> bool:
        return not self.is_group

    def thread_param(self) -> int | None:
        """The topic for sendMessage: none for the General topic (Telegram refuses id 1)."""
        if self.thread_id is None or self.thread_id == GENERAL_TOPIC:
            return None
        return int(self.thread_id)


def is_parse_error(exc: BadRequest) -> bool:
    return "can't parse entities" in exc.message.lower() or "can't find end tag" in exc.message.lower()


def not_sent(exc: BaseException) -> bool:
    return isinstance(exc.__cause__, NOT_SENT)


class Sender:
    def __init__(self, bot: Bot, state: TelegramState, pacer: Pacer, *, link_previews: bool) -> None:
        self._bot = bot
        self._state = state
        self._pacer = pacer
        self._preview = LinkPreviewOptions(is_disabled=not link_previews)

    async def target(self, target: Target) -> Target:
        """The same target after any migration the chat went through."""
        current = await self._state.current_chat(target.chat_id)
        if current == target.chat_id:
            return target
        return Target(current, target.thread_id, target.business_connection_id)

    async def message(
        self,
        target: Target,
        html: str,
        plain: str,
        *,
        quote_id: str | None = None,
        markup: InlineKeyboardMarkup | None = None,
    ) -> Message:
        """Send one chunk (HTML, falling back to plain text) and return the Message."""
        reply = ReplyParameters(int(quote_id), allow_sending_without_reply=True) if quote_id else None

        async def send(to: Target, text: str, html_mode: bool) -> Message:
            return await self._bot.send_message(
                chat_id=int(to.chat_id),
                text=text,
                parse_mode=ParseMode.HTML if html_mode else None,
                message_thread_id=to.thread_param(),
                reply_parameters=reply,
                link_preview_options=self._preview,
                business_connection_id=to.business_connection_id,
                reply_markup=markup,
            )

        return await self._formatted(target, html, plain, send, paced=True)

    async def edit(
        self,
        target: Target,
        message_id: int,
        html: str,
        plain: str,
        *,
        markup: InlineKeyboardMarkup | None = None,
    ) -> bool:
        """Show new text in a message. False when the message is gone (the caller sends anew)."""

        async def edit(to: Target, text: str, html_mode: bool) -> Any:
            return await self._bot.edit_message_text(
                text=text,
                chat_id=int(to.chat_id),
                message_id=message_id,
                parse_mode=ParseMode.HTML if html_mode else None,
                link_preview_options=self._preview,
                business_connection_id=to.business_connection_id,
                reply_markup=markup,
            )

        try:
            await self._formatted(target, html, plain, edit, paced=True, idempotent=True)
        except BadRequest as exc:
            text = exc.message.lower()
            if "message is not modified" in text:
                return True
            if "message to edit not found" in text or "message can't be edited" in text:
                return False
            raise AdapterError(f"editMessageText refused: {exc.message[:120]}") from None
        return True

    async def draft(self, target: Target, draft_id: int, html: str, *, can_stop: bool = False) -> None:
        """A private chat's streaming preview (an empty text shows "Thinking…"); `can_stop`
        shows Telegram's own stop button, the draft kept on screen when it is pressed."""
        to = await self.target(target)
        stop = {"can_stop": True, "keep_on_stop": True} if can_stop else None

        async def call() -> bool:
            return await self._bot.send_message_draft(
                chat_id=int(to.chat_id),
                draft_id=draft_id,
                text=html,
                message_thread_id=to.thread_param(),
                parse_mode=ParseMode.HTML if html else None,
                api_kwargs=stop,
            )

        try:
            await self._retrying(to, call, idempotent=True)
        except BadRequest as exc:  # e.g. TEXTDRAFT_PEER_INVALID: not a chat drafts work in
            raise AdapterError(f"sendMessageDraft refused: {exc.message[:80]}") from None

    async def typing(self, target: Target) -> None:
        to = await self.target(target)

        async def call() -> bool:
            return await self._bot.send_chat_action(
                chat_id=int(to.chat_id),
                action="typing",
                message_thread_id=to.thread_param(),
                business_connection_id=to.business_connection_id,
            )

        await self._retrying(to, call, idempotent=True, tries=1)

    # -- the failure modes, once --------------------------------------------------------------
    async def _formatted(
        self,
        target: Target,
        html: str,
        plain: str,
        call: Callable[[Target, str, bool], Awaitable[T]],
        *,
        paced: bool,
        idempotent: bool = False,
    ) -> T:
        to = await self.target(target)
        if await self._state.is_blocked(to.chat_id):
            raise ChatBlocked("the chat blocked the bot")
        html_mode = True
        for _ in range(MAX_TRIES):
            if paced:
                await self._pacer.wait(to.chat_id, group=to.is_group)
            try:
                attempt = functools.partial(call, to, html if html_mode else plain, html_mode)
                return await self._retrying(to, attempt, idempotent=idempotent)
            except BadRequest as exc:
                if html_mode and is_parse_error(exc):
                    log.warning("HTML refused by Telegram: sending as plain text", extra=_EXTRA)
                    html_mode = False
                    continue
                raise
            except _Moved as moved:
                await self._state.migrate(to.chat_id, moved.new_chat_id)
                to = Target(moved.new_chat_id, to.thread_id, to.business_connection_id)
        raise AdapterError("the chat kept moving")

    async def _retrying(
        self, to: Target, call: Callable[[], Awaitable[T]], *, idempotent: bool, tries: int = MAX_TRIES
    ) -> T:
        waited = 0.0
        for attempt in range(tries):
            try:
                return await call()
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                waited += seconds
                if waited > MAX_WAIT_S or attempt == tries - 1:
                    raise AdapterError(f"Telegram flood limit: retry after {seconds:g} s") from None
                log.info("Telegram asked to wait %.0f s", seconds, extra=_EXTRA)
                PLATFORM.told_to_wait("telegram", seconds)
                await self._pacer.hold(to.chat_id, seconds)
                await self._pacer.wait(to.chat_id, group=to.is_group)
            except ChatMigrated as exc:
                raise _Moved(str(exc.new_chat_id)) from None
            except Forbidden as exc:
                await self._state.mark_blocked(to.chat_id)
                raise ChatBlocked(f"Telegram refused: {exc.message[:80]}") from None
            except TimedOut as exc:
                if not (idempotent or not_sent(exc)):
                    raise MaybeSent("the request timed out after it was sent") from None
                if attempt == tries - 1:
                    raise AdapterError("Telegram timed out") from None
                PLATFORM.retried("telegram")
                await asyncio.sleep(0.2 * (attempt + 1))
            except BadRequest:
                raise
            except NetworkError as exc:
                if not (idempotent or not_sent(exc)) or attempt == tries - 1:
                    raise AdapterError(f"Telegram failed: {type(exc).__name__}") from None
                PLATFORM.retried("telegram")
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AdapterError("Telegram kept failing")


class _Moved(Exception):
    def __init__(self, new_chat_id: str) -> None:
        self.new_chat_id = new_chat_id


def retry_seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds (PTB 22 warns that it becomes a timedelta: take either)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)
