"""Dashboard sessions and the login limit, in Redis (any hub replica serves any admin).

A session id is a bearer credential: it lives in the browser's cookie only. Redis keeps the
SHA-256 of it (a dump of Redis holds no usable session), with the session's CSRF token and an
expiry; nothing logs it."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import cast

from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from core.secrets import same_bytes

SESSION_BYTES = 32


@dataclass(frozen=True, slots=True)
class Session:
    csrf: str
    created: float

    def csrf_matches(self, given: str | None) -> bool:
        return bool(given) and same_bytes(given or "", self.csrf)


class SessionStore:
    """`token_tag`: a fingerprint of the admin token; sessions opened under another token (before
    it was rotated) are not valid."""

    def __init__(self, redis: Redis, prefix: str, ttl_s: int, *, token_tag: str = "") -> None:
        self._redis = redis
        self._prefix = f"{prefix}:admin:session:"
        self.ttl_s = ttl_s
        self._token_tag = token_tag

    def _key(self, session_id: str) -> str:
        return self._prefix + hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()

    async def create(self) -> tuple[str, Session]:
        """A new session: (its id, for the cookie only; the session)."""
        session_id = secrets.token_urlsafe(SESSION_BYTES)
        session = Session(csrf=secrets.token_urlsafe(SESSION_BYTES), created=time.time())
        key = self._key(session_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            fields: dict[FieldT, EncodableT] = {
                "csrf": session.csrf,
                "created": f"{session.created:.0f}",
                "token": self._token_tag,
            }
            pipe.hset(key, mapping=fields)
            pipe.expire(key, self.ttl_s)
            await pipe.execute()
        return session_id, session

    async def get(self, session_id: str | None) -> Session | None:
        if not session_id or len(session_id) > 128:
            return None
        fields = cast("dict[str, str]", await self._redis.hgetall(self._key(session_id)))
        if not fields.get("csrf") or _text(fields.get("token", "")) != self._token_tag:
            return None
        return Session(csrf=_text(fields["csrf"]), created=float(_text(fields.get("created", "0"))))

    async def end(self, session_id: str) -> None:
        await self._redis.delete(self._key(session_id))


class LoginLimit:
    """Login attempts per client address in a fixed window. Each attempt is counted before
    anything else (one atomic INCR, so parallel guesses cannot slip past); past `attempts` the
    address waits for the window to end. A successful login clears its count."""

    def __init__(self, redis: Redis, prefix: str, *, attempts: int, window_s: int) -> None:
        self._redis = redis
        self._prefix = f"{prefix}:admin:login-attempts:"
        self.attempts = attempts
        self.window_s = window_s

    def _key(self, address: str) -> str:
        window = int(time.time() // self.window_s)
        return f"{self._prefix}{hashlib.sha256(address.encode()).hexdigest()[:32]}:{window}"

    async def attempt(self, address: str) -> tuple[int, int | None]:
        """Count one attempt: (its number in this window, seconds to wait when over the limit)."""
        key = self._key(address)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.window_s)
            count, _ = await pipe.execute()
        if int(count) <= self.attempts:
            return int(count), None
        return int(count), max(1, int(self.window_s - time.time() % self.window_s))

    async def succeeded(self, address: str) -> None:
        await self._redis.delete(self._key(address))


def token_tag(token: str) -> str:
    """A fingerprint of the admin token that reveals nothing usable about it."""
    return hashlib.sha256(b"switchboard-admin-session:" + token.encode("utf-8", "surrogatepass")).hexdigest()[
        :16
    ]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
