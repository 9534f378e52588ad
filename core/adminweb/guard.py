"""Who is asking, as the dashboard sees it: scheme, host and address (through a trusted proxy
when configured), the session cookie, and the checks every state-changing request passes:
a live session, a same-origin `Origin`, and the session's CSRF token."""

from __future__ import annotations

from aiohttp import web

from core.adminweb.config import AdminWebConfig
from core.adminweb.sessions import Session, SessionStore
from core.http.origin import origin_allowed

COOKIE = "sb_admin"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_KEY = web.RequestKey("admin_session", Session)


class Guard:
    def __init__(self, config: AdminWebConfig, sessions: SessionStore) -> None:
        self._config = config
        self._sessions = sessions

    def _forwarded(self, request: web.Request, name: str) -> str | None:
        """The last value of a proxy header (the one our own proxy added), when trusted."""
        if not self._config.behind_proxy:
            return None
        value = request.headers.get(name, "")
        last = value.split(",")[-1].strip()
        return last or None

    def scheme(self, request: web.Request) -> str:
        given = (self._forwarded(request, "X-Forwarded-Proto") or "").lower()
        return given if given in {"http", "https"} else request.scheme

    def host(self, request: web.Request) -> str:
        return self._forwarded(request, "X-Forwarded-Host") or request.host

    def address(self, request: web.Request) -> str:
        return self._forwarded(request, "X-Forwarded-For") or request.remote or "-"

    def same_origin(self, request: web.Request) -> bool:
        """A browser's `Origin` must be this dashboard's own; a missing one (not a browser)
        passes, the CSRF token still stands in its way."""
        origin = request.headers.get("Origin")
        return origin_allowed(origin, scheme=self.scheme(request), host=self.host(request))

    async def session(self, request: web.Request) -> Session | None:
        if SESSION_KEY in request:
            return request[SESSION_KEY]
        session = await self._sessions.get(request.cookies.get(COOKIE))
        if session is not None:
            request[SESSION_KEY] = session
        return session

    def set_cookie(self, request: web.Request, response: web.StreamResponse, session_id: str) -> None:
        response.set_cookie(
            COOKIE,
            session_id,
            max_age=self._sessions.ttl_s,
            path="/admin",
            httponly=True,
            samesite="Strict",
            secure=self.scheme(request) == "https",
        )

    def clear_cookie(self, request: web.Request, response: web.StreamResponse) -> None:
        response.del_cookie(
            COOKIE, path="/admin", httponly=True, samesite="Strict", secure=self.scheme(request) == "https"
        )

    @staticmethod
    def csrf_given(request: web.Request, form: dict[str, str]) -> str | None:
        return request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
