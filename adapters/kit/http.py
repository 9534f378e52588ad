"""The HTTP client for platforms without an SDK (the helpdesks), on the hub's one session.

- `SharedSession`: one `aiohttp.ClientSession` per hub process, opened on first use and closed
  once at stop; every client borrows it.
- `HttpClient.request`: 429 waits for `Retry-After` (seconds or an HTTP date) or a rate-limit
  reset header (`X-RateLimit-Reset`: epoch seconds, seconds to wait, or an ISO date); idempotent
  calls are retried on 5xx and network errors with jittered exponential backoff; a non-idempotent
  call whose outcome is unknown (5xx, timeout, dropped connection) is never repeated blindly: the
  `find_existing` callback is asked first whether the write landed, and without one it fails.
Errors never carry the response body (it may echo user text) or credentials.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp

from core.errors import AdapterError
from core.metrics import PLATFORM

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RESET_HEADERS = ("X-RateLimit-Reset", "RateLimit-Reset", "X-Rate-Limit-Reset")
FindExisting = Callable[[], Awaitable[Any | None]]
Sleep = Callable[[float], Awaitable[None]]


class HttpError(AdapterError):
    """A platform answered with an error, or could not be reached. Names no body, no secret."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RateLimited(HttpError):
    """429 with a wait longer than this call may block; retry after `retry_after` seconds."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class SharedSession:
    """The hub's one client session. `get()` inside the event loop; `close()` at stop."""

    def __init__(self, *, timeout_s: float = 15.0) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, raise_for_status=False)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, per call
    base_delay_s: float = 0.5
    max_delay_s: float = 20.0
    max_wait_s: float = 60.0  # the longest one Retry-After this call will sit out


@dataclass(frozen=True, slots=True)
class HttpResult:
    status: int
    data: Any = field(repr=False)  # parsed JSON, or None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    recovered: bool = False  # the write had landed: `find_existing` found it


def retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait, from Retry-After or a reset header; None when the platform says nothing."""
    now = time.time() if now is None else now
    value = headers.get("Retry-After")
    if value:
        seconds = _number(value)
        if seconds is not None:
            return max(0.0, seconds)
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - now)
        except (TypeError, ValueError, IndexError):
            pass
    for name in RESET_HEADERS:
        value = headers.get(name)
        if not value:
            continue
        number = _number(value)
        if number is not None:  # an epoch (Intercom, GitHub) or a delta (IETF RateLimit)
            return max(0.0, number - now) if number > 1_000_000_000 else max(0.0, number)
        try:
            return max(0.0, datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now)
        except ValueError:
            continue
    return None


def _number(value: str) -> float | None:
    text = value.strip()
    if not text.isascii():
        return None
    try:
        return float(text)
    except ValueError:
        return None


class HttpClient:
    """Calls one platform's API under `base_url` with fixed headers (auth) on the shared session."""

    def __init__(
        self,
        session: SharedSession,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: aiohttp.BasicAuth | None = None,
        platform: str = "",
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._headers = dict(headers or {})
        self._auth = auth
        self.platform = platform
        self.policy = policy or RetryPolicy()
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()

    async def get(self, path: str, **params: Any) -> HttpResult:
        return await self.request("GET", path, params=params or None)

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
        find_existing: FindExisting | None = None,
    ) -> HttpResult:
        method = method.upper()
        repeatable = method in IDEMPOTENT if idempotent is None else idempotent
        where = f"{self.platform or 'http'} {method} {path.split('?')[0]}"
        for attempt in range(1, self.policy.attempts + 1):
            last = attempt == self.policy.attempts
            status: int | None = None
            try:
                got, answer_headers, answer = await self._once(method, path, json, data, headers, params)
            except aiohttp.ClientConnectorError:  # never connected: nothing was sent, safe to repeat
                if last:
                    raise HttpError(f"{where}: cannot connect") from None
                await self._backoff(attempt)
                continue
            except (TimeoutError, aiohttp.ClientError) as exc:  # sent, outcome unknown
                reason = type(exc).__name__
            else:
                status, reason = got, f"HTTP {got}"
                if got < 300:
                    return HttpResult(got, answer, answer_headers)
                if got == 429:  # refused, not processed: repeating is always safe
                    wait = retry_after(answer_headers)
                    wait = self._delay(attempt) if wait is None else wait
                    gives_up = wait > self.policy.max_wait_s or last
                    PLATFORM.told_to_wait(self.platform, 0.0 if gives_up else wait)
                    if gives_up:
                        raise RateLimited(f"{where}: rate limited for {wait:.0f} s", retry_after=wait)
                    log.info("%s: 429, waiting %.1f s", where, wait, extra={"platform": self.platform})
                    await self._sleep(wait)
                    continue
                if got < 500:
                    raise HttpError(f"{where}: HTTP {got}", status=got)
            # 5xx or a lost response: the call may have landed
            if not repeatable:
                if find_existing is None:
                    raise HttpError(f"{where}: {reason}, not repeated (it may have landed)", status=status)
                found = await find_existing()
                if found is not None:
                    log.info(
                        "%s: %s, but the write had landed", where, reason, extra={"platform": self.platform}
                    )
                    return HttpResult(200, found, {}, recovered=True)
            if last:
                raise HttpError(f"{where}: {reason} after {attempt} tries", status=status)
            await self._backoff(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(
        self,
        method: str,
        path: str,
        body: Any,
        raw: bytes | None,
        headers: Mapping[str, str] | None,
        params: Mapping[str, Any] | None,
    ) -> tuple[int, Mapping[str, str], Any]:
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        sent = {**self._headers, **(headers or {})}
        async with self._session.get().request(
            method, url, json=body, data=raw, params=params, headers=sent, auth=self._auth
        ) as response:
            raw = await response.read()
            data: Any = None
            if raw and response.content_type.endswith("json"):
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
            return response.status, response.headers, data

    def _delay(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]."""
        ceiling = min(self.policy.max_delay_s, self.policy.base_delay_s * 2 ** (attempt - 1))
        return self._rng.uniform(0, ceiling)

    async def _backoff(self, attempt: int) -> None:
        PLATFORM.retried(self.platform)
        await self._sleep(self._delay(attempt))
