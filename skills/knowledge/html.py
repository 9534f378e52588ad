"""HTML into sections at its h1–h6 headings (stdlib parser; scripts, styles and navigation
skipped). A heading's `id` (or that of an `<a name>` inside it) is its anchor, else its slug."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from skills.knowledge.anchors import slug

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SKIPPED = {"script", "style", "nav", "noscript", "template", "svg", "head"}
BLOCKS = {"p", "div", "li", "tr", "br", "pre", "blockquote", "section", "article", "table", "dd", "dt"}


class HtmlSections(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self._in_title = False
        self._skip = 0
        self._heading: tuple[int, str, list[str]] | None = None  # level, id, text
        self._found: list[tuple[int, str, str, list[str]]] = [(0, "", "", [])]  # level, id, heading, text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self._skip += 1
        if tag == "title":
            self._in_title = True
        attributes = dict(attrs)
        if tag in HEADINGS:
            self._heading = (int(tag[1]), attributes.get("id") or "", [])
        elif tag == "a" and self._heading is not None and not self._heading[1] and attributes.get("name"):
            level, _, text = self._heading
            self._heading = (level, attributes.get("name") or "", text)
        elif tag in BLOCKS:
            self._found[-1][3].append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self._skip:
            self._skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in HEADINGS and self._heading is not None:
            level, anchor, text = self._heading
            self._found.append((level, anchor, " ".join("".join(text).split()), []))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        elif self._skip:
            return
        elif self._heading is not None:
            self._heading[2].append(data)
        else:
            self._found[-1][3].append(data)

    def sections(self) -> list[tuple[tuple[str, ...], str, str]]:
        seen: dict[str, int] = {}
        stack: list[tuple[int, str]] = []
        out = []
        for level, anchor, heading, text in self._found:
            body = re.sub(r"\n\s*\n+", "\n\n", re.sub(r"[ \t]+", " ", "".join(text))).strip()
            if level:
                anchor = anchor or slug(heading, seen)
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, heading))
            if not self.title and level == 1:
                self.title = heading
            heads = tuple(h for _, h in stack if h != self.title)
            out.append((heads, anchor, body))
        return out
