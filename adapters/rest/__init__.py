"""The REST API: `POST /api/v1/messages`, answered in the response."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from adapters.rest.adapter import RestAdapter
from core.adapter import AdapterServices

ENDPOINTS = ("  REST API:  POST {base}/api/v1/messages",)


class Options(BaseModel):
    """Keys a bot definition may set under `[adapters.api]` (the token is SWITCHBOARD_API_TOKEN)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True


def build(env: Mapping[str, str], options: Options, services: AdapterServices) -> RestAdapter:
    settings = services.settings
    return RestAdapter(settings.api_token, timeout_s=settings.api_timeout_s)


__all__ = ["ENDPOINTS", "Options", "RestAdapter", "build"]
