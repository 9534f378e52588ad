"""Outbound text: model output is untrusted, so it is escaped and its broadcasts neutralised,
then split into messages Slack accepts (`adapters.kit.chunks.split`, re-exported here).

- `&`, `<`, `>` are escaped, so `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` and
  `<@U…>` written by the model show as text and notify no one;
- a user mention survives only when the person asking used it (`allowed`);
- plain `@channel` / `@here` / `@everyone` get a word joiner so no client links them.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from adapters.kit.chunks import split

MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>")
BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
WORD_JOINER = "\u2060"
__all__ = ["escape", "render", "split"]


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
