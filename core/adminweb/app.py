"""The admin dashboard's routes on the hub's one HTTP port, under `/admin`.

GET  /admin              the page (no session: 303 to the login form)
GET  /admin/login        the login form;  POST: the token, rate-limited per address, audited
POST /admin/logout       ends the session (CSRF)
GET  /admin/panels       the page's live part, for its script (no session: 401)
POST /admin/actions/{a}  mute, unmute, skills, model (no session: 401; bad Origin/CSRF: 403)
GET  /admin/static/{f}   its CSS, script and icon
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from redis.exceptions import RedisError

from core.adminweb import render
from core.adminweb.actions import ACTOR, DASHBOARD, AdminActions
from core.adminweb.config import AdminWebConfig
from core.adminweb.guard import COOKIE, Guard
from core.adminweb.overview import Sources, gather
from core.adminweb.sessions import LoginLimit, Session, SessionStore, token_tag
from core.audit import AuditEntry
from core.http import BadInput

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {"admin.css": "text/css", "admin.js": "text/javascript", "favicon.svg": "image/svg+xml"}
MAX_TOKEN_CHARS = 512
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def client_tag(address: str) -> str:
    """How the audit and the logs name a client address: a short hash, not the address."""
    return "client " + hashlib.sha256(address.encode()).hexdigest()[:12]


def redis_guarded(handler: Handler) -> Handler:
    """Sessions, the login limit and the audit live in Redis: while it is unreachable the
    dashboard answers 503 with a sentence, never a 500."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except RedisError as exc:
            log.warning("admin dashboard: Redis unreachable (%s)", type(exc).__name__)
            response = web.json_response(
                {"error": "the dashboard cannot reach Redis (sessions and audit live there); try again"},
                status=503,
            )
            response.headers.update(SECURITY_HEADERS)
            return response

    return guarded


class AdminWeb:
    def __init__(
        self, config: AdminWebConfig, sources: Sources, actions: AdminActions, *, prefix: str
    ) -> None:
        self._config = config
        self._sources = sources
        self._actions = actions
        tag = token_tag(config.token.reveal())
        self._sessions = SessionStore(sources.redis, prefix, config.session_ttl_s, token_tag=tag)
        self._limit = LoginLimit(
            sources.redis, prefix, attempts=config.login_attempts, window_s=config.login_window_s
        )
        self._guard = Guard(config, self._sessions)

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/admin", redis_guarded(self.page)),
            web.get("/admin/", self.slash),
            web.get("/admin/login", redis_guarded(self.login_form)),
            web.post("/admin/login", redis_guarded(self.login)),
            web.post("/admin/logout", redis_guarded(self.logout)),
            web.get("/admin/panels", redis_guarded(self.panels)),
            web.post("/admin/actions/{action}", redis_guarded(self.action)),
            web.get("/admin/static/{name}", self.static),
        ]

    # -- helpers ---------------------------------------------------------------------------
    @property
    def _bot(self) -> str:
        return self._sources.hub.bot.name

    @staticmethod
    def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        response = web.Response(text=text, status=status, content_type="text/html", headers=headers)
        response.headers.update(SECURITY_HEADERS)
        return response

    @staticmethod
    def _json(body: dict, status: int = 200) -> web.Response:
        response = web.json_response(body, status=status)
        response.headers.update(SECURITY_HEADERS)
        return response

    @staticmethod
    def _see(location: str) -> web.Response:
        response = web.Response(status=303, headers={"Location": location})
        response.headers.update(SECURITY_HEADERS)
        return response

    @staticmethod
    async def _form(request: web.Request) -> dict[str, str]:
        """The posted form's text fields. A body that is no readable form (invalid UTF-8, an
        unknown charset, broken multipart) is a 400, never a 500."""
        try:
            data = await request.post()
        except (ValueError, LookupError) as exc:  # UnicodeDecodeError is a ValueError
            raise BadInput(f"the form cannot be read ({type(exc).__name__})") from None
        return {k: v for k, v in data.items() if isinstance(v, str)}

    async def _audit(self, command: str, args: str, *, allowed: bool, result: str) -> None:
        entry = AuditEntry(time.time(), ACTOR, command, args, allowed, DASHBOARD.key, result)
        await self._sources.audit.record(entry)

    async def _checked(self, request: web.Request, form: dict[str, str]) -> Session | web.Response:
        """The session of a state-changing request, or the refusal: 401 without one, 403 for a
        foreign Origin or a missing or wrong CSRF token."""
        session = await self._guard.session(request)
        if session is None:
            return self._json({"error": "log in first: POST /admin/login"}, 401)
        if not self._guard.same_origin(request):
            log.warning("admin action refused: Origin not this dashboard's")
            return self._json({"error": "this page may not act on the dashboard (Origin not allowed)"}, 403)
        if not session.csrf_matches(self._guard.csrf_given(request, form)):
            log.warning("admin action refused: missing or wrong CSRF token")
            return self._json({"error": "missing or wrong CSRF token: reload the dashboard"}, 403)
        return session

    # -- pages -----------------------------------------------------------------------------
    async def slash(self, _request: web.Request) -> web.Response:
        return self._see("/admin")

    async def page(self, request: web.Request) -> web.Response:
        session = await self._guard.session(request)
        if session is None:
            return self._see("/admin/login")
        return self._html(render.dashboard(await gather(self._sources), session.csrf))

    async def panels(self, request: web.Request) -> web.Response:
        session = await self._guard.session(request)
        if session is None:
            return self._json({"error": "log in first: POST /admin/login"}, 401)
        return self._html(render.panels(await gather(self._sources), session.csrf))

    async def static(self, request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        if name not in STATIC_FILES:  # no name from the request reaches the file system
            raise web.HTTPNotFound()
        return web.FileResponse(STATIC / name, headers={"Content-Type": STATIC_FILES[name]})

    # -- login -----------------------------------------------------------------------------
    async def login_form(self, request: web.Request) -> web.Response:
        if await self._guard.session(request) is not None:
            return self._see("/admin")
        return self._html(render.login(self._bot))

    async def login(self, request: web.Request) -> web.Response:
        address = self._guard.address(request)
        client = client_tag(address)
        count, wait = await self._limit.attempt(address)
        if wait is not None:
            if count == self._limit.attempts + 1:  # audited once per window: no flooding the trail
                await self._audit("login", client, allowed=False, result="rate_limited")
            log.warning("admin login refused: too many attempts (%s)", client)
            error = f"Too many failed logins from your address. Try again in {wait} s."
            return self._html(render.login(self._bot, error=error), 429, {"Retry-After": str(wait)})
        if not self._guard.same_origin(request):
            await self._audit("login", client, allowed=False, result="foreign_origin")
            return self._html(render.login(self._bot, error="Log in from this dashboard's own page."), 403)
        token = (await self._form(request)).get("token", "")
        if len(token) > MAX_TOKEN_CHARS or not self._config.token.matches(token):
            await self._audit("login", client, allowed=False, result="wrong_token")
            log.warning("admin login refused: wrong token (%s)", client)
            return self._html(render.login(self._bot, error="That is not the admin token."), 401)
        await self._limit.succeeded(address)
        session_id, _session = await self._sessions.create()
        await self._audit("login", client, allowed=True, result="ok")
        log.info("admin logged in to the dashboard (%s)", client)
        response = self._see("/admin")
        self._guard.set_cookie(request, response, session_id)
        return response

    async def logout(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        checked = await self._checked(request, form)
        if isinstance(checked, web.Response):
            return checked
        await self._sessions.end(request.cookies.get(COOKIE, ""))
        await self._audit("logout", "", allowed=True, result="ok")
        response = self._see("/admin/login")
        self._guard.clear_cookie(request, response)
        return response

    # -- actions ---------------------------------------------------------------------------
    async def action(self, request: web.Request) -> web.Response:
        form = await self._form(request)
        checked = await self._checked(request, form)
        if isinstance(checked, web.Response):
            return checked
        result = await self._actions.perform(request.match_info["action"], form, self._sources.hub.bot)
        if "application/json" in request.headers.get("Accept", ""):
            return self._json({"ok": result.ok, "text": result.text}, result.status)
        view = await gather(self._sources)  # a plain form post (no script): the page, with the answer
        page = render.dashboard(view, checked.csrf, notice=result.text, notice_ok=result.ok)
        return self._html(page, result.status)
