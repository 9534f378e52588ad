"""What the edge guards below the application: connections that never finish their headers
(slowloris), requests aiohttp itself refuses (bad request lines, headers too long) and the
number of WebSockets one client address may hold open."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

log = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0


class ConnectionGuard:
    """Closes connections that have not delivered a complete request within `header_timeout`.
    (aiohttp has no header timeout; its keep-alive timer covers idle connections after a first
    request.) `served` is the set the edge middleware adds each connection to.

    With `per_address`, one client address holds at most that many open connections: the next
    one is closed as it arrives, before a byte is read (one address cannot use up the hub's file
    descriptors; a proxy in front should then pass the real addresses or get a larger cap)."""

    def __init__(
        self, server: web.Server, served: set[Any], header_timeout: float, *, per_address: int = 0
    ) -> None:
        self._server = server
        self._served = served
        self._timeout = header_timeout
        self._first_seen: dict[Any, float] = {}
        self._task: asyncio.Task[None] | None = None
        self.closed = 0
        self.refused = 0
        self._per_address = per_address
        self._open: Counter[str] = Counter()
        self._address_of: dict[Any, str] = {}

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())
        if self._per_address:
            made, lost = self._server.connection_made, self._server.connection_lost

            def connection_made(handler: Any, transport: asyncio.Transport) -> None:
                made(handler, transport)
                peer = transport.get_extra_info("peername")
                address = str(peer[0]) if isinstance(peer, tuple) and peer else "-"
                self._address_of[handler] = address
                self._open[address] += 1
                if self._open[address] > self._per_address:
                    self.refused += 1
                    if self.refused == 1 or self.refused % 1000 == 0:
                        log.warning(
                            "refused a connection: %d already open from one address (%d refused)",
                            self._per_address,
                            self.refused,
                        )
                    transport.abort()

            def connection_lost(handler: Any, exc: BaseException | None = None) -> None:
                address = self._address_of.pop(handler, None)
                if address is not None:
                    self._open[address] -= 1
                    if self._open[address] <= 0:
                        del self._open[address]
                lost(handler, exc)

            self._server.connection_made = connection_made  # type: ignore[method-assign]
            self._server.connection_lost = connection_lost  # type: ignore[method-assign]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(CHECK_EVERY_S)
            self.sweep(loop.time())

    def sweep(self, now: float) -> int:
        open_now = set(self._server.connections)
        self._served &= open_now  # both maps hold open connections only
        for gone in [h for h in self._first_seen if h not in open_now]:
            del self._first_seen[gone]
        slow = []
        for handler in open_now:
            if handler in self._served:
                continue
            first = self._first_seen.setdefault(handler, now)
            if now - first > self._timeout:
                slow.append(handler)
        for handler in slow:
            handler.force_close()
        if slow:
            self.closed += len(slow)
            log.warning(
                "closed %d connection(s) that sent no complete request in %g s", len(slow), self._timeout
            )
        return len(slow)


class AddressSlots:
    """Counts open sockets per client address; `take` says no past `limit`."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._open: Counter[str] = Counter()

    def take(self, address: str) -> bool:
        if self._open[address] >= self._limit:
            return False
        self._open[address] += 1
        return True

    def give_back(self, address: str) -> None:
        self._open[address] -= 1
        if self._open[address] <= 0:
            del self._open[address]

    def __len__(self) -> int:
        return len(self._open)


class QuietServerErrors(logging.Filter):
    """aiohttp logs a request it could not parse (bad request line, header too long, invalid
    characters) as an ERROR with a traceback. It is the client's mistake, already answered 400:
    keep one WARNING line, naming the error type only (its text may echo the request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError) and str(record.msg).startswith("Error handling request"):
            status = getattr(exc, "status", None) or getattr(exc, "code", None) or "?"
            record.msg = "refused an unparsable request from %s with %s (%s)"
            peer = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.args = (peer, status, type(exc).__name__)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_aiohttp_errors() -> None:
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, QuietServerErrors) for f in logger.filters):
        logger.addFilter(QuietServerErrors())
