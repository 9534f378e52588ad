"""Outbound text: model output is untrusted, so it is escaped and its broadcasts neutralised,
then split into messages Slack accepts.

- `&`, `<`, `>` are escaped, so `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` and
  `<@U…>` written by the model show as text and notify no one;
- a user mention survives only when the person asking used it (`allowed`);
- plain `@channel` / `@here` / `@everyone` get a word joiner so no client links them.
"""

from __future__ import annotations

import re
from collections.abc import Collection

MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")
BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
WORD_JOINER = "\u2060"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(text: str, allowed: Collection[str] = ()) -> str:
    """Slack-safe mrkdwn for untrusted `text`; mentions of `allowed` user ids stay live."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        if match.group(1) in allowed:
            kept.append(f"<@{match.group(1)}>")
            return f"\x00{len(kept) - 1}\x00"
        return match.group(0)

    protected = MENTION.sub(keep, text.replace("\x00", ""))
    safe = BROADCAST.sub(lambda m: "@" + WORD_JOINER + m.group(1), escape(protected))
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], safe)


def _cut_point(text: str, limit: int) -> int:
    """Where to end the first chunk of `text` (longer than `limit`): the last paragraph break,
    else line break, else sentence end, else space, else a hard cut. Never mid-entity."""
    window = text[:limit]
    for separator in ("\n\n", "\n"):
        at = window.rfind(separator)
        if at >= limit // 3:
            return at + len(separator)
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends and ends[-1] >= limit // 3:
        return ends[-1]
    at = window.rfind(" ")
    if at >= limit // 3:
        return at + 1
    amp = window.rfind("&", limit - 6)  # do not cut "&amp;" in half
    return amp if amp > 0 and ";" not in window[amp:] else limit


def split(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at paragraph or sentence boundaries."""
    chunks: list[str] = []
    rest = text
    while len(rest) > limit:
        at = _cut_point(rest, limit)
        head = rest[:at].rstrip()
        if head:
            chunks.append(head)
        rest = rest[at:].lstrip("\n ")
    if rest.strip() or not chunks:
        chunks.append(rest.rstrip() or rest)
    return chunks
