"""Socket Mode (`SLACK_APP_TOKEN`): Slack pushes events over a WebSocket the hub opens, for
installs without a public URL. With several hub replicas exactly one holds the socket: a Redis
lock (`core.locks`) with expiry, refreshed by its holder and taken over by another replica when
the holder dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.workspaces import SDK_LOG
from core.locks import RedisLock
from core.secrets import Secret

log = logging.getLogger(__name__)

OnEnvelope = Callable[[dict[str, Any]], Awaitable[dict[str, Any] | None]]
OnCommand = Callable[[Mapping[str, str]], Awaitable[dict[str, Any] | None]]


class SocketModeRunner:
    def __init__(
        self,
        app_token: Secret,
        web_client: AsyncWebClient,
        lock: RedisLock,
        on_envelope: OnEnvelope,
        on_command: OnCommand,
    ) -> None:
        self._app_token = app_token
        self._web_client = web_client
        self._lock = lock
        self._on_envelope = on_envelope
        self._on_command = on_command
        self._client: SocketModeClient | None = None
        self._task: asyncio.Task[None] | None = None
        self.holding = False

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        pause = self._lock.ttl_ms / 3000
        while True:
            try:
                if not self.holding:
                    if await self._lock.acquire():
                        self.holding = True
                        await self._connect()
                elif not await self._lock.refresh():
                    log.warning("lost the Socket Mode lock: disconnecting", extra={"platform": "slack"})
                    await self._disconnect()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — keep trying; Redis or Slack may come back
                log.error("socket mode: %s", type(exc).__name__, extra={"platform": "slack"})
                await self._disconnect()
                with contextlib.suppress(Exception):
                    await self._lock.release()
            await asyncio.sleep(pause)

    async def _connect(self) -> None:
        client = SocketModeClient(
            app_token=self._app_token.reveal(), web_client=self._web_client, logger=SDK_LOG
        )
        client.socket_mode_request_listeners.append(self._on_request)
        self._client = client
        await client.connect()
        log.info("socket mode connected (this replica holds the lock)", extra={"platform": "slack"})

    async def _disconnect(self) -> None:
        self.holding = False
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.close()

    async def _on_request(self, client: AsyncBaseSocketModeClient, request: SocketModeRequest) -> None:
        payload: dict[str, Any] | None = None
        if request.type == "events_api":
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
            await self._on_envelope(request.payload)
            return
        if request.type == "slash_commands":
            payload = await self._on_command({k: str(v) for k, v in request.payload.items()})
        await client.send_socket_mode_response(
            SocketModeResponse(envelope_id=request.envelope_id, payload=payload)
        )

    async def stop(self, *, release: bool = True) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._disconnect()
        if release:
            with contextlib.suppress(Exception):
                await self._lock.release()
