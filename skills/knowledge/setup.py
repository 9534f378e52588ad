"""Opening a bot's index from its `[knowledge]` section, with errors that name the file, the key
and the fix. Used by the composition root (the hub) and by `switchboard knowledge`."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

from core.botdef import BotDefinition
from core.errors import ConfigError
from skills.knowledge.index import KnowledgeIndex, Root


def default_index_path(bot: BotDefinition, roots: list[Root]) -> Path:
    """`$XDG_CACHE_HOME/switchboard/knowledge/<bot>-<sources digest>.sqlite` (a cache: it can
    always be rebuilt from the folders)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256("\n".join(str(r.folder) for r in roots).encode()).hexdigest()[:12]
    return base / "switchboard" / "knowledge" / f"{bot.name}-{digest}.sqlite"


def roots_of(bot: BotDefinition, base: Path, *, source: str) -> list[Root]:
    """The source folders, resolved against `base` (the bot definition's folder); each must exist."""
    roots = []
    problems = []
    for number, item in enumerate(bot.knowledge.sources):
        root = Root.of(item, base)
        if not root.folder.is_dir():
            problems.append(
                f"key 'knowledge.sources.{number}.path': no folder at {root.folder} — fix: create it, "
                f"or give a folder relative to {base}"
            )
        roots.append(root)
    if bot.knowledge.rerank_model:
        if importlib.util.find_spec("model2vec") is None:
            problems.append(
                "key 'knowledge.rerank_model': re-ranking needs the model2vec package — fix: "
                "pip install model2vec, or remove the key (lexical ranking only)"
            )
        elif not Path(bot.knowledge.rerank_model).expanduser().is_dir():
            problems.append(
                f"key 'knowledge.rerank_model': no model folder at {bot.knowledge.rerank_model} — "
                "fix: give the folder of a local model2vec model"
            )
    if problems:
        raise ConfigError(problems, source=source)
    return roots


def open_index(bot: BotDefinition, base: Path, *, source: str) -> KnowledgeIndex:
    roots = roots_of(bot, base, source=source)
    configured = bot.knowledge.index
    path = Path(configured).expanduser() if configured else default_index_path(bot, roots)
    if configured and not path.is_absolute():
        path = base / path
    embedder = None
    if bot.knowledge.rerank_model:
        from skills.knowledge.rerank import load_embedder

        embedder = load_embedder(Path(bot.knowledge.rerank_model).expanduser())
    return KnowledgeIndex(path, roots, embedder=embedder)
