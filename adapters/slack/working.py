"""The Slack working sign: a reaction on the asking message (`adapters.kit.working` decides when,
across replicas; this module only adds and removes the reaction)."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from adapters.kit.working import WorkingSign
from adapters.slack.state import SlackState
from adapters.slack.workspaces import Workspaces
from core.events import ConversationRef

log = logging.getLogger(__name__)


def working_reaction(
    workspaces: Workspaces, state: SlackState, *, reaction: str, delay: float
) -> WorkingSign:
    async def show(conversation: ConversationRef, ts: str) -> bool:
        client = await workspaces.client(conversation.workspace_id)
        try:
            await client.reactions_add(channel=conversation.channel_id, timestamp=ts, name=reaction)
        except SlackApiError as exc:
            if exc.response.get("error") != "already_reacted":
                log.info(
                    "working reaction not added: %s", exc.response.get("error"), extra={"platform": "slack"}
                )
                return False
        return True

    async def hide(conversation: ConversationRef, ts: str) -> None:
        client = await workspaces.client(conversation.workspace_id)
        try:
            await client.reactions_remove(channel=conversation.channel_id, timestamp=ts, name=reaction)
        except SlackApiError as exc:
            log.info(
                "working reaction not removed: %s", exc.response.get("error"), extra={"platform": "slack"}
            )

    return WorkingSign(state.redis, state.prefix, show=show, hide=hide, delay=delay, platform="slack")
