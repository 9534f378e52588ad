"""The "working on it" sign: a reaction on the asking message, added when an answer takes longer
than `delay` (a queued model job), removed when the answer is posted or the turn ends."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from slack_sdk.errors import SlackApiError

from adapters.slack.state import SlackState
from adapters.slack.workspaces import Workspaces
from core.events import ConversationRef, Event

log = logging.getLogger(__name__)


class WorkingReaction:
    def __init__(self, workspaces: Workspaces, state: SlackState, *, reaction: str, delay: float) -> None:
        self._workspaces = workspaces
        self._state = state
        self._reaction = reaction
        self._delay = delay
        self._asking: OrderedDict[str, str] = OrderedDict()  # conversation key -> asking message ts
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._shown: set[str] = set()  # conversations where this replica added the reaction

    def asked(self, event: Event) -> None:
        if event.message_id:
            self._asking[event.conversation.key] = event.message_id
            self._asking.move_to_end(event.conversation.key)
            if len(self._asking) > 10_000:
                self._asking.popitem(last=False)

    def show(self, conversation: ConversationRef) -> None:
        ts = self._asking.get(conversation.key)
        if ts is None or conversation.key in self._pending:
            return
        task = asyncio.get_running_loop().create_task(self._add_later(conversation, ts))
        self._pending[conversation.key] = task
        task.add_done_callback(lambda _t: self._pending.pop(conversation.key, None))

    async def _add_later(self, conversation: ConversationRef, ts: str) -> None:
        await asyncio.sleep(self._delay)
        team, channel = conversation.workspace_id, conversation.channel_id
        try:
            client = await self._workspaces.client(team)
            await self._state.mark_working(team, channel, ts)
            self._shown.add(conversation.key)
            await client.reactions_add(channel=channel, timestamp=ts, name=self._reaction)
        except SlackApiError as exc:
            log.info("working reaction not added: %s", exc.response.get("error"), extra={"platform": "slack"})

    async def done(
        self, conversation: ConversationRef, ts: str | None = None, *, anywhere: bool = False
    ) -> None:
        """The answer is there (or the turn ended): cancel or take away the reaction. `anywhere`:
        it may have been added by another replica (an answer that finished a queued turn)."""
        task = self._pending.pop(conversation.key, None)
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if not anywhere and conversation.key not in self._shown:
            return
        self._shown.discard(conversation.key)
        ts = ts or self._asking.get(conversation.key)
        if ts is None:
            return
        team, channel = conversation.workspace_id, conversation.channel_id
        if not await self._state.clear_working(team, channel, ts):
            return
        try:
            client = await self._workspaces.client(team)
            await client.reactions_remove(channel=channel, timestamp=ts, name=self._reaction)
        except SlackApiError as exc:
            log.info(
                "working reaction not removed: %s", exc.response.get("error"), extra={"platform": "slack"}
            )

    async def stop(self) -> None:
        for task in list(self._pending.values()):
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
