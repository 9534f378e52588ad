"""The openai backend: an OpenAI-compatible server (vLLM, llama.cpp server, TGI) does the work.

For models too big for a worker machine. Base URL from the definition or
`SWITCHBOARD_MODEL_BASE_URL`; key from `SWITCHBOARD_MODEL_API_KEY` (or `OPENAI_API_KEY`).
Streams with server-sent events over plain urllib (the worker is synchronous).
"""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterator

from core.model.config import ModelSpec
from core.model.contract import JobRequest
from core.model.errors import BackendUnavailableError
from core.secrets import Secret

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 30


class OpenAIEngine:
    def __init__(self, spec: ModelSpec, base_url: str, key: Secret | None) -> None:
        self.model = spec.name
        self.remote_model = spec.remote_model or spec.name
        self.base_url = base_url.rstrip("/")
        self._key = key
        self.cut_off = False  # the last answer stopped at max_tokens

    @classmethod
    def load(cls, spec: ModelSpec) -> OpenAIEngine:
        base_url = spec.base_url or os.environ.get("SWITCHBOARD_MODEL_BASE_URL", "")
        if not base_url.startswith(("http://", "https://")):
            raise BackendUnavailableError(
                f"model {spec.name!r}: the openai backend needs base_url (e.g. http://127.0.0.1:8000/v1) — "
                "fix: set [model] base_url or SWITCHBOARD_MODEL_BASE_URL"
            )
        raw = os.environ.get("SWITCHBOARD_MODEL_API_KEY") or os.environ.get("OPENAI_API_KEY", "")
        engine = cls(spec, base_url, Secret(raw) if raw else None)
        log.info("model %s served by %s (model %s)", spec.name, engine.base_url, engine.remote_model)
        return engine

    def describe(self) -> dict[str, str]:
        return {"backend": "openai", "device": "remote", "server": self.base_url}

    def stream(self, request: JobRequest) -> Iterator[str]:
        body = {
            "model": self.remote_model,
            "messages": [{"role": role, "content": text} for role, text in request.messages()],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
        }
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key.reveal()}"
        call = urllib.request.Request(
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers=headers,
            method="POST",
        )
        try:
            response = urllib.request.urlopen(call, timeout=CONNECT_TIMEOUT_S)  # noqa: S310 — configured URL
        except urllib.error.HTTPError as exc:
            raise BackendUnavailableError(f"{self.base_url} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise BackendUnavailableError(f"{self.base_url} did not answer ({type(exc).__name__})") from None
        self.cut_off = False
        with response:
            for raw_line in response:
                line = raw_line.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    choice = json.loads(data)["choices"][0]
                except (ValueError, KeyError, IndexError):
                    raise BackendUnavailableError(f"{self.base_url} sent a malformed stream chunk") from None
                self.cut_off = self.cut_off or choice.get("finish_reason") == "length"
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece
