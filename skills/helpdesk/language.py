"""Which language a ticket is written in: py3langid (langid.py's model, shipped in the wheel,
offline, ~30 µs a ticket). Placeholders such as `<PERSON_1>` are removed before it reads."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from skills.helpdesk.labels import Label

PLACEHOLDER = re.compile(r"<[A-Z_]+_\d+>")
MIN_LETTERS = 12  # shorter than this ("ok", "thanks!") is not worth a guess
UNDETERMINED = "und"


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> Label:
    """The ISO 639-1 code and its probability, or `und` for text too short to tell."""
    clean = PLACEHOLDER.sub(" ", text)
    if sum(ch.isalpha() for ch in clean) < MIN_LETTERS:
        return Label(UNDETERMINED, 0.0)
    code, probability = _identifier().classify(clean)
    return Label(str(code), round(float(probability), 2))
