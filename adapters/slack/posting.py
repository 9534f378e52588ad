"""Posting one message to Slack exactly once.

`chat.postMessage` has no idempotency key: a 5xx or a timeout can come back after Slack did post.
So every post carries a unique marker in its message metadata, and before a retry the thread
(`conversations.replies`) or the channel (`conversations.history`) is searched for it; when it is
there, the retry is skipped. 429s are retried by slack_sdk (Slack posted nothing); other errors
are final. Posts are paced per channel (Slack allows about one a second).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.kit.pacing import Pacer
from adapters.slack.workspaces import Workspaces
from core.errors import AdapterError
from core.events import ConversationRef
from core.metrics import PLATFORM

log = logging.getLogger(__name__)

MARKER_EVENT = "switchboard_reply"
LOOKBACK_S = 60.0  # `oldest` for the search: before the first attempt, with room for clock skew


def _marker_of(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != MARKER_EVENT:
        return None
    return (metadata.get("event_payload") or {}).get("reply_id")


class Poster:
    def __init__(
        self, workspaces: Workspaces, *, post_interval: float, retries: int = 2, backoff: float = 0.5
    ) -> None:
        self._workspaces = workspaces
        self._pacer = Pacer(post_interval)  # Slack allows about one post a second per channel
        self._retries = retries
        self._backoff = backoff

    async def post(self, conversation: ConversationRef, text: str) -> str:
        """Post `text` once; returns the message's ts. Raises AdapterError when it cannot."""
        client = await self._workspaces.client(conversation.workspace_id)
        reply_id = uuid.uuid4().hex
        since = f"{time.time() - LOOKBACK_S:.6f}"
        reason = ""
        for attempt in range(self._retries + 1):
            await self._pacer.wait(conversation.channel_id)
            try:
                response = await client.chat_postMessage(
                    channel=conversation.channel_id,
                    text=text,
                    thread_ts=conversation.thread_id,
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata={"event_type": MARKER_EVENT, "event_payload": {"reply_id": reply_id}},
                )
                return str(response["ts"])
            except SlackApiError as exc:
                status = exc.response.status_code
                reason = f"HTTP {status} {exc.response.get('error', '')}".strip()
                if status < 500:
                    raise AdapterError(f"chat.postMessage failed: {reason}") from None
            except (TimeoutError, aiohttp.ClientError) as exc:
                reason = type(exc).__name__
            log.warning(
                "chat.postMessage failed (%s, attempt %d)", reason, attempt + 1, extra={"platform": "slack"}
            )
            await asyncio.sleep(self._backoff * 2**attempt)
            found = await self._find(client, conversation, reply_id, since)
            if found is not None:
                log.info("chat.postMessage had posted after all; not retried", extra={"platform": "slack"})
                return found
            if attempt < self._retries:
                PLATFORM.retried("slack")
        raise AdapterError(f"chat.postMessage failed: {reason}")

    async def _find(
        self, client: AsyncWebClient, conversation: ConversationRef, reply_id: str, since: str
    ) -> str | None:
        """The ts of our message carrying `reply_id`, if Slack has it."""
        search: dict[str, Any] = {
            "channel": conversation.channel_id,
            "oldest": since,
            "include_all_metadata": True,
            "limit": 200,
        }
        try:
            if conversation.thread_id:
                response = await client.conversations_replies(ts=conversation.thread_id, **search)
            else:
                response = await client.conversations_history(**search)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            log.warning(
                "could not check for an earlier post (%s)", type(exc).__name__, extra={"platform": "slack"}
            )
            return None  # retry anyway: a lost reply is worse than a rare duplicate
        for message in response.get("messages") or []:
            if _marker_of(message) == reply_id:
                return str(message.get("ts"))
        return None
