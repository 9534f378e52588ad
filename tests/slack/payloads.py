"""Payload files from tests/payloads/slack, loaded fresh for each use."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent.parent / "payloads" / "slack"


def load(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DIR / f"{name}.json").read_text(encoding="utf-8")))


def raw(name: str) -> bytes:
    return (DIR / name).read_bytes()
