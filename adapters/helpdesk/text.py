"""Ticket bodies to plain text: HTML converted, quoted e-mail history and signatures cut, before
the text is masked and answered. Pure functions."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "ul", "ol"}
_DROPPED = {"blockquote", "script", "style", "head"}
_QUOTE_HEADS = (
    re.compile(r"^\s*On .{3,200}wrote:\s*$"),
    re.compile(r"^\s*Am .{3,200}schrieb .{1,120}:\s*$"),
    re.compile(r"^\s*Le .{3,200}a écrit\s*:\s*$"),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*From:\s.+$"),
    re.compile(r"^\s*#{2}-\s*Please type your reply above this line\s*-#{2}\s*$", re.I),
)
_SIGNATURES = (
    re.compile(r"^-- ?$"),
    re.compile(r"^\s*Sent from my (iPhone|iPad|Android|mobile|Galaxy).*$", re.I),
    re.compile(r"^\s*Get Outlook for .*$", re.I),
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _DROPPED:
            self._dropping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return _tidy("".join(parser.parts))


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"</?(p|div|br|span|a|b|i|strong|em|ul|li|blockquote|table)\b", text, re.I))


def strip_history(text: str) -> str:
    """Cut at the first quoted-reply header or signature delimiter; drop `>` quoted lines."""
    kept: list[str] = []
    for line in text.splitlines():
        if any(p.match(line) for p in _QUOTE_HEADS) or any(p.match(line) for p in _SIGNATURES):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return _tidy("\n".join(kept))


def plain(text: str | None) -> str:
    """Any vendor body → the text the bot answers."""
    if not text:
        return ""
    body = html_to_text(text) if looks_like_html(text) else unescape(text) if "&" in text else text
    return strip_history(body)


def adf_to_text(node: Any) -> str:
    """Atlassian Document Format (Jira comment bodies) → plain text."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inner = "".join(adf_to_text(child) for child in node.get("content") or [])
    if node.get("type") in {"paragraph", "heading", "listItem", "codeBlock", "blockquote"}:
        return inner + "\n"
    return inner


def _tidy(text: str) -> str:
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
