"""Typed parsing at the edge: every inbound payload goes through one of these steps, and anything
unexpected becomes a `BadInput` (answered 400 with a JSON body by the edge middleware), never a
`TypeError`, a `RecursionError` or a 500.

- `load_json`: valid UTF-8, nesting bounded (the parser's own limit cuts 100k levels short,
  then a walk holds everything to `MAX_DEPTH`), no lone surrogates.
- `validate`: a strict pydantic model (no type coercion) with the first problem named.
- `check_text`: text that every later stage (masker, model, Redis) can encode.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from core.errors import SwitchboardError

MAX_DEPTH = 32  # Slack envelopes nest 5 deep, web chat frames 1: 32 leaves room, stops 100k
M = TypeVar("M", bound=BaseModel)


class BadInput(SwitchboardError):
    """A request the edge refuses. `reason` is our own sentence (never the input itself)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def load_json(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse a JSON body or frame, or raise `BadInput` saying why not."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput("body is not valid UTF-8") from None
    try:
        value = json.loads(raw)
    except RecursionError:  # the C parser stops at the interpreter's limit (~1,000 levels)
        raise BadInput(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError:
        raise BadInput("body is not valid JSON") from None
    strings = not raw.isascii() or "\\u" in raw
    if strings or raw.count("{") + raw.count("[") >= max_depth:  # else too few brackets to be deep
        _check_tree(value, max_depth, strings=strings)
    return value


def _check_tree(value: Any, max_depth: int, *, strings: bool) -> None:
    """Depth within `max_depth` and every key and string encodable (iterative: no recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                raise BadInput(f"JSON nested deeper than {max_depth} levels")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
            if strings and isinstance(item, dict):
                for key in item:
                    check_text(key, "a JSON key")
        elif strings and isinstance(item, str):
            check_text(item, "a JSON string")


def check_text(text: str, what: str = "text") -> str:
    """Refuse text that cannot be encoded as UTF-8 (lone surrogates): the masker, the model and
    Redis would all fail on it later, for everyone in the same batch."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInput(f"{what} is not valid Unicode (it contains a lone surrogate)") from None
    return text


def validate(model: type[M], data: Any, *, what: str = "body") -> M:
    """`model.model_validate(data)` with the first problem as a `BadInput` naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or what
        raise BadInput(f"{what} field '{where}': {_plain(first['type'], first['msg'])}") from None


def _plain(kind: str, message: str) -> str:
    """pydantic's message, minus anything echoing the input."""
    return message if len(message) <= 120 else kind
