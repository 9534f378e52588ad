"""What a vendor preset is: how its webhooks are verified and read, and how the bot reads the
ticket's state and writes into it. One subclass per vendor in `vendors/`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from adapters.helpdesk.config import HelpdeskConfig
from adapters.helpdesk.ticket import Skip, Ticket, TicketState
from adapters.kit.http import FindExisting, HttpClient, RetryPolicy, SharedSession, Sleep
from adapters.kit.verify import Verifier
from core.events import TicketUpdate

PRIORITIES = ("low", "normal", "high", "urgent")  # the vendor-neutral scale of TicketUpdate.priority
IN_TURN_WAIT_S = 10.0  # the longest Retry-After a write waits out in its turn; longer: parked


class Vendor:
    name: str  # also the route (/hooks/<name>) and the platform of its events
    label: str
    env: Mapping[str, str]  # setting -> environment variable
    required: tuple[str, ...]
    default_url: str = ""
    delivery_header: str | None = None

    def __init__(self, config: HelpdeskConfig, session: SharedSession, *, sleep: Sleep | None = None) -> None:
        self.config = config
        self.bot_id = ""  # set from whoami() at start
        self.client = HttpClient(
            session,
            config.url,
            headers=self.auth_headers(),
            platform=self.name,
            policy=RetryPolicy(max_wait_s=IN_TURN_WAIT_S),
            sleep=sleep,
        )

    # -- ingress ------------------------------------------------------------------------------
    def verifier(self) -> Verifier:
        raise NotImplementedError

    def delivery_id(self, headers: Mapping[str, str], payload: Mapping[str, Any], body: bytes) -> str:
        """The vendor's delivery id (stable across its retries); a body hash where it sends none."""
        if self.delivery_header:
            value = headers.get(self.delivery_header, "").strip()
            if value and value.isascii() and len(value) <= 200:
                return value
        return "h" + hashlib.sha256(body).hexdigest()[:32]

    def parse(self, payload: Mapping[str, Any], delivery_id: str, bot_id: str) -> Ticket | Skip:
        """The webhook as a ticket (raise `MalformedPayload` for a body of the wrong shape)."""
        raise NotImplementedError

    # -- the vendor's API -----------------------------------------------------------------------
    def auth_headers(self) -> dict[str, str]:
        return {}

    async def whoami(self) -> str:
        """The bot's own user id on the vendor (its comments are never answered)."""
        return ""

    async def state(self, ref: str, account: str) -> TicketState:
        raise NotImplementedError

    async def write(self, ref: str, account: str, text: str, *, public: bool, find: FindExisting) -> str:
        """Add one comment; returns its id. A non-idempotent POST: `find` is asked before a repeat."""
        raise NotImplementedError

    async def update(self, ref: str, account: str, change: TicketUpdate) -> list[str]:
        """Apply tags, priority and assignment (each call idempotent: adding a tag twice, setting
        the same priority again change nothing). Returns what this vendor could not apply."""
        return [f"{self.label} takes no ticket updates"]

    # -- the staff side (a bridge) ------------------------------------------------------------
    async def agent_for(self, email: str) -> str | None:
        """The agent's user id for `email`; None where there is none or the vendor cannot write
        as one (then a relayed note is written by the bot, prefixed with the person's name)."""
        return None

    async def write_as(
        self, ref: str, account: str, text: str, *, public: bool, author_id: str | None, find: FindExisting
    ) -> str:
        """`write`, as `author_id` where the vendor allows it (by default: as the bot)."""
        return await self.write(ref, account, text, public=public, find=find)

    def link_to(self, ref: str) -> str:
        """Where staff open the ticket ("" when the vendor has no stable agent URL)."""
        return ""


def pick(data: Any, *path: str | int, default: Any = None) -> Any:
    """`pick(payload, "a", "b", 0)`: a nested value, or `default` where the shape differs."""
    for key in path:
        if isinstance(key, int) and isinstance(data, list) and -len(data) <= key < len(data):
            data = data[key]
        elif isinstance(key, str) and isinstance(data, Mapping) and key in data:
            data = data[key]
        else:
            return default
    return default if data is None else data


def level(priority: str | None, scale: tuple[Any, ...]) -> Any:
    """The vendor's value for a neutral priority: `scale` lists it for low, normal, high, urgent."""
    return scale[PRIORITIES.index(priority)] if priority in PRIORITIES else None


def numeric(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def ticket_fields(change: TicketUpdate, scale: tuple[Any, ...], *, agent_field: str) -> dict[str, Any]:
    """Priority, group and agent of `change` as one vendor's ticket fields (`group_id` everywhere
    it has groups; the agent's field name differs: assignee_id, responder_id, owner_id)."""
    fields: dict[str, Any] = {}
    if change.priority:
        fields["priority"] = level(change.priority, scale)
    if change.assign_group:
        fields["group_id"] = numeric(change.assign_group)
    if change.assign_agent:
        fields[agent_field] = numeric(change.assign_agent)
    return fields


def text_of(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)
