"""`/switchboard <admin command>`: acked within Slack's 3 s with an ephemeral answer; work that
takes longer is answered later through the command's `response_url`.

The command line goes to the hub as a COMMAND event; the core's admin gate checks the Slack user
(`slack:U…` in the bot's `admins`) and audits refusals, exactly as on every other platform."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import aiohttp

from adapters.kit.deferred import DeferredAnswers
from adapters.slack.convert import from_slash_command
from adapters.slack.text import render
from core.events import Event, Reply
from core.turns import TurnHandle

log = logging.getLogger(__name__)

RESPONSE_URL_TTL_S = 30 * 60  # Slack accepts a response_url for 30 minutes
WORKING = "Working on it…"


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


class SlashCommands:
    def __init__(self, name: str, *, ack_within: float) -> None:
        self.name = name
        self._deferred = DeferredAnswers(within=ack_within, ttl_s=RESPONSE_URL_TTL_S)
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
        self._deferred.open(event.id, partial(self._follow_up, form.get("response_url", "")))
        inline = await self._deferred.acknowledge(event.id, hand_off(event))
        if inline.replies:
            return ephemeral("\n\n".join(render(r.text) for r in inline.replies))
        return None if inline.finished else ephemeral(WORKING)

    async def take(self, reply: Reply) -> bool:
        """Deliver `reply` if it answers a slash command; False when it does not."""
        return await self._deferred.take(reply)

    async def _follow_up(self, response_url: str, reply: Reply) -> None:
        if not response_url or self._session is None:
            log.warning("slash command answer dropped: no response_url", extra={"platform": "slack"})
            return
        body = {**ephemeral(render(reply.text)), "replace_original": False}
        async with self._session.post(response_url, json=body) as response:
            if response.status >= 400:
                log.error(
                    "response_url refused the answer: HTTP %d", response.status, extra={"platform": "slack"}
                )
