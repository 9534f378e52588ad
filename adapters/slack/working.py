"""The "working on it" sign: a reaction on the asking message, added when an answer takes longer
than `delay` (a queued model job), and removed by whichever hub replica sends the final reply
for that message — answer, apology or timeout notice. Its state lives in Redis, per message
(`SlackState.claim_working` / `confirm_working` / `finish_working`), so an answer delivered by
another replica, or one that arrives while the reaction is being added, still takes it away."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.state import SlackState
from adapters.slack.workspaces import Workspaces
from core.events import ConversationRef, Event
from core.turns import TurnHandle

log = logging.getLogger(__name__)


class WorkingReaction:
    def __init__(self, workspaces: Workspaces, state: SlackState, *, reaction: str, delay: float) -> None:
        self._workspaces = workspaces
        self._state = state
        self._reaction = reaction
        self._delay = delay
        self._running: set[str] = set()  # asking ts of turns running on this replica
        self._waiting: dict[str, asyncio.Task[None]] = {}  # asking ts -> add, still in its delay
        self._tasks: set[asyncio.Task[None]] = set()

    def asked(self, event: Event, turn: TurnHandle | None) -> None:
        """`event` was handed to the hub; `turn` is the handle the hub returned."""
        ts = event.message_id
        if ts and turn is not None:
            self._running.add(ts)
            turn.add_done_callback(lambda _turn: self._running.discard(ts))

    def running(self, ts: str | None) -> bool:
        """A turn for the message `ts` is still running here (its notices are not final yet)."""
        return ts in self._running

    def show(self, conversation: ConversationRef, ts: str | None) -> None:
        if ts is None or ts not in self._running or ts in self._waiting:
            return
        task = asyncio.get_running_loop().create_task(self._add_later(conversation, ts))
        self._waiting[ts] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _add_later(self, conversation: ConversationRef, ts: str) -> None:
        await asyncio.sleep(self._delay)
        self._waiting.pop(ts, None)  # from here on `done` no longer cancels: Redis decides
        team, channel = conversation.workspace_id, conversation.channel_id
        try:
            if not await self._state.claim_working(team, channel, ts):
                return  # the final reply is already out (perhaps from another replica)
            client = await self._workspaces.client(team)
            try:
                await client.reactions_add(channel=channel, timestamp=ts, name=self._reaction)
            except SlackApiError as exc:
                if exc.response.get("error") != "already_reacted":
                    log.info(
                        "working reaction not added: %s",
                        exc.response.get("error"),
                        extra={"platform": "slack"},
                    )
                    return
            if not await self._state.confirm_working(team, channel, ts):
                await self._remove(client, channel, ts)  # the answer came while we were adding
        except Exception as exc:  # noqa: BLE001 — a background nicety must not raise
            log.warning("working reaction failed: %s", type(exc).__name__, extra={"platform": "slack"})

    async def done(self, conversation: ConversationRef, ts: str | None) -> None:
        """The final reply for the message `ts` went out (on this replica or any other)."""
        if not ts:
            return
        waiting = self._waiting.pop(ts, None)
        if waiting is not None:
            waiting.cancel()  # still in its delay, and only this replica shows it: nothing to undo
            return
        team, channel = conversation.workspace_id, conversation.channel_id
        if await self._state.finish_working(team, channel, ts):
            await self._remove(await self._workspaces.client(team), channel, ts)

    async def _remove(self, client: AsyncWebClient, channel: str, ts: str) -> None:
        try:
            await client.reactions_remove(channel=channel, timestamp=ts, name=self._reaction)
        except SlackApiError as exc:
            log.info(
                "working reaction not removed: %s", exc.response.get("error"), extra={"platform": "slack"}
            )

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
