"""Long polling for installs without a public URL, by exactly one hub replica at a time.

Telegram lets one `getUpdates` caller in: a second one gets 409 Conflict (and PTB's Updater
retries that forever, so replicas would fight). The replica holding the kit's Redis lease polls;
it stops polling the moment it loses the lease; the others wait quietly and take over within
one lease lifetime when the holder dies. Updates the old holder fetched but
did not confirm come again to the new one: the hub's dedup (on update id) drops them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from adapters.kit.lease import hold
from adapters.telegram.sending import retry_seconds
from core.locks import RedisLock
from core.metrics import PLATFORM

log = logging.getLogger(__name__)

OnUpdate = Callable[[dict[str, Any]], Awaitable[None]]
ERROR_PAUSE_S = 1.0
_EXTRA = {"platform": "telegram"}


class Poller:
    def __init__(
        self,
        bot: Bot,
        lease: RedisLock,
        on_update: OnUpdate,
        *,
        timeout_s: int,
        allowed_updates: Sequence[str],
    ) -> None:
        self._bot = bot
        self._lease = lease
        self._on_update = on_update
        self._timeout_s = timeout_s
        self._allowed = list(allowed_updates)
        self._task: asyncio.Task[None] | None = None
        self.polls = 0

    @property
    def holding(self) -> bool:
        return self._lease.fence is not None

    async def start(self) -> None:
        work = hold(self._lease, self._poll, name="telegram poller")
        self._task = asyncio.get_running_loop().create_task(work, name="telegram-poller")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _poll(self, fence: int) -> None:
        """Runs only while this replica holds the lease (cancelled the moment it is lost)."""
        await self._bot.delete_webhook(drop_pending_updates=False)
        offset = 0
        while True:
            try:
                updates = await self._bot.get_updates(
                    offset=offset or None, timeout=self._timeout_s, allowed_updates=self._allowed
                )
            except RetryAfter as exc:
                PLATFORM.told_to_wait("telegram", retry_seconds(exc))
                await asyncio.sleep(retry_seconds(exc))
                continue
            except Conflict:
                # Someone outside this hub polls the same bot (or a webhook is set): back off.
                log.warning("getUpdates conflict: another poller or a webhook", extra=_EXTRA)
                await asyncio.sleep(ERROR_PAUSE_S * 5)
                continue
            except InvalidToken:
                raise
            except (NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed: %s", type(exc).__name__, extra={"platform": "telegram"})
                await asyncio.sleep(ERROR_PAUSE_S)
                continue
            self.polls += 1
            for update in updates:
                offset = max(offset, update.update_id + 1)
                try:
                    await self._on_update(update.to_dict())
                except Exception as exc:  # noqa: BLE001 — one bad update must not stop polling
                    log.error(
                        "telegram update failed: %s",
                        type(exc).__name__,
                        extra={"platform": "telegram", "event_id": f"telegram:{update.update_id}"},
                    )
