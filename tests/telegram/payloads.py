"""Payload files from tests/payloads/telegram (Bot API updates), loaded fresh for each use."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from adapters.telegram.convert import BotIdentity

DIR = Path(__file__).resolve().parent.parent / "payloads" / "telegram"
BOT = BotIdentity(id=7000000001, username="switchboard_test_bot")
TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def load(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DIR / f"{name}.json").read_text(encoding="utf-8")))


def raw(name: str) -> bytes:
    return (DIR / f"{name}.json").read_bytes()


def names() -> list[str]:
    return sorted(p.stem for p in DIR.glob("*.json"))
