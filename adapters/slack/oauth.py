"""Installing the app into more workspaces with Slack's OAuth v2 flow.

`GET /slack/install` sends the browser to Slack's consent page with a one-time `state` (kept in
Redis and in a cookie on this browser); `GET /slack/oauth_redirect` checks both, exchanges the
code with `oauth.v2.access` and stores the installation (bot token encrypted)."""

from __future__ import annotations

import html
import logging
import secrets
import time

from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth import AuthorizeUrlGenerator

from adapters.slack.config import BOT_SCOPES, SlackConfig
from adapters.slack.installations import Installation, InstallationStore
from adapters.slack.state import OAUTH_STATE_TTL_S, SlackState
from adapters.slack.workspaces import Workspaces
from core.secrets import Secret, same_bytes

log = logging.getLogger(__name__)

STATE_COOKIE = "slack_oauth_state"


def _page(title: str, text: str, status: int = 200) -> web.Response:
    body = (
        "<!doctype html><meta charset=utf-8><title>Switchboard</title>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
    )
    return web.Response(text=body, content_type="text/html", status=status)


class OAuthFlow:
    def __init__(
        self, config: SlackConfig, state: SlackState, store: InstallationStore, workspaces: Workspaces
    ) -> None:
        self._config = config
        self._state = state
        self._store = store
        self._workspaces = workspaces

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.get("/slack/install", self.install), web.get("/slack/oauth_redirect", self.redirect)]

    def _redirect_uri(self, request: web.Request) -> str:
        base = self._config.public_url or f"{request.scheme}://{request.host}"
        return f"{base}/slack/oauth_redirect"

    async def install(self, request: web.Request) -> web.Response:
        state = secrets.token_urlsafe(24)
        await self._state.put_oauth_state(state)
        url = AuthorizeUrlGenerator(
            client_id=self._config.client_id or "",
            scopes=list(BOT_SCOPES),
            redirect_uri=self._redirect_uri(request),
            authorization_url=self._config.authorize_url,
        ).generate(state)
        response = web.Response(status=302, headers={"Location": url})
        response.set_cookie(
            STATE_COOKIE,
            state,
            max_age=OAUTH_STATE_TTL_S,
            httponly=True,
            secure=request.secure,
            samesite="Lax",
            path="/slack",
        )
        return response

    async def redirect(self, request: web.Request) -> web.Response:
        if request.query.get("error"):
            return _page("Installation cancelled", "Slack reported: " + request.query["error"][:100], 400)
        code, state = request.query.get("code", ""), request.query.get("state", "")
        cookie = request.cookies.get(STATE_COOKIE, "")
        if not code or not state or not same_bytes(state, cookie):  # any text compares, as bytes
            return _page("Installation failed", "This link is not valid for this browser. Start again.", 400)
        if not await self._state.take_oauth_state(state):
            return _page(
                "Installation failed", "This link has expired or was used already. Start again.", 400
            )
        client = self._workspaces.anonymous()
        try:
            answer = await client.oauth_v2_access(
                client_id=self._config.client_id or "",
                client_secret=(self._config.client_secret or Secret("")).reveal(),
                code=code,
                redirect_uri=self._redirect_uri(request),
            )
        except SlackApiError as exc:
            log.warning(
                "oauth.v2.access refused: %.60s", exc.response.get("error"), extra={"platform": "slack"}
            )  # a wrong or used code: the browser's link is bad, not this hub (400, not 5xx)
            return _page("Installation failed", "Slack did not accept the installation. Start again.", 400)
        team = answer.get("team") or {}
        installation = Installation(
            team_id=str(team.get("id", "")),
            team_name=str(team.get("name", "")),
            bot_token=Secret(str(answer.get("access_token", ""))),
            bot_user_id=str(answer.get("bot_user_id", "")),
            bot_id=str(answer.get("bot_id", "") or ""),
            app_id=str(answer.get("app_id", "")),
            enterprise_id=str((answer.get("enterprise") or {}).get("id", "") or ""),
            installed_at=time.time(),
        )
        if not installation.team_id or not installation.bot_token:
            return _page("Installation failed", "Slack's answer had no bot token. Start again.", 502)
        await self._store.save(installation)
        self._workspaces.forget(installation.team_id)
        log.info("installed into a workspace", extra={"platform": "slack"})
        response = _page("Switchboard is installed", f"Switchboard is installed in {installation.team_name}.")
        response.del_cookie(STATE_COOKIE, path="/slack")
        return response
