"""The typing indicator while an answer is queued or generated: Discord shows it for about 10 s
per call, so it is sent again every `refresh_s` until the answer goes out (or `max_s` passes)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from adapters.discord.rest import DiscordRest
from core.events import ConversationRef

log = logging.getLogger(__name__)


class TypingSign:
    def __init__(self, rest: DiscordRest, *, refresh_s: float = 8.0, max_s: float = 180.0) -> None:
        self._rest = rest
        self._refresh_s = refresh_s
        self._max_s = max_s
        self._loops: dict[str, asyncio.Task[None]] = {}

    def start_in(self, conversation: ConversationRef) -> None:
        key = conversation.key
        if key in self._loops and not self._loops[key].done():
            return
        task = asyncio.get_running_loop().create_task(self._loop(conversation.channel_id))
        self._loops[key] = task
        task.add_done_callback(lambda _t: self._loops.pop(key, None) if self._loops.get(key) is _t else None)

    def stop_in(self, conversation: ConversationRef) -> None:
        task = self._loops.pop(conversation.key, None)
        if task is not None:
            task.cancel()

    def active(self, conversation: ConversationRef) -> bool:
        return conversation.key in self._loops

    async def _loop(self, channel_id: str) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._max_s):
                while True:
                    try:
                        await self._rest.typing(channel_id)
                    except Exception as exc:  # noqa: BLE001 — a nicety: never fail the turn
                        log.info(
                            "typing indicator not sent: %s", type(exc).__name__, extra={"platform": "discord"}
                        )
                        return
                    await asyncio.sleep(self._refresh_s)

    async def stop(self) -> None:
        tasks = list(self._loops.values())
        self._loops.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
