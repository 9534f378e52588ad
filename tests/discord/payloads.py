"""Payload files from tests/payloads/discord, loaded fresh for each use."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DIR = Path(__file__).resolve().parent.parent / "payloads" / "discord"
BOT_USER_ID = "1100000000000000001"  # the bot in every payload file (its application id too)
ASKER_ID = "53908099506183680"


def load(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DIR / f"{name}.json").read_text(encoding="utf-8")))
