"""Split one Markdown file into a page per `##` section (how the sample folder was made):
`python -m skills.knowledge.split README.md bots/knowledge/switchboard`.

Each page keeps a front-matter `link` to the original file, so citations point at its sections
(`README.md#slack`), and starts with its section's heading as the page title."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from skills.knowledge.anchors import slug

FENCE = re.compile(r"^\s*(```|~~~)")


def split_markdown(text: str, link: str) -> dict[str, str]:
    """{file name: page} for each `##` section; what comes before the first one is the intro."""
    pages: dict[str, list[str]] = {}
    title, current = "", "intro"
    fenced = False
    seen: dict[str, int] = {}
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        if not fenced and line.startswith("# ") and not title:
            title = line[2:].strip()
            pages[current] = [line]
            continue
        if not fenced and line.startswith("## "):
            current = slug(line[3:], seen)
            pages[current] = ["# " + line[3:].strip()]
            continue
        pages.setdefault(current, []).append(line)
    pages.pop("contents", None)  # a list of links to the other sections: nothing to answer from
    out = {}
    for number, (name, lines) in enumerate(pages.items()):
        page = "\n".join(lines).strip()
        out[f"{number:02d}-{name}.md"] = f"---\nlink: {link}\n---\n{page}\n"
    return out


def main(argv: list[str]) -> int:
    source, folder = Path(argv[0]), Path(argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for name, page in split_markdown(source.read_text(encoding="utf-8"), source.name).items():
        (folder / name).write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
