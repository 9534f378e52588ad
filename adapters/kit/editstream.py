"""A streamed answer shown in messages that grow in place.

The answer's latest text is split into chunks; chunk i is shown by editing message i, and when
the text outgrows the messages it has, the rest is posted as new messages. Updates are coalesced
to at most one per `interval` (a platform's per-channel edit budget): `update()` returns at once
and only the newest text is ever sent. `settle()` waits for the last update; when that failed
for good, the messages from the first wrong one on are posted anew, so the full text always
reaches the person.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Post = Callable[[str], Awaitable[str]]  # chunk -> new message id
Edit = Callable[[str, str], Awaitable[None]]  # (message id, chunk)
Split = Callable[[str], list[str]]


class EditStream:
    def __init__(
        self,
        ids: list[str],
        shown: list[str],
        *,
        split: Split,
        post: Post,
        edit: Edit,
        interval: float,
    ) -> None:
        self.ids = ids
        self.shown = shown
        self.latest = "\n\n".join(shown)
        self._split = split
        self._post = post
        self._edit = edit
        self._interval = interval
        self._last_update = time.monotonic() if any(shown) else 0.0  # nothing shown: update at once
        self._failed = False
        self._flusher: asyncio.Task[None] | None = None

    def update(self, text: str) -> None:
        self.latest = text
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    @property
    def busy(self) -> bool:
        return self._flusher is not None and not self._flusher.done()

    async def _flush(self) -> None:
        while True:
            wait = self._last_update + self._interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            text = self.latest
            try:
                await self._apply(self._split(text))
                self._failed = False
            except Exception as exc:  # noqa: BLE001 — a failed edit must not kill the stream
                self._failed = True
                log.warning("streaming edit failed: %s", type(exc).__name__)
            self._last_update = time.monotonic()
            if self.latest == text:
                return

    async def _apply(self, chunks: list[str]) -> None:
        for index, chunk in enumerate(chunks):
            if index < len(self.ids):
                if self.shown[index] != chunk:
                    await self._edit(self.ids[index], chunk)
                    self.shown[index] = chunk
            else:
                self.ids.append(await self._post(chunk))
                self.shown.append(chunk)

    async def settle(self) -> None:
        """Wait for pending updates; if the last one failed, post the text anew from the first
        message that shows something wrong (the ones before it read fine)."""
        if self._flusher is not None and not self._flusher.done():
            await asyncio.gather(self._flusher, return_exceptions=True)
        if not self._failed:
            return
        self._failed = False
        chunks = self._split(self.latest)
        wrong = next((i for i, shown in enumerate(self.shown[: len(chunks)]) if shown != chunks[i]), None)
        start = min(len(self.shown), len(chunks)) if wrong is None else wrong
        ids = [await self._post(chunk) for chunk in chunks[start:]]
        self.ids, self.shown = self.ids[:start] + ids, self.shown[:start] + chunks[start:]
        log.warning("final streaming edit failed; answer posted anew")
