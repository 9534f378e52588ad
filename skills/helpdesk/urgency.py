"""How urgent a ticket is: words that say so (in the common ticket languages) and how close the
vendor's SLA due time is. The SLA decides when it is near; words can only raise the level."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import datetime

from skills.helpdesk.labels import Label

LEVELS = ("low", "normal", "high", "urgent")

URGENT_CUES = re.compile(
    r"\b(urgent|urgently|asap|emergency|immediately|right now|critical|outage|is down|are down|"
    r"production (is )?down|data loss|security (issue|breach)|hacked|"
    r"dringend|sofort|notfall|eilt|"
    r"urgente|inmediato|de inmediato|urgence|imm[ée]diatement|"
    r"urgentissimo|subito|imediatamente|spoed)\b",
    re.IGNORECASE,
)
HIGH_CUES = re.compile(
    r"\b(cannot (log ?in|work|access|pay)|can't (log ?in|work|access|pay)|blocked|not working|"
    r"stopped working|charged twice|double charged|deadline|today|as soon as possible|"
    r"funktioniert nicht|geht nicht|bald|no funciona|ne fonctionne pas|ne marche pas|"
    r"non funziona|não funciona)\b",
    re.IGNORECASE,
)
LOW_CUES = re.compile(
    r"\b(no rush|no hurry|whenever you (can|have time)|just (a question|curious)|feature request|"
    r"suggestion|would be nice|keine eile)\b",
    re.IGNORECASE,
)


def due_in(sla_due: str | float | None, now: float | None = None) -> float | None:
    """Seconds until the SLA is breached (negative: breached); None when there is no due time."""
    if sla_due in (None, ""):
        return None
    now = time.time() if now is None else now
    if isinstance(sla_due, (int, float)):
        return float(sla_due) - now
    text = str(sla_due).strip()
    if text.replace(".", "", 1).isdigit():
        value = float(text)
        return (value / 1000 if value > 1e11 else value) - now
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() - now
    except ValueError:
        return None


def from_sla(seconds_left: float | None) -> Label | None:
    if seconds_left is None:
        return None
    hours = seconds_left / 3600
    if hours <= 1:
        return Label("urgent", 0.95)
    if hours <= 4:
        return Label("high", 0.85)
    if hours <= 24:
        return Label("normal", 0.6)
    return Label("low", 0.5)


def classify(
    text: str, *, sla_due: str | float | None = None, extra_cues: Iterable[str] = (), now: float | None = None
) -> Label:
    extra = [c.lower() for c in extra_cues if c]
    lowered = text.lower()
    if URGENT_CUES.search(text) or any(c in lowered for c in extra):
        by_words = Label("urgent", 0.8)
    elif HIGH_CUES.search(text):
        by_words = Label("high", 0.7)
    elif LOW_CUES.search(text):
        by_words = Label("low", 0.6)
    else:
        by_words = Label("normal", 0.5)
    by_sla = from_sla(due_in(sla_due, now))
    if by_sla is None:
        return by_words
    if LEVELS.index(by_words.value) > LEVELS.index(by_sla.value):
        return Label(by_words.value, round(max(by_words.confidence, by_sla.confidence), 2))
    return by_sla
