"""`SlackAdapter`: ties the receiver (HTTP or Socket Mode), the conversion, the outbox, slash
commands, the working reaction and OAuth installs together behind the core's Adapter protocol."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Coroutine, Mapping
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from adapters.kit.recent import RecentIds
from adapters.slack.commands import SlashCommands
from adapters.slack.config import SlackConfig
from adapters.slack.convert import PLATFORM, Inbound, MalformedPayload, Skip, from_event_callback, team_of
from adapters.slack.installations import InstallationStore
from adapters.slack.oauth import OAuthFlow
from adapters.slack.outbound import Outbox
from adapters.slack.people import People
from adapters.slack.receiver import HttpReceiver
from adapters.slack.schema import check_envelope
from adapters.slack.socket_mode import SocketModeRunner
from adapters.slack.state import SlackState
from adapters.slack.verify import SignatureVerifier
from adapters.slack.working import working_reaction
from adapters.slack.workspaces import Workspaces
from core.adapter import Receive
from core.errors import ConfigError, SwitchboardError
from core.events import ConversationRef, Event, Reply, SentRef
from core.locks import RedisLock
from core.tasks import TaskGroup
from core.turns import TurnHandle

log = logging.getLogger(__name__)


class SlackAdapter:
    name = PLATFORM

    def __init__(self, config: SlackConfig, redis: Redis, *, key_prefix: str = "sb") -> None:
        problems = config.problems()
        if problems:
            raise ConfigError(problems, source="environment (Slack)")
        self.config = config
        options = config.options
        self.state = SlackState(redis, key_prefix)
        self.installations = (
            InstallationStore.from_config(redis, config, key_prefix) if config.oauth else None
        )
        self.workspaces = Workspaces(config, self.installations)
        self.outbox = Outbox(
            self.workspaces,
            self.state,
            max_chars=options.max_chars,
            post_interval=options.post_interval_s,
            edit_interval=options.edit_interval_s,
        )
        self.working_sign = working_reaction(
            self.workspaces, self.state, reaction=options.working_reaction, delay=options.working_delay_s
        )
        self.people = People(self.workspaces)
        self.commands = SlashCommands(options.command, ack_within=options.command_ack_s)
        self._recent = RecentIds()
        self._receive: Receive | None = None
        self.background = TaskGroup(PLATFORM)  # hand-offs that outlive the ack
        self._socket: SocketModeRunner | None = None
        self._lock_key = self.state.key(
            "socket-lock", config.app_token.reveal()[-12:] if config.app_token else "-"
        )

    # -- lifecycle ----------------------------------------------------------------------------
    async def start(self, receive: Receive) -> None:
        self._receive = receive
        await self.workspaces.start()
        await self.commands.start()
        if self.config.socket_mode and self.config.app_token:
            lock = RedisLock(self.state.redis, self._lock_key, self.config.options.lock_ttl_s)
            self._socket = SocketModeRunner(
                self.config.app_token, self.workspaces.anonymous(), lock, self.on_envelope, self.on_command
            )
            await self._socket.start()

    async def stop(self) -> None:
        self._receive = None
        if self._socket is not None:
            await self._socket.stop()
        await self.background.stop()
        await self.outbox.drain()
        await self.working_sign.stop()
        await self.commands.stop()
        await self.workspaces.stop()

    def routes(self) -> list[web.AbstractRouteDef]:
        routes: list[web.AbstractRouteDef] = []
        if self.config.signing_secret:
            verifier = SignatureVerifier(self.config.signing_secret)
            routes += HttpReceiver(verifier, self.on_envelope, self.on_command).routes()
        if self.installations is not None:
            routes += OAuthFlow(self.config, self.state, self.installations, self.workspaces).routes()
        return routes

    async def status(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "mode": "socket" if self._socket else "http",
            "team": self.workspaces.default_team,
        }
        if self._socket is not None:
            data["socket_holder"] = self._socket.holding
        if self.installations is not None:
            data["installations"] = await self.installations.count()
        return data

    # -- inbound --------------------------------------------------------------------------------
    async def on_envelope(self, envelope: dict[str, Any]) -> dict[str, Any] | None:
        """One Events API envelope (HTTP body or Socket Mode payload). Returns the ack body."""
        envelope = check_envelope(envelope)  # wrong JSON types: MalformedPayload (400), not a crash
        kind = envelope.get("type")
        if kind == "url_verification":
            return {"challenge": str(envelope.get("challenge", ""))}
        if kind != "event_callback":
            log.info("slack envelope of type %s acknowledged", str(kind)[:40], extra={"platform": PLATFORM})
            return None
        event_id = envelope.get("event_id")
        if not isinstance(event_id, str):
            raise MalformedPayload("event_callback without 'event_id'")
        if not self._recent.first_time(event_id):
            return None  # a retry this replica already handed off
        try:
            identity = await self.workspaces.identity(team_of(envelope))
        except SwitchboardError as exc:  # no installation for that team, or an unreadable token
            log.warning("slack event dropped: %s", exc, extra={"event_id": f"slack:{event_id}"})
            return None
        result = from_event_callback(envelope, identity, answer_bots=self.config.options.answer_bots)
        if isinstance(result, Skip):
            log.debug("slack event ignored: %s", result.reason, extra={"event_id": f"slack:{event_id}"})
            return None
        if result.needs_thread_check or result.mentioned or _in_thread(result.event):
            self._spawn(self._hand_off_later(result))
        else:
            self._hand_off(result.event)
        return None

    async def _hand_off_later(self, inbound: Inbound) -> None:
        event = inbound.event
        conversation = event.conversation
        if inbound.needs_thread_check and not await self.state.in_thread(
            conversation.workspace_id, conversation.channel_id, conversation.thread_id or ""
        ):
            return
        await self.state.remember_mentions(conversation, inbound.mentioned)
        if _in_thread(event):  # who wrote it (a bridge relays thread replies under their name)
            person = await self.people.who(conversation.workspace_id, event.sender_id)
            event = dataclasses.replace(event, sender_name=person.name, sender_email=person.email)
        self._hand_off(event)

    def _hand_off(self, event: Event) -> TurnHandle | None:
        if self._receive is None:
            return None
        turn = self._receive(event)
        self.working_sign.asked(event, turn)
        return turn

    async def on_command(self, form: Mapping[str, str]) -> dict[str, Any] | None:
        return await self.commands.handle(form, self._hand_off)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        self.background.spawn(coro)

    # -- outbound -------------------------------------------------------------------------------
    @property
    def max_chars(self) -> int:
        return self.config.options.max_chars

    @property
    def edit_interval(self) -> float:
        """The one pace of a streamed answer here (the worker publishes at it, edits follow it)."""
        return self.config.options.edit_interval_s

    async def send(self, reply: Reply) -> SentRef | None:
        if await self.commands.take(reply):
            return None
        conversation = reply.conversation
        if reply.ephemeral and reply.recipient_id and not conversation.channel_id.startswith("D"):
            return await self.send_ephemeral(reply)
        try:
            stamps = await self.outbox.post(reply)
        finally:
            # The final reply for the asking message (answer, apology, timeout notice) takes the
            # working reaction away, from any replica; a notice sent while its turn still runs
            # here (a queue position) is not final.
            if not (reply.notice and self.working_sign.running(reply.quote_id)):
                await self.working_sign.off(conversation, reply.quote_id)
        return SentRef(PLATFORM, stamps[0], conversation.channel_id, tuple(stamps[1:]))

    async def send_ephemeral(self, reply: Reply) -> SentRef:
        ts = await self.outbox.post_ephemeral(reply, reply.recipient_id or "")
        return SentRef(PLATFORM, ts, reply.conversation.channel_id)

    async def edit(self, sent: SentRef, reply: Reply, *, final: bool = False) -> SentRef:
        stamps = await self.outbox.edit(sent.message_ids, reply)
        if final:
            stamps = await self.outbox.finish(sent.message_id)  # a failed final edit is posted anew
        return SentRef(PLATFORM, stamps[0], sent.channel_id, tuple(stamps[1:]))

    async def working(self, conversation: ConversationRef, message_id: str | None, active: bool) -> None:
        if active:
            self.working_sign.on(conversation, message_id)
        else:
            await self.working_sign.off(conversation, message_id)


def _in_thread(event: Event) -> bool:
    """A reply inside a channel thread (not the thread's first message, not a DM)."""
    thread = event.conversation.thread_id
    return not event.is_direct and thread is not None and thread != event.message_id
