"""A small Telegram Bot API on 127.0.0.1: the methods Switchboard calls, with Telegram's own checks
(HTML entity parsing, the 4,096 UTF-16 limit after parsing, drafts in private chats only, "message
is not modified", the General topic quirk, getUpdates conflicts) and failures on demand (429 with
`retry_after`, 403 blocked, migrations, slow answers). It records every call so tests assert what
people would see. Requests go to `/<tag>/bot<token>/<method>`: give each hub its own tag to tell
them apart (`api_url(tag)`)."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from html import unescape
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from tests.telegram.payloads import BOT, TOKEN

JSON_FIELDS = {
    "reply_parameters",
    "link_preview_options",
    "reply_markup",
    "entities",
    "commands",
    "scope",
    "allowed_updates",
    "reaction",
}
TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre"}
TAGS |= {"blockquote", "tg-emoji"}
TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*>")
ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
MENTION = re.compile(r"(?<![\w@/])@([A-Za-z][A-Za-z0-9_]{3,31})\b")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class ParseError(ValueError):
    pass


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, list[str]]:
    """Telegram's HTML mode: the visible text and the tg://user links (pings), or ParseError."""
    out: list[str] = []
    stack: list[str] = []
    pings: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            match = TAG.match(text, i)
            if not match or match.group(2).lower() not in TAGS:
                raise ParseError(f"can't parse entities: Unsupported start tag at byte offset {i}")
            closing, name = match.group(1), match.group(2).lower()
            if closing:
                if not stack or stack[-1] != name:
                    raise ParseError(f"can't parse entities: Unexpected end tag at byte offset {i}")
                stack.pop()
            else:
                stack.append(name)
                href = re.search(r'href="([^"]*)"', match.group(3))
                if name == "a" and href and href.group(1).startswith("tg://user"):
                    pings.append(href.group(1))
            i = match.end()
        elif char == "&":
            match = ENTITY.match(text, i)
            if not match:
                raise ParseError(f"can't parse entities: Character '&' is reserved at byte offset {i}")
            out.append(unescape(match.group(0)))
            i = match.end()
        elif char == ">":
            raise ParseError(f"can't parse entities: Character '>' is reserved at byte offset {i}")
        else:
            out.append(char)
            i += 1
    if stack:
        raise ParseError(f"can't parse entities: Can't find end tag corresponding to start tag {stack[-1]}")
    return "".join(out), pings


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    tag: str
    at: float


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    migrate_to: int | None = None
    after_effect: bool = False  # do the work, then answer with the error anyway
    delay: float = 0.0  # answer this late (after doing the work when after_effect)


@dataclass
class Shown:
    """A message as people see it."""

    chat_id: str
    message_id: int
    text: str  # visible text, after entity parsing
    thread_id: str | None
    reply_to: int | None
    parse_mode: str | None
    pings: list[str]
    edits: int = 0
    link_preview_disabled: bool = False
    markup: Any = None  # the inline keyboard under it (an edit without one removes it)


@dataclass
class FakeTelegram:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    messages: list[Shown] = field(default_factory=list)
    drafts: list[dict[str, Any]] = field(default_factory=list)
    toasts: list[str] = field(default_factory=list)  # answerCallbackQuery texts
    commands: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)  # chat ids whose user blocked the bot
    migrated: dict[str, int] = field(default_factory=dict)  # old chat id -> new
    business: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhook: dict[str, Any] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)  # not yet confirmed
    conflicts: int = 0
    server: TestServer | None = None
    _next_id: int = 1000
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _polling: asyncio.Future[None] | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_route("*", "/{tag}/bot{token}/{method}", self._api)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self._polling is not None and not self._polling.done():
            self._polling.set_result(None)
        if self.server is not None:
            await self.server.close()

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}"

    def api_url(self, tag: str = "hub") -> str:
        return f"{self.base}/{tag}/bot"

    # -- what tests look at ------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_to(self, chat_id: str | int) -> list[Shown]:
        return [m for m in self.messages if m.chat_id == str(chat_id)]

    def fail(self, method: str, *failures: Failure) -> None:
        self.failures.setdefault(method, []).extend(failures)

    def flood(self, method: str, retry_after: int = 1) -> None:
        self.fail(method, Failure(429, f"Too Many Requests: retry after {retry_after}", retry_after))

    async def wait_for(self, predicate: Any, timeout: float = 5.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"the fake Telegram did not get there in {timeout} s")
            waiter = asyncio.ensure_future(self._changed.wait())
            await asyncio.wait({waiter}, timeout=remaining)
            waiter.cancel()

    def _bump(self) -> None:
        """Something changed: wake every waiter (each waits on the event current when it looked)."""
        self._changed.set()
        self._changed = asyncio.Event()

    # -- updates -----------------------------------------------------------------------------
    async def push(self, update: dict[str, Any]) -> None:
        """An update for getUpdates (polling mode)."""
        self.updates.append(update)
        self._arrived.set()
        self._bump()

    async def deliver(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """POST an update to the registered webhook, as Telegram does; returns the HTTP status."""
        url = self.webhook.get("url")
        assert url, "no webhook set"
        token = self.webhook.get("secret_token") if secret is None else secret
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        async with ClientSession() as session:
            async with session.post(url, data=json.dumps(update), headers=headers) as response:
                return response.status

    # -- the API -----------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        args = _args(await request.post()) if request.can_read_body else {}
        self.calls.append(Call(method, args, request.match_info["tag"], time.monotonic()))
        self._bump()
        queued = self.failures.get(method)
        failure = queued.pop(0) if queued else None
        if failure is not None and not failure.after_effect:
            if failure.delay:
                await asyncio.sleep(failure.delay)
            return _error(failure.status, failure.description, failure.retry_after, failure.migrate_to)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(args)
        except _ApiError as exc:
            return _error(exc.status, exc.description, migrate_to=exc.migrate_to)
        self._bump()
        if failure is not None:
            await asyncio.sleep(failure.delay)
            return _error(failure.status, failure.description, failure.retry_after, failure.migrate_to)
        return web.json_response({"ok": True, "result": result})

    async def _m_getMe(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT.id,
            "is_bot": True,
            "first_name": "Switchboard",
            "username": BOT.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_setWebhook(self, args: dict[str, Any]) -> bool:
        secret = args.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _ApiError(400, "Bad Request: secret token contains unallowed characters")
        if not str(args.get("url", "")).startswith(("https://", "http://127.0.0.1")):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(args)
        return True

    async def _m_deleteWebhook(self, args: dict[str, Any]) -> bool:
        self.webhook = {}
        if args.get("drop_pending_updates") in (True, "true", "True"):
            self.updates.clear()
        return True

    async def _m_getWebhookInfo(self, args: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _m_getUpdates(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        if self._polling is not None and not self._polling.done():
            self.conflicts += 1
            self._polling.set_result(None)  # Telegram ends the older request with 409
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._polling = mine
        offset = int(args.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(args.get("timeout") or 0)
        try:
            while not self.updates and not mine.done() and loop.time() < deadline:
                self._arrived.clear()
                waiter = asyncio.ensure_future(self._arrived.wait())
                await asyncio.wait(
                    {waiter, mine}, timeout=deadline - loop.time(), return_when=asyncio.FIRST_COMPLETED
                )
                waiter.cancel()
            if mine.done():
                raise _ApiError(409, "Conflict: terminated by other getUpdates request")
        finally:
            if not mine.done():
                mine.set_result(None)
        limit = int(args.get("limit") or 100)
        return list(self.updates[:limit])

    async def _m_sendMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(args)
        thread = args.get("message_thread_id")
        if thread == "1":
            raise _ApiError(400, "Bad Request: message thread not found")
        text, pings = self._visible(args)
        reply = args.get("reply_parameters") or {}
        reply_to = reply.get("message_id")
        if reply_to is not None and not any(m.message_id == int(reply_to) for m in self.messages):
            if not reply.get("allow_sending_without_reply"):
                raise _ApiError(400, "Bad Request: message to be replied not found")
        self._next_id += 1
        preview = args.get("link_preview_options") or {}
        shown = Shown(
            chat,
            self._next_id,
            text,
            thread,
            int(reply_to) if reply_to is not None else None,
            args.get("parse_mode"),
            pings + MENTION.findall(text),
            link_preview_disabled=bool(preview.get("is_disabled")),
            markup=args.get("reply_markup"),
        )
        self.messages.append(shown)
        return self._message_json(shown)

    async def _m_sendMessageDraft(self, args: dict[str, Any]) -> bool:
        chat = self._chat(args)
        if int(chat) < 0:
            raise _ApiError(400, "Bad Request: TEXTDRAFT_PEER_INVALID")
        text = args.get("text", "")
        if text:
            text, _ = self._visible(args)
        self.drafts.append({"chat_id": chat, "draft_id": args.get("draft_id"), "text": text, **args})
        return True

    async def _m_editMessageText(self, args: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(args)
        target = next(
            (m for m in self.messages if m.chat_id == chat and str(m.message_id) == args.get("message_id")),
            None,
        )
        if target is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        text, pings = self._visible(args)
        if text == target.text and args.get("reply_markup") == target.markup:
            raise _ApiError(400, NOT_MODIFIED)
        target.text, target.edits = text, target.edits + 1
        target.markup = args.get("reply_markup")
        target.pings += pings + MENTION.findall(text)
        return self._message_json(target)

    async def _m_answerCallbackQuery(self, args: dict[str, Any]) -> bool:
        self.toasts.append(args.get("text", ""))
        return True

    async def _m_sendChatAction(self, args: dict[str, Any]) -> bool:
        self._chat(args)
        return True

    async def _m_setMyCommands(self, args: dict[str, Any]) -> bool:
        self.commands[json.dumps(args.get("scope") or {"type": "default"}, sort_keys=True)] = args["commands"]
        return True

    async def _m_getMyCommands(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(json.dumps(args.get("scope") or {"type": "default"}, sort_keys=True), [])

    async def _m_deleteMyCommands(self, args: dict[str, Any]) -> bool:
        self.commands.pop(json.dumps(args.get("scope") or {"type": "default"}, sort_keys=True), None)
        return True

    async def _m_setMessageReaction(self, args: dict[str, Any]) -> bool:
        self._chat(args)
        return True

    async def _m_getBusinessConnection(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.business.get(str(args.get("business_connection_id")))
        if found is None:
            raise _ApiError(400, "Bad Request: business connection not found")
        return found

    # -- helpers -----------------------------------------------------------------------------
    def _chat(self, args: dict[str, Any]) -> str:
        chat = str(args.get("chat_id"))
        if chat in self.migrated:
            raise _ApiError(
                400, "Bad Request: group chat was upgraded to a supergroup chat", self.migrated[chat]
            )
        if chat in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _visible(self, args: dict[str, Any]) -> tuple[str, list[str]]:
        raw = str(args.get("text", ""))
        text, pings = raw, []
        if args.get("parse_mode") == "HTML":
            try:
                text, pings = parse_html(raw)
            except ParseError as exc:
                raise _ApiError(400, f"Bad Request: {exc}") from None
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return text, pings

    def _message_json(self, shown: Shown) -> dict[str, Any]:
        chat_id = int(shown.chat_id)
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        data: dict[str, Any] = {
            "message_id": shown.message_id,
            "from": {"id": BOT.id, "is_bot": True, "first_name": "Switchboard", "username": BOT.username},
            "chat": chat,
            "date": int(time.time()),
            "text": shown.text,
        }
        if shown.thread_id:
            data["message_thread_id"] = int(shown.thread_id)
        if shown.edits:
            data["edit_date"] = int(time.time())
        return data


class _ApiError(Exception):
    def __init__(self, status: int, description: str, migrate_to: int | None = None) -> None:
        self.status, self.description, self.migrate_to = status, description, migrate_to


def _args(form: Any) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for key, value in form.items():
        value = str(value)
        args[key] = json.loads(value) if key in JSON_FIELDS else value
    return args


def _error(
    status: int, description: str, retry_after: int | None = None, migrate_to: int | None = None
) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    parameters = {}
    if retry_after is not None:
        parameters["retry_after"] = retry_after
    if migrate_to is not None:
        parameters["migrate_to_chat_id"] = migrate_to
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
