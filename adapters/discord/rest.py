"""The thin REST client: discord.py's HTTPClient (its per-route buckets and 429 handling) with
the JSON bodies Switchboard sends. Every send and every edit carries `allowed_mentions` that lets
nobody be pinged but the asker, so model output can never ping @everyone, @here, roles or
strangers; replies reference the asking message with `fail_if_not_exists: false`.

Refusals are counted by status (401/403/429): Discord bans an IP after 10,000 invalid requests
in 10 minutes, so permanent errors (4xx but 429) are never retried here.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from typing import Any

import discord
from discord.http import Route, handle_message_parameters
from discord.utils import MISSING

from adapters.discord.client import make_client
from adapters.discord.config import DiscordConfig
from adapters.discord.convert import BotIdentity
from core.errors import AdapterError
from core.metrics import PLATFORM

log = logging.getLogger(__name__)

EPHEMERAL_FLAG = 1 << 6


def allowed_mentions(asker: str | None) -> dict[str, Any]:
    return {"parse": [], "users": [asker] if asker else [], "replied_user": False}


def reference(channel_id: str, message_id: str) -> dict[str, Any]:
    """A reply to `message_id` that still goes out if that message was deleted meanwhile."""
    return {"message_id": message_id, "channel_id": channel_id, "fail_if_not_exists": False}


class DiscordRest:
    def __init__(self, config: DiscordConfig) -> None:
        self._config = config
        self._client: discord.Client | None = None
        self.identity = BotIdentity(application_id=config.application_id)
        self.refusals: Counter[int] = Counter()

    async def start(self) -> BotIdentity:
        assert self._config.bot_token is not None
        client = make_client(self._config)
        await client.login(self._config.bot_token.reveal())
        self._client = client
        user = client.user
        app = client.application_id or (client.application.id if client.application else None)
        self.identity = BotIdentity(
            user_id=str(user.id) if user else None, application_id=str(app) if app else None
        )
        return self.identity

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def call(
        self, method: str, path: str, *, json: Any = None, query: dict[str, Any] | None = None, **params: Any
    ) -> Any:
        """One REST call; raises AdapterError (with the HTTP status) when Discord refuses it."""
        if self._client is None:
            raise AdapterError("Discord REST client is not started")
        route = Route(method, path, **params)
        extra: dict[str, Any] = {}
        if json is not None:
            extra["json"] = json
        if query:
            extra["params"] = query
        try:
            return await self._client.http.request(route, **extra)
        except discord.RateLimited as exc:
            self.refusals[429] += 1
            PLATFORM.told_to_wait("discord", 0.0)  # too long to wait: discord.py waits out short ones
            raise AdapterError(f"{method} {path}: rate limited for {exc.retry_after:.0f} s") from None
        except discord.HTTPException as exc:
            self.refusals[exc.status] += 1
            raise AdapterError(f"{method} {path}: HTTP {exc.status} (code {exc.code})") from None

    # -- messages ---------------------------------------------------------------------------
    async def post(
        self,
        channel_id: str,
        content: str,
        *,
        asker: str | None = None,
        reply_to: str | None = None,
        components: list[dict[str, Any]] | None = None,
    ) -> str:
        body: dict[str, Any] = {"content": content, "allowed_mentions": allowed_mentions(asker)}
        if reply_to:
            body["message_reference"] = reference(channel_id, reply_to)
        if components is not None:
            body["components"] = components
        message = await self.call("POST", "/channels/{channel_id}/messages", json=body, channel_id=channel_id)
        return str(message["id"])

    async def post_file(
        self,
        channel_id: str,
        content: str,
        filename: str,
        data: bytes,
        *,
        asker: str | None,
        reply_to: str | None,
    ) -> str:
        """A message with one attached file (multipart, built by discord.py)."""
        if self._client is None:
            raise AdapterError("Discord REST client is not started")
        users = [discord.Object(int(asker))] if asker and asker.isdigit() else []
        params = handle_message_parameters(
            content=content,
            file=discord.File(io.BytesIO(data), filename=filename),
            allowed_mentions=discord.AllowedMentions(
                everyone=False, users=users, roles=False, replied_user=False
            ),
            message_reference=reference(channel_id, reply_to) if reply_to else MISSING,  # type: ignore[arg-type]
        )
        try:
            message = await self._client.http.send_message(int(channel_id), params=params)
        except discord.HTTPException as exc:
            self.refusals[exc.status] += 1
            raise AdapterError(f"POST /channels/{{channel_id}}/messages: HTTP {exc.status}") from None
        finally:
            for file in params.files or ():
                file.close()
        return str(message["id"])

    async def edit(
        self,
        channel_id: str,
        message_id: str,
        content: str,
        *,
        asker: str | None = None,
        components: list[dict[str, Any]] | None = None,
    ) -> None:
        body: dict[str, Any] = {"content": content, "allowed_mentions": allowed_mentions(asker)}
        if components is not None:
            body["components"] = components
        await self.call(
            "PATCH",
            "/channels/{channel_id}/messages/{message_id}",
            json=body,
            channel_id=channel_id,
            message_id=message_id,
        )

    async def typing(self, channel_id: str) -> None:
        await self.call("POST", "/channels/{channel_id}/typing", channel_id=channel_id)

    async def history(self, channel_id: str, *, after: str, limit: int) -> list[dict[str, Any]]:
        """Messages in `channel_id` newer than `after`, oldest first."""
        found = await self.call(
            "GET",
            "/channels/{channel_id}/messages",
            query={"after": after, "limit": limit},
            channel_id=channel_id,
        )
        return sorted(found or [], key=lambda m: int(m["id"]))

    # -- interactions -----------------------------------------------------------------------
    async def callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> None:
        await self.call(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            json=body,
            interaction_id=interaction_id,
            interaction_token=token,
        )

    async def edit_webhook_message(
        self,
        token: str,
        message_id: str,
        content: str,
        *,
        asker: str | None,
        components: list[dict[str, Any]] | None = None,
    ) -> None:
        """Edit an interaction's `@original` response or one of its follow-ups (`components`:
        None keeps the message's buttons, [] removes them)."""
        body: dict[str, Any] = {"content": content, "allowed_mentions": allowed_mentions(asker)}
        if components is not None:
            body["components"] = components
        ids: dict[str, Any] = {"application_id": self._application_id(), "interaction_token": token}
        if message_id == "@original":
            path = "/webhooks/{application_id}/{interaction_token}/messages/@original"
        else:
            path, ids["message_id"] = (
                "/webhooks/{application_id}/{interaction_token}/messages/{message_id}",
                message_id,
            )
        await self.call("PATCH", path, json=body, **ids)

    async def follow_up(self, token: str, content: str, *, asker: str | None, ephemeral: bool) -> str:
        body: dict[str, Any] = {"content": content, "allowed_mentions": allowed_mentions(asker)}
        if ephemeral:
            body["flags"] = EPHEMERAL_FLAG
        message = await self.call(
            "POST",
            "/webhooks/{application_id}/{interaction_token}",
            json=body,
            application_id=self._application_id(),
            interaction_token=token,
        )
        return str(message["id"])

    async def get_commands(self, guild_id: str | None = None) -> list[dict[str, Any]]:
        if guild_id:
            found = await self.call(
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                application_id=self._application_id(),
                guild_id=guild_id,
            )
        else:
            found = await self.call(
                "GET", "/applications/{application_id}/commands", application_id=self._application_id()
            )
        return list(found or [])

    async def put_commands(self, commands: list[dict[str, Any]], guild_id: str | None = None) -> Any:
        if guild_id:
            return await self.call(
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                json=commands,
                application_id=self._application_id(),
                guild_id=guild_id,
            )
        return await self.call(
            "PUT",
            "/applications/{application_id}/commands",
            json=commands,
            application_id=self._application_id(),
        )

    def _application_id(self) -> str:
        if not self.identity.application_id:
            raise AdapterError("the Discord application id is unknown: set DISCORD_APPLICATION_ID")
        return self.identity.application_id
