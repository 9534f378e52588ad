"""The document index: SQLite FTS5 with BM25 ranking (Porter stemming), one row per section.

Re-indexing is incremental: a file whose size and mtime are unchanged is skipped, one whose
content hash is unchanged only has its mtime refreshed, and only changed, new or removed files
touch the index. Searches run in a thread (sqlite3 blocks), one connection behind a lock.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError
from core.knowledge import KnowledgeSource, Passage
from skills.knowledge.documents import read_document
from skills.knowledge.ranking import CANDIDATES, rank
from skills.knowledge.rerank import Embedder, rerank

SCHEMA_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files(
    source TEXT, path TEXT, mtime REAL, size INTEGER, digest TEXT, url TEXT,
    PRIMARY KEY (source, path));
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(
    title, body, link UNINDEXED, source UNINDEXED, path UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2');
"""

Progress = Callable[[int, int, str], None]  # (done, total, relative path)


@dataclass(frozen=True, slots=True)
class Root:
    """A configured source, resolved against the bot definition's folder."""

    folder: Path
    url: str
    suffixes: tuple[str, ...]

    @classmethod
    def of(cls, source: KnowledgeSource, base: Path) -> Root:
        folder = Path(source.path).expanduser()
        return cls(
            (folder if folder.is_absolute() else base / folder).resolve(), source.url, tuple(source.suffixes)
        )

    def files(self) -> Iterator[tuple[Path, str]]:
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in self.suffixes and not _hidden(path, self.folder):
                yield path, path.relative_to(self.folder).as_posix()


def _hidden(path: Path, folder: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(folder).parts)


@dataclass(slots=True)
class IndexReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    sections: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged; {self.sections} sections in the index"
        )


class KnowledgeIndex:
    """`KnowledgeSearch` for `ctx.services.knowledge`, plus `update()` for the CLI and the hub."""

    def __init__(self, path: Path, roots: list[Root], *, embedder: Embedder | None = None) -> None:
        self.path = path
        self.roots = roots
        self.embedder = embedder
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        with self._lock:
            try:
                self._db.executescript(SCHEMA)
            except sqlite3.OperationalError as exc:
                if "fts5" not in str(exc):
                    raise
                raise ConfigError(
                    "key 'knowledge': this Python's sqlite3 has no FTS5 full-text search — fix: run "
                    "on a Python whose SQLite has FTS5 (python.org builds, Debian/Ubuntu, the Docker image)",
                    source=str(self.path),
                ) from None
            row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                self._db.executescript("DELETE FROM files; DELETE FROM chunks;")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- indexing ---------------------------------------------------------------------------
    def update(self, progress: Progress | None = None) -> IndexReport:
        """Bring the index in line with the source folders; returns what changed."""
        report = IndexReport()
        wanted = [(root, path, rel) for root in self.roots for path, rel in root.files()]
        with self._lock:
            known = {
                (src, rel): (mtime, size, digest, url)
                for src, rel, mtime, size, digest, url in self._db.execute("SELECT * FROM files")
            }
            self._db.execute("BEGIN IMMEDIATE")  # one writer at a time (two hubs on one machine)
            try:
                for done, (root, path, rel) in enumerate(wanted, 1):
                    self._file(root, path, rel, known.pop((str(root.folder), rel), None), report)
                    if progress is not None:
                        progress(done, len(wanted), rel)
                for source, rel in known:
                    self._forget(source, rel)
                    report.removed += 1
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            report.sections = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        return report

    def _file(
        self, root: Root, path: Path, rel: str, known: tuple[float, int, str, str] | None, report: IndexReport
    ) -> None:
        stat = path.stat()
        source = str(root.folder)
        if (
            known is not None
            and known[0] == stat.st_mtime
            and known[1] == stat.st_size
            and known[3] == root.url
        ):
            report.unchanged += 1
            return
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        row = (source, rel, stat.st_mtime, stat.st_size, digest, root.url)
        if known is not None and known[2] == digest and known[3] == root.url:
            self._db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", row)
            report.unchanged += 1
            return
        if known is not None:
            self._forget(source, rel)
        document = read_document(path, rel, root.url)
        self._db.executemany(
            "INSERT INTO chunks (title, body, link, source, path) VALUES (?, ?, ?, ?, ?)",
            [
                (
                    " › ".join(s.headings),
                    s.text,
                    f"{document.link}#{s.anchor}" if s.anchor else document.link,
                    source,
                    rel,
                )
                for s in document.sections
            ],
        )
        self._db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?)", row)
        if known is None:
            report.added += 1
        else:
            report.changed += 1

    def _forget(self, source: str, rel: str) -> None:
        self._db.execute("DELETE FROM chunks WHERE source = ? AND path = ?", (source, rel))
        self._db.execute("DELETE FROM files WHERE source = ? AND path = ?", (source, rel))

    def sections(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    # -- searching --------------------------------------------------------------------------
    async def search(self, query: str, limit: int = 3) -> list[Passage]:
        return await asyncio.to_thread(self.search_now, query, limit)

    def search_now(self, query: str, limit: int = 3) -> list[Passage]:
        with self._lock:
            if self.embedder is None:
                return rank(self._db, query, limit)
            candidates = rank(self._db, query, CANDIDATES)
        return rerank(query, candidates, self.embedder)[:limit]
