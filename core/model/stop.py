"""`/stop`: end the person's running answer.

The hub sets the job's cancel flag in Redis; the worker looks at it between tokens
(`core.model.jobs`), ends the job and publishes what it made so far as the final answer, which
is delivered marked "(stopped)" — no apology. A job still waiting in the queue is taken out
and finished here (it never starts). Only the person who asked may stop an answer.

Platform stop buttons (the web chat's, Telegram's, Discord's) send `/stop <token>` for the
answer they sit on (the token is the job id, `Reply.stop_token`); a plain `/stop` ends every
answer the sender is waiting for in that conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import cast

from redis.asyncio import Redis

from core import messages
from core.admin import AdminCommand, AdminContext
from core.events import ConversationRef
from core.model.contract import Kind, ModelKeys
from core.model.delivery import STOPPED
from core.model.pending import PendingStore, PendingTurn
from core.model.queue import ModelQueues
from core.turns import Outcome

log = logging.getLogger(__name__)

FLAG_TTL_S = 3_600  # outlives any job timeout; the flag means nothing once the job is over

Drain = Callable[[ConversationRef], Awaitable[int]]


class Stopper:
    def __init__(
        self, redis: Redis, keys: ModelKeys, store: PendingStore, queues: ModelQueues, drain: Drain
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._store = store
        self._queues = queues
        self._drain = drain

    async def stop(self, conversation: ConversationRef, sender: str, token: str = "") -> int:
        """Stop `sender`'s unfinished answers in `conversation` (only the one `token` names, if
        given); returns how many were stopped."""
        jobs = cast(
            "dict[str, str]", await self._redis.hgetall(self._keys.conversation_jobs(conversation.key))
        )
        stopped = 0
        for job_id in jobs.values():
            if token and job_id != token:
                continue
            turn = await self._store.load(job_id)
            if turn is None or turn.result_kind or turn.recipient_id != sender:
                continue
            await self._stop(turn)
            stopped += 1
        return stopped

    async def _stop(self, turn: PendingTurn) -> None:
        await self._redis.set(self._keys.cancel(turn.job_id), "1", ex=FLAG_TTL_S)
        if await self._redis.exists(self._keys.lease(turn.job_id)):
            log.info("model job stop requested", extra={"job_id": turn.job_id})
            return  # running: the worker ends it at its next check and sends what it has
        # not started: it never will (and if a worker took it just now, it sees the flag first)
        await self._queues.discard(turn.rq_id)
        if await self._store.set_result(turn.job_id, Kind.FINAL, "", STOPPED):
            log.info("queued model job stopped before it started", extra={"job_id": turn.job_id})
            await self._drain(turn.conversation)


def stop_command(stopper: Stopper) -> AdminCommand:
    """`/stop` for everyone: the person's own running answers in this conversation."""

    async def handler(ctx: AdminContext) -> str:
        event = ctx.event
        token = ctx.args[0] if ctx.args else ""
        count = await stopper.stop(event.conversation, event.sender_id, token)
        return messages.STOPPED if count else messages.NOTHING_TO_STOP

    return AdminCommand(
        "stop",
        "stop",
        "stops the answer I am writing for you",
        handler,
        anyone=True,
        outcome=Outcome.STOPPED,
    )
