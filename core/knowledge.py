"""Answers from documents, as the core sees them: the `[knowledge]` section of a bot definition,
a retrieved `Passage`, and the `KnowledgeSearch` seam skills call (`ctx.services.knowledge`).

The index itself (SQLite FTS5, BM25) lives in `skills/knowledge`; `bots/compose` plugs it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".txt")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KnowledgeSource(_Strict):
    """One folder of Markdown, HTML or plain-text files."""

    path: str = Field(min_length=1, description="folder, relative to the bot definition's folder")
    url: str = Field(
        "", description="where readers open these files: a citation links url + relative path + #anchor"
    )
    suffixes: list[str] = Field(default_factory=lambda: list(DEFAULT_SUFFIXES), min_length=1)

    @field_validator("suffixes")
    @classmethod
    def _dotted(cls, suffixes: list[str]) -> list[str]:
        for suffix in suffixes:
            if not suffix.startswith(".") or suffix.lower() not in DEFAULT_SUFFIXES:
                raise ValueError(f"suffix {suffix!r}: use some of {list(DEFAULT_SUFFIXES)}")
        return [s.lower() for s in suffixes]


class KnowledgeConfig(_Strict):
    """`[knowledge]`: which documents the bot answers from, and how sure it must be."""

    sources: list[KnowledgeSource] = Field(default_factory=list)
    index: str = Field(
        "", description="SQLite index file; empty: ~/.cache/switchboard/knowledge/<bot>.sqlite"
    )
    min_confidence: float = Field(
        0.5, ge=0.0, le=1.0, description="below this the bot says it does not know (no model call)"
    )
    passages: int = Field(3, ge=1, le=10, description="passages given to the model")
    max_context_chars: int = Field(2400, ge=200, le=50_000, description="passage text in one prompt")
    unmatched: Literal["dont_know", "model"] = Field(
        "dont_know", description="free text with no good passage: say so, or ask the model as usual"
    )
    rerank_model: str = Field("", description="a local model2vec folder; empty: lexical ranking only")

    @field_validator("sources", mode="before")
    @classmethod
    def _paths_as_tables(cls, value: Any) -> Any:
        """`sources = ["docs"]` is short for `sources = [{ path = "docs" }]`."""
        if isinstance(value, list):
            return [{"path": item} if isinstance(item, str) else item for item in value]
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.sources)


@dataclass(frozen=True, slots=True)
class Passage:
    """One section of one document, as found for a question."""

    title: str  # "README › Connect a platform › Slack"
    link: str  # where a reader opens it: a URL or a path, with #anchor
    text: str = field(repr=False)
    score: float = 0.0  # the ranking's score (higher is better)
    confidence: float = 0.0  # 0..1: how much of the question this passage covers
    path: str = ""  # the file, relative to its source folder


class KnowledgeSearch(Protocol):
    async def search(self, query: str, limit: int = 3) -> list[Passage]:
        """The best passages for `query`, best first (empty when nothing matches)."""
