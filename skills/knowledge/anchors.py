"""Section anchors as GitHub makes them, so a citation links to the heading it names."""

from __future__ import annotations

import re


def slug(heading: str, seen: dict[str, int]) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens,
    repeats numbered (`-1`, `-2`). `seen` counts the document's anchors so far."""
    text = re.sub(r"`|\*|_{2,}|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    base = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
    count = seen.get(base, 0)
    seen[base] = count + 1
    return base if count == 0 else f"{base}-{count}"
