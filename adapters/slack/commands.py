"""`/switchboard <admin command>`: acked within Slack's 3 s with an ephemeral answer; work that
takes longer is answered later through the command's `response_url`.

The command line goes to the hub as a COMMAND event; the core's admin gate checks the Slack user
(`slack:U…` in the bot's `admins`) and audits refusals, exactly as on every other platform."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from adapters.slack.convert import from_slash_command
from adapters.slack.text import render
from core.events import Event, Reply
from core.turns import Outcome, TurnHandle

log = logging.getLogger(__name__)

RESPONSE_URL_TTL_S = 30 * 60  # Slack accepts a response_url for 30 minutes
WORKING = "Working on it…"


@dataclass(slots=True)
class _Pending:
    response_url: str = field(repr=False)
    created: float = field(default_factory=time.monotonic)
    acked: bool = False
    replies: list[Reply] = field(default_factory=list)


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


class SlashCommands:
    def __init__(self, name: str, *, ack_within: float) -> None:
        self.name = name
        self._ack_within = ack_within
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def handle(
        self, form: Mapping[str, str], hand_off: Callable[[Event], TurnHandle | None]
    ) -> dict[str, Any] | None:
        """Run the command's turn; answer inline if it finishes in time, else ack and follow up."""
        if form.get("command") != self.name:
            return ephemeral(f"This app only answers `{self.name}`.")
        event = from_slash_command(form)
        self._forget_old()
        slot = self._pending[event.id] = _Pending(response_url=form.get("response_url", ""))
        turn = hand_off(event)
        finished = False
        if turn is not None:
            await turn.wait(self._ack_within)
            finished = turn.done()
        slot.acked = True
        if finished and turn is not None and turn.outcome != Outcome.QUEUED:
            self._pending.pop(event.id, None)
        if slot.replies:
            return ephemeral("\n\n".join(render(r.text) for r in slot.replies))
        return None if finished else ephemeral(WORKING)

    async def take(self, reply: Reply) -> bool:
        """Deliver `reply` if it answers a slash command; False when it does not."""
        slot = self._pending.get(reply.in_reply_to or "")
        if slot is None:
            return False
        if not slot.acked:
            slot.replies.append(reply)
            return True
        await self._follow_up(slot, reply)
        return True

    async def _follow_up(self, slot: _Pending, reply: Reply) -> None:
        if not slot.response_url or self._session is None:
            log.warning("slash command answer dropped: no response_url", extra={"platform": "slack"})
            return
        body = {**ephemeral(render(reply.text)), "replace_original": False}
        async with self._session.post(slot.response_url, json=body) as response:
            if response.status >= 400:
                log.error(
                    "response_url refused the answer: HTTP %d", response.status, extra={"platform": "slack"}
                )

    def _forget_old(self) -> None:
        horizon = time.monotonic() - RESPONSE_URL_TTL_S
        while self._pending:
            key, slot = next(iter(self._pending.items()))
            if slot.created >= horizon and len(self._pending) < 10_000:
                break
            self._pending.pop(key)
