"""Who wrote a message: the display name and e-mail address Slack keeps for a user (`users.info`,
scopes `users:read` and `users:read.email`), cached per process. A bridge maps that address to a
helpdesk agent. Nothing here is logged but the error code."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError

from adapters.slack.workspaces import Workspaces
from core.errors import SwitchboardError
from core.lru import LruDict

log = logging.getLogger(__name__)

PERSON_TTL_S = 600.0
RETRY_AFTER_S = 60.0


@dataclass(frozen=True, slots=True)
class Person:
    name: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)


UNKNOWN = Person()


class People:
    def __init__(self, workspaces: Workspaces) -> None:
        self._workspaces = workspaces
        self._known: LruDict[tuple[str, str], tuple[Person, float]] = LruDict(5_000)

    async def who(self, team: str | None, user: str) -> Person:
        key = (team or "-", user)
        cached = self._known.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        try:
            client = await self._workspaces.client(team)
            response = await client.users_info(user=user)
        except SlackApiError as exc:  # e.g. missing_scope: asked again a minute later, not per message
            log.warning("users.info failed: %s", exc.response.get("error", "error"))
            self._known[key] = (UNKNOWN, time.monotonic() + RETRY_AFTER_S)
            return UNKNOWN
        except SwitchboardError:
            return UNKNOWN
        data = response.get("user") or {}
        profile = data.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or data.get("real_name")
        email = profile.get("email")
        person = Person(str(name) if name else None, str(email) if email else None)
        self._known[key] = (person, time.monotonic() + PERSON_TTL_S)
        return person
