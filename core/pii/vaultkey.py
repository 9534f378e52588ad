"""The vault's AES key: `SWITCHBOARD_VAULT_KEY` (base64 of 32 random bytes), or a local key
file generated once for the embedded default (one machine only: replicas must share a key)."""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from core import sealing
from core.secrets import Secret

log = logging.getLogger(__name__)

ENV_NAME = "SWITCHBOARD_VAULT_KEY"
KEY_BYTES = sealing.KEY_BYTES


def generate() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def decode(encoded: str, *, source: str) -> bytes:
    return sealing.decode_key(encoded, name=ENV_NAME, source=source)


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "switchboard" / "vault.key"


def load(env: Mapping[str, str], key_file: Path | None = None) -> Secret:
    """The key from the environment, else from (or newly written to) the local key file."""
    configured = env.get(ENV_NAME, "")
    if configured:
        decode(configured, source="environment")
        return Secret(configured.strip())
    path = key_file or default_key_file()
    if path.is_file():
        encoded = path.read_text(encoding="utf-8").strip()
        decode(encoded, source=str(path))
        log.info("PII vault key read from %s (set %s to share one key between hubs)", path, ENV_NAME)
        return Secret(encoded)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoded = generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(encoded + "\n")
    log.warning(
        "%s is not set: generated a local PII vault key at %s. Keep it; every hub replica needs "
        "the same key (set %s) or placeholders cannot be restored.",
        ENV_NAME,
        path,
        ENV_NAME,
    )
    return Secret(encoded)
