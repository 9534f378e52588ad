"""What became of a draft: the agent's next public reply compared with it, word by word.

Both texts are masked the same way (one vault per ticket), so a placeholder in the draft and the
same person's name in the reply compare equal. The bot's footer and greetings do not count."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from enum import StrEnum

from skills.helpdesk.config import DraftConfig

_WORD = re.compile(r"<[A-Z_]+_\d+>|[^\W_]+", re.UNICODE)
_FOOTER = re.compile(r"\n*—\s*\S+ bot \(ref sb-[0-9a-f]+\)\s*$")


class DraftOutcome(StrEnum):
    SENT_AS_IS = "sent_as_is"
    EDITED = "edited"
    DISCARDED = "discarded"


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(_FOOTER.sub("", text))]


def similarity(draft: str, reply: str) -> float:
    """0..1: how much of the draft's wording, in order, the reply kept (difflib's ratio on words)."""
    a, b = words(draft), words(reply)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def judge(draft: str, reply: str, config: DraftConfig) -> tuple[DraftOutcome, float]:
    value = similarity(draft, reply)
    if value >= config.as_is:
        return DraftOutcome.SENT_AS_IS, value
    if value >= config.edited:
        return DraftOutcome.EDITED, value
    return DraftOutcome.DISCARDED, value
