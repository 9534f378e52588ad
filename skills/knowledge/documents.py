"""Documents into sections: Markdown and HTML are cut at their headings, plain text at blank
lines; each section keeps its heading path ("Connect a platform › Slack") and its anchor
(GitHub's slug of the heading, or the HTML id), so a citation can link to it.

A Markdown file may start with front matter: `title:` (the document's name) and `link:` (where
readers open it, e.g. `README.md` for a page split out of the README)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from skills.knowledge.anchors import slug
from skills.knowledge.html import HtmlSections

MAX_SECTION_CHARS = 1500  # longer sections are cut at paragraph breaks, same heading and anchor
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@dataclass(frozen=True, slots=True)
class Section:
    headings: tuple[str, ...]  # from the document's title down to this section's heading
    anchor: str
    text: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Document:
    path: str  # relative to its source folder, with forward slashes
    title: str
    link: str  # where the document is opened, before any #anchor
    sections: tuple[Section, ...]


def read_document(path: Path, relative: str, base_url: str) -> Document:
    raw = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    suffix = path.suffix.lower()
    meta: dict[str, str] = {}
    if suffix in (".md", ".markdown"):
        meta, raw = front_matter(raw)
        title, parts = markdown_sections(raw)
    elif suffix in (".html", ".htm"):
        reader = HtmlSections()
        reader.feed(raw)
        reader.close()
        title, parts = reader.title, reader.sections()
    else:
        title, parts = "", [((), "", raw)]
    title = meta.get("title") or title or path.stem.replace("-", " ").replace("_", " ")
    link = meta.get("link") or (base_url.rstrip("/") + "/" + relative if base_url else relative)
    sections = tuple(
        Section((title, *heads), anchor, piece)
        for heads, anchor, text in parts
        for piece in pieces(text)
        if piece.strip()
    )
    return Document(relative, title, link, sections)


def front_matter(raw: str) -> tuple[dict[str, str], str]:
    match = FRONT_MATTER.match(raw)
    if not match:
        return {}, raw
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, raw[match.end() :]


def markdown_sections(raw: str) -> tuple[str, list[tuple[tuple[str, ...], str, str]]]:
    """(title, [(heading path below the title, anchor, text)]). The first `#` heading is the
    title when it is the only one of its level."""
    lines = raw.split("\n")
    found: list[tuple[int, int, str]] = []  # (line, level, heading)
    fenced = False
    for number, line in enumerate(lines):
        if FENCE.match(line):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match:
            found.append((number, len(match.group(1)), match.group(2)))
    title = ""
    if found and found[0][1] == 1 and sum(1 for _, level, _ in found if level == 1) == 1:
        title = found[0][2]
    seen: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    sections: list[tuple[tuple[str, ...], str, str]] = [
        ((), "", "\n".join(lines[: found[0][0]] if found else lines))
    ]
    for index, (number, level, heading) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else len(lines)
        anchor = slug(heading, seen)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, heading))
        heads = tuple(h for lvl, h in stack if not (title and lvl == 1))
        sections.append((heads, anchor, "\n".join(lines[number + 1 : end])))
    return title, sections


def pieces(text: str) -> list[str]:
    """The section's text, cut at paragraph breaks into parts of at most MAX_SECTION_CHARS."""
    text = text.strip()
    if len(text) <= MAX_SECTION_CHARS:
        return [text]
    parts: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", text):
        if current and len(current) + len(paragraph) > MAX_SECTION_CHARS:
            parts.append(current)
            current = ""
        current = f"{current}\n\n{paragraph}" if current else paragraph
        while len(current) > MAX_SECTION_CHARS:
            parts.append(current[:MAX_SECTION_CHARS])
            current = current[MAX_SECTION_CHARS:]
    if current:
        parts.append(current)
    return parts
