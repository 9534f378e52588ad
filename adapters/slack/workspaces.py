"""Which token answers which workspace: `SLACK_BOT_TOKEN` for the simple single-workspace path,
OAuth installations (from Redis, cached briefly) for every other team."""

from __future__ import annotations

import logging
import time

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import SlackConfig
from adapters.slack.convert import BotIdentity
from adapters.slack.installations import InstallationStore
from core.errors import AdapterError, ConfigError
from core.metrics import PLATFORM

log = logging.getLogger(__name__)

CACHE_TTL_S = 300.0
# slack_sdk logs request and response bodies (message text) at DEBUG: give it a logger that never does.
SDK_LOG = logging.getLogger("adapters.slack.sdk")
SDK_LOG.setLevel(logging.WARNING)


class ServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """Retries 500/503 with backoff, except `chat.postMessage`: it is not idempotent, so
    `posting.Poster` retries it itself, after checking that Slack did not post it anyway."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if request.url.rstrip("/").endswith("/chat.postMessage"):
            return False
        retry = await super()._can_retry_async(state=state, request=request, response=response, error=error)
        if retry:
            PLATFORM.retried("slack")
        return retry


class RateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handling (waits for Retry-After), counted in the platform metrics."""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is not None:
            values = {k.lower(): v for k, v in response.headers.items()}.get("retry-after") or ["1"]
            try:
                seconds = float(values[0])
            except ValueError:
                seconds = 1.0
            PLATFORM.told_to_wait("slack", seconds)
        await super().prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )


def web_client(
    config: SlackConfig, token: str | None, session: aiohttp.ClientSession | None
) -> AsyncWebClient:
    """A Web API client that honours 429 Retry-After and retries 500/503 with backoff (posts aside)."""
    return AsyncWebClient(
        token=token,
        base_url=config.api_url,
        session=session,
        timeout=30,
        logger=SDK_LOG,
        retry_handlers=[
            RateLimitRetryHandler(max_retry_count=4),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class Workspaces:
    def __init__(self, config: SlackConfig, installations: InstallationStore | None = None) -> None:
        self._config = config
        self._installations = installations
        self._session: aiohttp.ClientSession | None = None
        self._default: tuple[AsyncWebClient, BotIdentity] | None = None
        self.default_team: str | None = None
        self._cache: dict[str, tuple[float, AsyncWebClient, BotIdentity]] = {}

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=35))
        if self._config.bot_token:
            client = web_client(self._config, self._config.bot_token.reveal(), self._session)
            try:
                auth = await client.auth_test()
            except SlackApiError as exc:
                raise ConfigError(
                    f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error', 'error')}) — "
                    "fix: copy the Bot User OAuth Token (xoxb-…) from the app's OAuth page",
                    source="environment",
                ) from None
            except aiohttp.ClientError as exc:
                raise AdapterError(f"cannot reach the Slack Web API ({type(exc).__name__})") from None
            identity = BotIdentity(user_id=auth.get("user_id"), bot_id=auth.get("bot_id"))
            self._default = (client, identity)
            self.default_team = auth.get("team_id")

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def anonymous(self) -> AsyncWebClient:
        """A client without a bot token (oauth.v2.access, apps.connections.open)."""
        return web_client(self._config, None, self._session)

    def forget(self, team_id: str) -> None:
        self._cache.pop(team_id, None)

    async def _lookup(self, team_id: str | None) -> tuple[AsyncWebClient, BotIdentity]:
        if team_id and self._installations is not None and team_id != self.default_team:
            cached = self._cache.get(team_id)
            if cached and time.monotonic() - cached[0] < CACHE_TTL_S:
                return cached[1], cached[2]
            found = await self._installations.find(team_id)
            if found is not None:
                client = web_client(self._config, found.bot_token.reveal(), self._session)
                identity = BotIdentity(user_id=found.bot_user_id or None, bot_id=found.bot_id or None)
                self._cache[team_id] = (time.monotonic(), client, identity)
                return client, identity
        if self._default is None:
            raise AdapterError(f"no installation of the Slack app for team {team_id}")
        return self._default

    async def client(self, team_id: str | None) -> AsyncWebClient:
        return (await self._lookup(team_id))[0]

    async def identity(self, team_id: str | None) -> BotIdentity:
        return (await self._lookup(team_id))[1]
