"""`DiscordAdapter`: ties the gateway (one session per shard across replicas), the conversion,
the REST client, slash commands and the signed interactions endpoint together behind the core's
Adapter protocol."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from adapters.discord.answers import REF_PREFIX, InteractionAnswers
from adapters.discord.config import DiscordConfig
from adapters.discord.convert import (
    PLATFORM,
    Inbound,
    Interaction,
    Ping,
    Refused,
    Skip,
    from_dispatch,
    stop_ids,
)
from adapters.discord.gateway import Gateway, ShardSession
from adapters.discord.interactions import Interactions
from adapters.discord.outbound import Outbox
from adapters.discord.rest import DiscordRest
from adapters.discord.state import DiscordState
from adapters.discord.typing import TypingSign
from core import messages
from core.adapter import Receive
from core.errors import ConfigError
from core.events import ConversationRef, Event, Reply, SentRef, reply_to
from core.tasks import TaskGroup

log = logging.getLogger(__name__)

CATCH_UP_MAX_AGE_S = 15 * 60  # after a gap, messages older than this are not answered any more


class DiscordAdapter:
    name = PLATFORM

    def __init__(self, config: DiscordConfig, redis: Redis, *, key_prefix: str = "sb") -> None:
        problems = config.problems()
        if problems:
            raise ConfigError(problems, source="environment (Discord)")
        self.config = config
        options = config.options
        self.state = DiscordState(redis, key_prefix)
        self.rest = DiscordRest(config)
        assert config.bot_token is not None  # problems() said so otherwise
        self.buttons = stop_ids(config.bot_token)  # Stop buttons' custom ids, signed
        self.outbox = Outbox(
            self.rest,
            self.state,
            self.buttons,
            max_chars=options.max_chars,
            edit_interval=options.edit_interval_s,
            attach_over_chars=options.attach_over_chars,
        )
        self.typing_sign = TypingSign(self.rest)
        answers = InteractionAnswers(
            self.rest, self.outbox.chunks, self.buttons, edit_interval=options.edit_interval_s
        )
        self.interactions = Interactions(self.rest, answers, ack_within=options.command_ack_s)
        self.gateway = (
            Gateway(config, redis, self.state.key("gateway", self._bot_key()), self._on_gateway)
            if options.gateway
            else None
        )
        self._receive: Receive | None = None
        self.background = TaskGroup(PLATFORM)  # hand-offs that outlive the ack

    def _bot_key(self) -> str:
        if self.config.application_id:
            return self.config.application_id
        token = self.config.bot_token.reveal() if self.config.bot_token else "-"
        return token.split(".")[0][-16:] or "-"  # the token's first part is the bot id, base64

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, receive: Receive) -> None:
        self._receive = receive
        await self.rest.start()
        if self.gateway is not None:
            await self.gateway.start()

    async def stop(self) -> None:
        self._receive = None
        if self.gateway is not None:
            await self.gateway.stop()
        await self.background.stop()
        await self.outbox.drain()
        await self.interactions.answers.drain()
        await self.typing_sign.stop()
        await self.rest.stop()

    def routes(self) -> list[web.AbstractRouteDef]:
        if not self.config.public_key:
            return []
        return self.interactions.routes(self.config.public_key, self._on_interaction)

    async def status(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "transport": "gateway" if self.gateway else "interactions endpoint",
            "interactions_endpoint": bool(self.config.public_key),
            "refused_requests": dict(self.rest.refusals),
        }
        if self.gateway is not None:
            data["gateway"] = self.gateway.status()
        return data

    # -- inbound --------------------------------------------------------------------------------
    def _on_gateway(self, name: str, data: dict[str, Any], session: ShardSession) -> None:
        """Called by discord.py's parser for each dispatch (in the hub's loop): never blocks."""
        if name == "READY":
            session.readies += 1
            if session.readies > 1 or session.fence is not None:
                self._spawn(self._catch_up(session))
            return
        if name == "MESSAGE_CREATE" and data.get("channel_id") and data.get("id"):
            self._spawn(self.state.saw(str(data["channel_id"]), str(data["id"])))
        in_thread = session.channel_is_thread(str(data.get("channel_id") or ""))
        try:
            result = from_dispatch(
                {"t": name, "d": data},
                self.rest.identity,
                in_thread=in_thread,
                answer_bots=self.config.options.answer_bots,
                buttons=self.buttons,
            )
        except Exception as exc:  # noqa: BLE001 — one bad dispatch must not stop the session
            log.warning(
                "discord dispatch %s unreadable: %s", name, type(exc).__name__, extra={"platform": PLATFORM}
            )
            return
        self._route(result)

    def _route(self, result: Inbound | Interaction | Refused | Ping | Skip) -> None:
        if isinstance(result, Skip | Ping):
            return
        if isinstance(result, Refused):
            self._spawn(self.interactions.refuse_over_gateway(result))
            return
        if isinstance(result, Interaction):
            self._spawn(self.interactions.over_gateway(result, self._hand_off))
            return
        if result.needs_thread_check:
            self._spawn(self._hand_off_if_in_thread(result))
        elif result.media_only:
            self._spawn(self._text_only(result.event))
        else:
            self._hand_off(result.event)

    async def _hand_off_if_in_thread(self, inbound: Inbound) -> None:
        if not await self.state.in_thread(inbound.event.conversation.channel_id):
            return
        if inbound.media_only:
            await self._text_only(inbound.event)
        else:
            self._hand_off(inbound.event)

    async def _text_only(self, event: Event) -> None:
        await self.send(reply_to(event, messages.TEXT_ONLY, notice=True))

    def _hand_off(self, event: Event) -> Any:
        if self._receive is None:
            return None
        return self._receive(event)

    async def _on_interaction(self, result: Interaction) -> Any:
        """An interaction from the signed HTTP endpoint (its ack is the endpoint's business)."""
        return self._hand_off(result.event)

    async def _catch_up(self, session: ShardSession) -> None:
        """A new session (not RESUMED): what was said while nobody listened is fetched and handled
        like live messages; the core's dedup stage drops what was handled before the gap."""
        import time

        horizon_ms = (time.time() - CATCH_UP_MAX_AGE_S) * 1000 - 1_420_070_400_000
        limit = self.config.options.history_limit
        if limit == 0:
            return
        for channel, newest in await self.state.last_seen():
            if (int(newest) >> 22) < horizon_ms:
                break
            try:
                missed = await self.rest.history(channel, after=newest, limit=limit)
            except Exception as exc:  # noqa: BLE001 — a channel we can no longer read
                log.info("catch-up skipped a channel: %s", type(exc).__name__, extra={"platform": PLATFORM})
                continue
            for data in missed:
                self._on_gateway("MESSAGE_CREATE", data, session)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        self.background.spawn(coro)

    # -- outbound -------------------------------------------------------------------------------
    async def send(self, reply: Reply) -> SentRef | None:
        asker = _asker(reply)
        ref = await self.interactions.answers.take(reply, asker)
        if ref is not None:
            return SentRef(PLATFORM, ref, reply.conversation.channel_id)
        if not reply.notice:
            self.typing_sign.stop_in(reply.conversation)
        ids = await self.outbox.post(reply, asker)
        return SentRef(PLATFORM, ids[0], reply.conversation.channel_id, more_ids=tuple(ids[1:]))

    @property
    def max_chars(self) -> int:
        return self.config.options.max_chars

    @property
    def edit_interval(self) -> float:
        """The one pace of a streamed answer here (the worker publishes at it, edits follow it)."""
        return self.config.options.edit_interval_s

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool = False) -> SentRef:
        if sent.message_id.startswith(REF_PREFIX):
            if not self.interactions.answers.edit(sent.message_id, reply):
                await self.outbox.post(reply, None)  # the interaction token expired: say it plainly
        else:
            ids = self.outbox.edit(list(sent.message_ids), reply, _asker(reply))
            sent = SentRef(PLATFORM, ids[0], sent.channel_id, tuple(ids[1:]))
        if final:  # awaited: pending edits land, a failed final edit is posted anew
            await self.outbox.finish(reply.conversation)
            await self.interactions.answers.finish(reply.conversation)
        return sent

    async def working(self, conversation: ConversationRef, message_id: str | None, active: bool) -> None:
        if active:
            if self.config.options.typing:
                self.typing_sign.start_in(conversation)
            return
        self.typing_sign.stop_in(conversation)
        await self.outbox.finish(conversation)
        await self.interactions.answers.finish(conversation)


def _asker(reply: Reply) -> str | None:
    """The one user a reply may ping: the person it answers (a Discord snowflake)."""
    recipient = reply.recipient_id
    return recipient if recipient and recipient.isdigit() else None
