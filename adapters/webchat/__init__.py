"""The web chat: a page and its WebSocket on the hub's port."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from adapters.webchat.adapter import WebChatAdapter
from core.adapter import AdapterServices

ENDPOINTS = ("  Web chat:  {base}/",)


class Options(BaseModel):
    """Keys a bot definition may set under `[adapters.webchat]`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True
    title: str | None = Field(None, max_length=80, description="page title (default: the bot's name)")


def build(env: Mapping[str, str], options: Options, services: AdapterServices) -> WebChatAdapter:
    settings = services.settings
    return WebChatAdapter(
        title=options.title or services.bot_name.capitalize(),
        origins=settings.webchat_origins,
        limits=settings.limits,
    )


__all__ = ["ENDPOINTS", "Options", "WebChatAdapter", "build"]
