"""The shape of the Slack payloads we read, checked strictly before any field is used: a signed
body whose fields have the wrong JSON type (`event.type` a list, `team_id` a number) is a 400
naming the field, never a TypeError deep in the conversion.

Only the fields the adapter reads are declared; Slack's many others pass through untouched."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from adapters.slack.convert import MalformedPayload
from core.http import BadInput, validate

ANSWERED_TYPES = frozenset({"app_mention", "message"})
_ID = Field(default=None, max_length=255)


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class SlackFile(_Strict):
    id: str | None = _ID
    name: str | None = None
    title: str | None = None
    mimetype: str | None = _ID
    size: int | None = None
    url_private: str | None = None


class MessageEvent(_Strict):
    """`message` and `app_mention` events: what `convert.from_event_callback` reads."""

    type: str = Field(max_length=100)
    subtype: str | None = Field(default=None, max_length=100)
    user: str | None = _ID
    bot_id: str | None = _ID
    channel: str | None = _ID
    channel_type: str | None = _ID
    team: str | None = _ID
    ts: str | None = _ID
    thread_ts: str | None = _ID
    text: str | None = None  # its size cap is the hub's one message cap
    files: list[SlackFile] | None = Field(default=None, max_length=100)


class _AnyEvent(_Strict):
    type: str = Field(max_length=100)
    team: str | None = _ID


class Envelope(_Strict):
    type: str = Field(max_length=100)
    event_id: str | None = _ID
    team_id: str | None = _ID
    challenge: str | None = Field(default=None, max_length=1000)
    event: _AnyEvent | None = None


def check_envelope(data: Any) -> dict[str, Any]:
    """`data` if it is an Events API envelope we can read; MalformedPayload naming the field."""
    try:
        validate(Envelope, data, what="Slack envelope")
        event = data.get("event")
        if isinstance(event, dict) and event.get("type") in ANSWERED_TYPES:
            validate(MessageEvent, event, what="Slack event")
    except BadInput as exc:
        raise MalformedPayload(exc.reason) from None
    return data
