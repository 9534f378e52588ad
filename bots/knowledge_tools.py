"""`switchboard knowledge index` and `switchboard knowledge search "…"` for a bot's documents."""

from __future__ import annotations

import sys
from typing import TextIO

from core.botdef import bot_path, load_bot
from skills.knowledge.answer import found_list, usable
from skills.knowledge.index import KnowledgeIndex
from skills.knowledge.setup import open_index

BAR_WIDTH = 30


def _open(bot_name: str) -> tuple[KnowledgeIndex, str] | None:
    bot = load_bot(bot_name)
    if not bot.knowledge.enabled:
        print(
            f"Bot '{bot.name}' has no [knowledge] sources — fix: add e.g. sources = [\"docs\"] to "
            f"{bot_path(bot_name)}",
            file=sys.stderr,
        )
        return None
    return open_index(bot, bot_path(bot_name).parent, source=str(bot_path(bot_name))), bot.name


def progress_bar(out: TextIO):  # type: ignore[no-untyped-def]
    """A one-line bar on `out`, redrawn for each file: `[#######-----]  7/12  guide/setup.md`."""

    def show(done: int, total: int, name: str) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        line = f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done:>4}/{total}  {name[:40]:<40}"
        out.write(line)
        if done == total:
            out.write("\n")
        out.flush()

    return show


def index(bot_name: str) -> int:
    opened = _open(bot_name)
    if opened is None:
        return 2
    knowledge, name = opened
    print(f"Indexing the documents of bot '{name}' into {knowledge.path}")
    report = knowledge.update(progress=progress_bar(sys.stderr))
    print(f"Done: {report}.")
    knowledge.close()
    return 0


def search(bot_name: str, query: str, limit: int) -> int:
    opened = _open(bot_name)
    if opened is None:
        return 2
    knowledge, _ = opened
    knowledge.update()
    config = load_bot(bot_name).knowledge
    found = knowledge.search_now(query, limit)
    print(found_list(found, config))
    chosen = usable(found, config)
    if chosen:
        print("An answer would cite: " + ", ".join(p.link for p in chosen))
    else:
        print("An answer would be: I don't know (no model call).")
    knowledge.close()
    return 0
