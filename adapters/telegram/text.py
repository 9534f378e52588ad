"""Answer text → Telegram HTML: everything escaped, Markdown code fences as `<pre>` blocks, inline
backticks as `<code>`, and `@username` mentions neutralised unless the asker mentioned that user
(a word joiner after the `@` keeps Telegram from turning it into a mention that notifies).

The length limit (4,096 UTF-16 code units) counts the text *after* entity parsing, so a chunk
split under the limit as Markdown stays under it as HTML: tags and fence lines only shrink it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape

from adapters.kit.chunks import FENCE

WORD_JOINER = "\u2060"
INLINE_CODE = re.compile(r"`([^`\n]+)`")
MENTION = re.compile(r"(?<![\w@/])@(?=([A-Za-z][A-Za-z0-9_]{3,31})\b)")


def neutralise_mentions(text: str, allowed: Collection[str] = ()) -> str:
    """`@name` → `@\u2060name` unless `@name` (any case) is in `allowed`."""
    if "@" not in text:
        return text
    keep = {name.lower().lstrip("@") for name in allowed}
    return MENTION.sub(lambda m: "@" if m.group(1).lower() in keep else "@" + WORD_JOINER, text)


def _inline(line: str) -> str:
    parts = []
    last = 0
    for match in INLINE_CODE.finditer(line):
        parts.append(escape(line[last : match.start()], quote=False))
        parts.append(f"<code>{escape(match.group(1), quote=False)}</code>")
        last = match.end()
    parts.append(escape(line[last:], quote=False))
    return "".join(parts)


def to_html(text: str, allowed_mentions: Collection[str] = ()) -> str:
    """One chunk of answer text as Telegram HTML (an unclosed fence is closed at the end)."""
    text = neutralise_mentions(text, allowed_mentions)
    out: list[str] = []
    code: list[str] | None = None
    language, marker = "", ""
    for line in text.split("\n"):
        fence = FENCE.match(line)
        if code is None and fence:
            code, marker = [], fence.group(1)
            language = fence.group(2).strip().split(" ")[0]
        elif code is not None and fence and _closes(fence, marker):
            out.append(_pre(code, language))
            code = None
        elif code is not None:
            code.append(line)
        else:
            out.append(_inline(line))
    if code is not None:
        out.append(_pre(code, language))
    return "\n".join(out)


def _closes(fence: re.Match[str], marker: str) -> bool:
    found = fence.group(1)
    return found[0] == marker[0] and len(found) >= len(marker) and not fence.group(2).strip()


def _pre(lines: list[str], language: str) -> str:
    body = escape("\n".join(lines), quote=False) or " "
    if re.fullmatch(r"[\w+#.-]{1,32}", language):
        return f'<pre><code class="language-{language}">{body}</code></pre>'
    return f"<pre>{body}</pre>"


def to_plain(text: str, allowed_mentions: Collection[str] = ()) -> str:
    """The fallback when Telegram cannot parse the HTML: the chunk as it is, mentions neutralised."""
    return neutralise_mentions(text, allowed_mentions)
