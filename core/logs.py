"""Logging setup: one line per record with the structured fields we allow (never text), and a
redaction filter as a second safety net (message text is never logged in the first place).

`SWITCHBOARD_LOG_FORMAT=json` writes one JSON object per line instead (for Loki, Elastic,
CloudWatch...). A turn binds its ids (`bind`) for every record logged while it runs, so a
line from deep in a stage still says which event, turn, platform and skill it belongs to.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from core.pii import patterns
from core.pii.detectors import ibans

FIELDS = (
    "request_id",
    "event_id",
    "platform",
    "skill",
    "command",
    "turn_id",
    "job_id",
    "error_type",
    "model",
)
FORMATS = ("text", "json")
_BOUND: ContextVar[dict[str, str] | None] = ContextVar("switchboard_log_fields", default=None)

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    *((pattern, "[REDACTED SECRET]") for pattern in patterns.SECRET_PATTERNS.values()),
    (patterns.EMAIL, "[REDACTED EMAIL]"),
    (patterns.CARD_LIKE, "[REDACTED NUMBER]"),
    # Not a dotted quad (with or without :port): peers like 127.0.0.1:54321 say who sent a request.
    (
        re.compile(r"(?<![\w.:/-])(?!\d{1,3}(?:\.\d{1,3}){3}(?![\d.]))\+?\d[\d ().-]{7,}\d(?![\w.:/-])"),
        "[REDACTED PHONE]",
    ),
)


# Credentials that travel in query strings (an access log line, a URL in an error): the web chat
# session, OAuth codes and states, tokens.
_QUERY_SECRET = re.compile(
    r"(?<=[?&;])(session|code|state|token|access_token|api_key|key|secret|signature|sig)=[^&\s\"']*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Mask e-mails, phone and card numbers, IBANs and tokens in a log line."""
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}=[REDACTED]", text)
    for span in reversed(ibans(text)):  # checksum-valid only: hex job ids are not IBANs
        text = f"{text[: span.start]}[REDACTED IBAN]{text[span.end :]}"
    for pattern, label in _REDACTIONS:
        text = pattern.sub(label, text)
    return patterns.SECRET_VALUE.sub(lambda m: m.group(0).replace(m.group("value"), "[REDACTED]"), text)


class RedactionFilter(logging.Filter):
    """Rewrites each record's message (and traceback) with `redact` before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def bind(**fields: str | None) -> None:
    """Add `fields` (names from FIELDS) to every record logged from the current task on. Each
    asyncio task has its own copy: a turn's ids never leak into another turn's lines."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a log field: {sorted(unknown)}")
    merged = {**(_BOUND.get() or {}), **{k: v for k, v in fields.items() if v}}
    _BOUND.set(merged)


class BoundFieldsFilter(logging.Filter):
    """Copies the task's bound fields onto each record (explicit `extra=` values win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_BOUND.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the allowed fields only."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: str(getattr(record, k)) for k in FIELDS if hasattr(record, k)})
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


class FieldsFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [f"{k}={getattr(record, k)}" for k in FIELDS if hasattr(record, k)]
        return f"{line} {' '.join(extras)}" if extras else line


def log_format(env: dict[str, str] | os._Environ[str] | None = None) -> str:
    """`SWITCHBOARD_LOG_FORMAT` (text or json, default text); ValueError names a bad value."""
    value = (env if env is not None else os.environ).get("SWITCHBOARD_LOG_FORMAT", "") or "text"
    if value.lower() not in FORMATS:
        raise ValueError(
            f"SWITCHBOARD_LOG_FORMAT={value!r} is not one of {', '.join(FORMATS)} — fix: use one of those"
        )
    return value.lower()


def configure(level: str = "INFO", handler: logging.Handler | None = None, fmt: str = "text") -> None:
    """One handler on the root logger (stderr by default) with the fields (or JSON) formatter,
    the task's bound fields and the redaction filter."""
    handler = handler or logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(FieldsFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(BoundFieldsFilter())
    handler.addFilter(RedactionFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiohttp.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def chat_log_path() -> Path:
    """Where `switchboard chat` writes its logs: `$XDG_STATE_HOME/switchboard/chat.log`, else
    `~/.local/state/switchboard/chat.log`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "switchboard" / "chat.log"


def to_file(path: Path, level: str = "INFO", fmt: str = "text") -> Path:
    """Send every log record to `path` (appended) instead of the terminal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    configure(level, logging.FileHandler(path, encoding="utf-8"), fmt)
    return path
