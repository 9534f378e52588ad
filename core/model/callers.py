"""Model answers for callers who wait on one replica: the web chat and the REST API.

A web chat socket and a REST request are connected to one hub replica, while a model result is
read from the stream by whichever replica gets it first. So those adapters *hold* their callers
here: the web chat holds a conversation while a socket for it is open, a REST request holds its
event while it waits. A hold is a Redis key naming the replica (`sb:callers:<key>`).

Before an answer (or a streamed frame) for such a platform is delivered, `where(turn)` says who
may deliver it: this replica, another live one (woken on its channel, `sb:callers:wake:<id>`,
with the masked frame or "drain this conversation"), or nobody — then the answer stays pending
in Redis (masked) until a hold appears: the browser reconnects (to any replica), or the REST
client retries with the same `message_id`. Holding drains the conversation at once.

Replicas announce themselves (`sb:hub:alive:<id>`, a few seconds' TTL): a hold of a replica
that died reads as nobody, so its answers wait for the reconnect or the retry.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import cast

from redis.asyncio import Redis

from core import locks
from core.errors import is_outage
from core.events import ConversationRef
from core.model.pending import PendingTurn
from core.tasks import TaskGroup

log = logging.getLogger(__name__)

ALIVE_TTL_S = 5
BEAT_EVERY_S = 1.0
HOLD_TTL_S = 30  # refreshed while held; a replica's death is seen sooner, through ALIVE_TTL_S
REFRESH_EVERY_S = 10.0
MAX_WAKES_IN_FLIGHT = 1_000

HERE = "here"
NOBODY = ""

Drain = Callable[[ConversationRef], Awaitable[int]]
Partial = Callable[[str, int, str], Awaitable[None]]

# Keep a hold fresh while it is still ours (a newer connection elsewhere wins); put it back if
# it is gone (returns 2: what waited meanwhile is delivered then).
_REFRESH = """
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 2
end
return 0
"""


class Callers:
    def __init__(self, redis: Redis, *, prefix: str, replica: str, platforms: Collection[str]) -> None:
        self._redis = redis
        self._prefix = prefix
        self.replica = replica
        self.platforms = frozenset(platforms)
        self._held: dict[str, tuple[ConversationRef, str]] = {}  # key -> (conversation, value set)
        self._holds = itertools.count(1)
        self._refresh = redis.register_script(_REFRESH)
        self._drain: Drain | None = None
        self._partial: Partial | None = None
        self._wakes = TaskGroup("model callers")
        self.stopping = asyncio.Event()

    def bind(self, drain: Drain, partial: Partial) -> None:
        """What a wake-up does here: drain a conversation, or show a streamed frame."""
        self._drain, self._partial = drain, partial

    # -- names ------------------------------------------------------------------------------
    def _hold_key(self, key: str) -> str:
        return f"{self._prefix}:callers:{key}"

    def _alive_key(self, replica: str) -> str:
        return f"{self._prefix}:hub:alive:{replica}"

    def _wake_channel(self, replica: str) -> str:
        return f"{self._prefix}:callers:wake:{replica}"

    # -- what adapters call -------------------------------------------------------------------
    async def hold(self, key: str, conversation: ConversationRef) -> None:
        """This replica now holds the caller known by `key` (a conversation key or an event id):
        answers for it come here. Delivers what was waiting for it."""
        value = f"{self.replica}#{next(self._holds)}"  # this hold's own value: an older one's
        self._held[key] = (conversation, value)  # release, arriving late, cannot remove it
        try:
            await self._redis.set(self._hold_key(key), value, ex=HOLD_TTL_S)
            if self._drain is not None:
                await self._drain(conversation)
        except Exception as exc:
            if not is_outage(exc):
                raise
            # Redis is away: the caller is served all the same; the refresh puts the hold back
            # (and delivers what waited) once Redis answers again
            log.warning("caller hold not recorded yet: %s", type(exc).__name__)

    async def release(self, key: str) -> None:
        """The caller went away (socket closed, response written); answers for it wait in Redis."""
        held = self._held.pop(key, None)
        if held is None:
            return
        try:
            await locks.release(self._redis, self._hold_key(key), held[1])
        except Exception as exc:
            if not is_outage(exc):
                raise
            log.info("caller hold left to expire: %s", type(exc).__name__)  # within HOLD_TTL_S

    # -- what delivery asks -------------------------------------------------------------------
    async def where(self, turn: PendingTurn) -> str:
        """HERE, another live replica's id, or NOBODY (the answer waits for a hold)."""
        if turn.conversation.platform not in self.platforms:
            return HERE  # any replica can post to Slack, Telegram, Discord, a helpdesk
        keys = [self._hold_key(turn.event_id), self._hold_key(turn.conversation.key)]
        values = cast("list[str | None]", await self._redis.mget(keys))
        held_by = next((v for v in values if v), None)
        if held_by is None:
            return NOBODY
        owner = held_by.partition("#")[0]
        if owner == self.replica:
            return HERE
        return owner if await self._redis.exists(self._alive_key(owner)) else NOBODY

    async def wake(self, replica: str, conversation: ConversationRef) -> None:
        """Ask `replica` to deliver what is ready in `conversation`."""
        message = {"conversation": conversation.to_dict()}
        await self._redis.publish(self._wake_channel(replica), json.dumps(message))

    async def forward_partial(self, replica: str, job_id: str, attempt: int, text: str) -> None:
        """Hand a streamed frame (masked text) to the replica that holds its caller."""
        message = {"partial": {"job": job_id, "attempt": attempt, "text": text}}
        await self._redis.publish(self._wake_channel(replica), json.dumps(message))

    # -- the loop -----------------------------------------------------------------------------
    async def run(self) -> None:
        """Announce this replica, keep its holds fresh, and act on wake-ups."""
        while not self.stopping.is_set():
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — Redis went away: listen again after a pause
                log.warning("caller wake-ups interrupted: %s", type(exc).__name__)
                try:
                    await asyncio.wait_for(self.stopping.wait(), 0.5)
                except TimeoutError:
                    pass

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self._wake_channel(self.replica))
        try:
            await self._beat()
            await self._refresh_holds()  # holds taken while Redis was away are recorded now
            for conversation, _value in list(self._held.values()):  # a wake-up may have been missed
                self._spawn(json.dumps({"conversation": conversation.to_dict()}))
            loop = asyncio.get_running_loop()
            last_beat = last_refresh = loop.time()
            while not self.stopping.is_set():
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=BEAT_EVERY_S)
                if message is not None:
                    self._spawn(message["data"])
                now = loop.time()
                if now - last_beat >= BEAT_EVERY_S:
                    await self._beat()
                    last_beat = now
                if now - last_refresh >= REFRESH_EVERY_S:
                    await self._refresh_holds()
                    last_refresh = now
        finally:
            await pubsub.aclose()

    async def _refresh_holds(self) -> None:
        for key, (conversation, value) in list(self._held.items()):
            restored = await self._refresh(keys=[self._hold_key(key)], args=[value, HOLD_TTL_S])
            if restored == 2:  # it had expired (Redis restarted?): deliver what waited for it
                self._spawn(json.dumps({"conversation": conversation.to_dict()}))

    async def _beat(self) -> None:
        await self._redis.set(self._alive_key(self.replica), "1", ex=ALIVE_TTL_S)

    def _spawn(self, data: str) -> None:
        """Act on a wake-up beside the loop, so heartbeats never wait for a delivery."""
        if len(self._wakes) >= MAX_WAKES_IN_FLIGHT:
            log.warning("too many caller wake-ups in flight; one dropped (the sweeper retries it)")
            return
        self._wakes.spawn(self._on_wake(data))

    async def _on_wake(self, data: str) -> None:
        try:
            message = json.loads(data)
            if "partial" in message and self._partial is not None:
                frame = message["partial"]
                await self._partial(str(frame["job"]), int(frame["attempt"]), str(frame["text"]))
            elif "conversation" in message and self._drain is not None:
                await self._drain(ConversationRef.from_dict(message["conversation"]))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("unreadable caller wake-up ignored: %s", type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 — the answer stays pending; the sweeper retries
            log.warning("delivery on wake-up failed: %s", type(exc).__name__)

    async def close(self) -> None:
        """Say this replica is gone: its holds read as nobody at once."""
        await self._wakes.stop(grace_s=2.0)
        try:
            await self._redis.delete(self._alive_key(self.replica))
        except Exception as exc:  # noqa: BLE001 — Redis may be down at shutdown
            log.debug("replica mark not removed: %s", type(exc).__name__)
