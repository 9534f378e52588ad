"""`TelegramAdapter`: PTB embedded in the hub's loop, updates in by webhook or by the one poller,
answers out through the sender (HTML, split, paced, streamed), the command menu kept in sync."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from aiohttp import web
from redis.asyncio import Redis
from telegram.error import TelegramError

from adapters.kit.buttons import INVALID_BUTTON
from adapters.kit.keepalive import Keepalive
from adapters.kit.lease import new_lease
from adapters.kit.memory import MentionMemory
from adapters.kit.ordered import ConversationOrder
from adapters.kit.rates import SharedRates
from adapters.telegram.client import build_application, identity_of
from adapters.telegram.commands import CommandMenu, register
from adapters.telegram.config import ALLOWED_UPDATES, TelegramConfig
from adapters.telegram.convert import PLATFORM, Inbound
from adapters.telegram.inbound import UpdateIntake
from adapters.telegram.outbound import Outbox, TelegramPacing, target_of
from adapters.telegram.polling import Poller
from adapters.telegram.sending import Sender
from adapters.telegram.state import TelegramState
from adapters.telegram.stopping import StopPress, stop_ids
from adapters.telegram.streaming import Streams, sent_ref
from core import messages
from core.adapter import Receive
from core.errors import ConfigError
from core.events import ConversationRef, Event, Reply, SentRef, reply_to
from core.locks import RedisLock
from core.lru import LruDict
from core.metrics import PLATFORM as PLATFORM_METRICS
from core.tasks import TaskGroup

log = logging.getLogger(__name__)
_EXTRA = {"platform": PLATFORM}
MAX_PRESSES = 1_000  # stop presses whose "Stopped." is still to come
MAX_PREPARING = 10_000  # chats whose last update is still being prepared


class TelegramAdapter:
    name = PLATFORM

    def __init__(
        self,
        config: TelegramConfig,
        redis: Redis,
        *,
        key_prefix: str = "sb",
        menu: CommandMenu | None = None,
    ) -> None:
        problems = config.problems()
        if problems:
            raise ConfigError(problems, source="environment (Telegram)")
        self.config = config
        self.options = config.options
        self.menu = menu
        self.redis = redis
        self.state = TelegramState(redis, key_prefix, config.bot_id)
        self.application = build_application(config)
        self.bot = self.application.bot
        assert config.token is not None  # problems() said so otherwise
        self.buttons = stop_ids(config.token)  # inline Stop buttons' callback data, signed
        self.intake = UpdateIntake(
            self.state,
            self._hand_off,
            self._business,
            answer_bots=self.options.answer_bots,
            stop_pressed=self._stop_pressed,
            buttons=self.buttons,
        )
        self._presses: OrderedDict[str, str | None] = OrderedDict()  # stop press -> callback query
        self.mentions = MentionMemory(redis, self.state.prefix)
        pacing = TelegramPacing(SharedRates(redis, self.state.key("pace")), self.options)
        self.sender = Sender(self.bot, self.state, pacing, link_previews=self.options.link_previews)
        self.outbox = Outbox(self.sender, self.mentions, max_chars=self.options.max_chars)
        self.max_chars = self.options.max_chars
        self.edit_interval = self.options.edit_interval_s  # the one pace of a streamed answer
        self.streams = Streams(
            self.outbox,
            self.buttons,
            interval=self.options.edit_interval_s,
            keepalive_s=self.options.draft_keepalive_s,
            drafts=self.options.drafts,
        )
        self.working_sign = Keepalive(
            redis, self.state.prefix, self._show_typing, every_s=self.options.typing_every_s
        )
        self.poller: Poller | None = None
        self._lock_key = self.state.key("poller")
        self._receive: Receive | None = None
        self.background = TaskGroup(PLATFORM)  # hand-offs that outlive the ack
        self._preparing: LruDict[str, asyncio.Task[int | None]] = LruDict(MAX_PREPARING)  # chat -> last one
        # Webhook replicas behind one URL: a chat's updates reach the hub in update_id order
        # across replicas too (polling has one taker, and per-replica order is enough there).
        self.order = (
            ConversationOrder(
                redis, self.state.key("order"), wait_s=self.options.order_wait_s, platform=PLATFORM
            )
            if config.webhook and self.options.order_wait_s > 0
            else None
        )

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, receive: Receive) -> None:
        self._receive = receive
        await self.application.initialize()  # getMe
        await self.application.start()
        self.intake.identity = identity_of(self.bot)
        if self.menu is not None and self.options.register_commands:
            try:
                await register(self.bot, self.menu)
            except TelegramError as exc:  # the menu is a convenience: never block start-up on it
                log.warning("command menus not registered: %s", type(exc).__name__, extra=_EXTRA)
        if not self.config.webhook:
            self.poller = Poller(
                self.bot,
                self._lock(),
                self.intake.take,
                timeout_s=self.options.poll_timeout_s,
                allowed_updates=ALLOWED_UPDATES,
            )
            await self.poller.start()

    async def stop(self) -> None:
        self._receive = None
        if self.poller is not None:
            await self.poller.stop()
        await self.background.stop()
        await self.streams.drain()
        await self.working_sign.close()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    def routes(self) -> list[web.AbstractRouteDef]:
        if self.config.webhook and self.config.webhook_secret:
            return [self.intake.route(self.config.webhook_secret)]
        return []

    async def status(self) -> dict[str, Any]:
        data: dict[str, Any] = {"mode": "webhook" if self.config.webhook else "polling"}
        if self.intake.identity is not None:
            data["bot"] = f"@{self.intake.identity.username}"
        if self.poller is not None:
            data["poller_holder"] = self.poller.holding
        if self.order is not None:
            data["order"] = {"waiting": self.order.waiting, **self.order.counts}
        return data

    # -- inbound --------------------------------------------------------------------------------
    def _hand_off(self, inbound: Inbound) -> None:
        """Hand the update to the hub without waiting for its turn (the webhook acks at once, the
        poller takes the next update). What must come before the turn (a private chat's unblock,
        the mention memory) runs first, in a background task; a chat's later updates wait for it,
        so that one chat's updates reach the hub in order — on this replica by the task chain,
        across webhook replicas by `self.order` (update_id order, bounded wait)."""
        if self._receive is None:
            return
        event = inbound.event
        chat = event.conversation.channel_id
        before = self._preparing.get(chat)
        if before is not None and before.done():
            self._preparing.pop(chat)
            before = None
        needs_work = event.is_direct or inbound.media_only or inbound.mentioned
        if before is None and self.order is None and not needs_work:
            self._receive(event)
            return
        self._preparing[chat] = self.background.spawn(self._prepare_then_receive(inbound, before))

    async def _prepare_then_receive(
        self, inbound: Inbound, before: asyncio.Task[int | None] | None
    ) -> int | None:
        """Returns what `ConversationOrder.hand_off` says is left pending in the chat, for the
        chat's next update on this replica."""
        event = inbound.event
        chat, seq = event.conversation.channel_id, inbound.update_id
        unblock = event.is_direct  # they wrote again: they no longer block the bot
        clear = True
        if self.order is not None:  # first of all (the unblock rides along: one round trip)
            clear = await self.order.arrive(
                chat, seq, delete=[self.state.blocked_key(chat)] if unblock else []
            )
            unblock = False
        try:
            if unblock:
                await self.state.unblock(chat)
            if inbound.mentioned:
                await self.mentions.remember(event.conversation, inbound.mentioned)
        except Exception as exc:  # noqa: BLE001 — Redis away: the turn still runs (and says so if it must)
            log.warning("telegram hand-off preparation failed: %s", type(exc).__name__, extra=_EXTRA)
        if before is not None:  # this chat's earlier update (on this replica) reaches the hub first
            await asyncio.wait([before])
            left = None if before.cancelled() or before.exception() else before.result()
            clear = left is not None and left >= seq
        if self.order is None:
            self._deliver(inbound)
            return None
        return await self.order.hand_off(chat, seq, lambda: self._deliver(inbound), clear=clear)

    def _deliver(self, inbound: Inbound) -> None:
        """The update's turn to the hub, or (media without text) the text-only notice, sent in
        the background so that no chat's next update waits on a Telegram request."""
        if inbound.media_only:
            self.background.spawn(self._text_only(inbound.event))
        elif self._receive is not None:
            self._receive(inbound.event)

    async def _stop_pressed(self, press: StopPress) -> None:
        """A stop button: the core's `/stop`; its reply answers the press (see `send`). A press
        whose callback data does not verify stops nothing: logged, counted with the refused
        signatures, and the presser's toast says so."""
        if press.refused:
            log.warning(
                "telegram button refused: its callback data does not verify",
                extra={**_EXTRA, "event_id": press.event.id, "reason": "invalid_button"},
            )
            PLATFORM_METRICS.signature_failed(PLATFORM)
            await self._answer_press(press.callback_id, reply_to(press.event, INVALID_BUTTON, notice=True))
            return
        if self._receive is None:
            return
        self._presses[press.event.id] = press.callback_id
        while len(self._presses) > MAX_PRESSES:
            self._presses.popitem(last=False)
        self._receive(press.event)

    async def _answer_press(self, callback_id: str | None, reply: Reply) -> SentRef:
        if callback_id is not None:  # a toast over the button; a draft's own button needs none
            try:
                await self.bot.answer_callback_query(callback_id, text=reply.text[:200])
            except TelegramError as exc:
                log.info("stop press not answered: %s", type(exc).__name__, extra=_EXTRA)
        return SentRef(PLATFORM, "", reply.conversation.channel_id)

    async def _text_only(self, event: Event) -> None:
        """Media without text: say so once (across replicas), never stay silent."""
        if await self.redis.set(self.state.key("text-only", event.id), "1", nx=True, ex=86_400):
            await self.send(reply_to(event, messages.TEXT_ONLY, notice=True))

    async def _business(self, connection_id: str) -> dict[str, str] | None:
        known = await self.state.business(connection_id)
        if known is not None:
            return known
        try:
            link = await self.bot.get_business_connection(connection_id)
        except TelegramError:
            return None
        rights = link.rights
        await self.state.put_business(
            connection_id,
            str(link.user.id),
            can_reply=bool(rights and rights.can_reply),
            enabled=link.is_enabled,
        )
        return await self.state.business(connection_id)

    def _lock(self) -> RedisLock:
        return new_lease(self.redis, self._lock_key, self.options.lock_ttl_s)

    # -- outbound -------------------------------------------------------------------------------
    async def send(self, reply: Reply) -> SentRef | None:
        if reply.in_reply_to in self._presses:  # "Stopped." for a stop button
            return await self._answer_press(self._presses.pop(reply.in_reply_to or ""), reply)
        if reply.interim and not reply.notice:  # a streamed answer's first frame
            return await self.streams.begin(reply)
        return sent_ref(reply.conversation, await self.outbox.post(reply))

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool = False) -> SentRef | None:
        if final:
            return await self.streams.finish(sent, reply)
        await self.streams.update(sent, reply)
        return None

    async def working(self, conversation: ConversationRef, message_id: str | None, active: bool) -> None:
        if active:
            await self.working_sign.start(conversation)
        else:
            await self.working_sign.stop(conversation)

    async def _show_typing(self, conversation: ConversationRef) -> None:
        await self.sender.typing(target_of(conversation))
