"""Ranking a question against the index: FTS5's BM25 (titles weigh more than bodies) picks the
candidates, and each gets a confidence — the share of the question's information (IDF-weighted
content words) it covers. A word no document has counts fully against every passage, so "what is
the capital of France?" finds nothing worth answering from, while "how do I connect Slack?" does.
"""

from __future__ import annotations

import math
import re
import sqlite3

from core.knowledge import Passage

TITLE_WEIGHT = 2.0
CANDIDATES = 20
# final score = BM25_SHARE * BM25 relative to the best + TITLE_SHARE * the question's information
# in the section's title (heading path) + the rest * confidence
BM25_SHARE = 0.5
TITLE_SHARE = 0.3
STOP_WORDS = frozenset(
    """a an the and or but if then of to in on at by for with from about into onto over under as
    is are was were be been being am do does did done doing have has had having can could should
    would will shall may might must i me my mine we us our you your yours he she they them their it
    its this that these those there here what which who whom whose where when why how any some
    all no not yes so too very just also please tell show explain know want need like get got
    make let one much many more most than read find out there's what's how's it's i'm don't can't""".split()
)
PLACEHOLDER = re.compile(r"^[a-z]+(?:_[a-z]+)*_\d+$")  # <PERSON_1> after masking: not a topic


def terms_of(query: str) -> list[str]:
    """The content words of a question, lower case, each once, in order."""
    seen: list[str] = []
    for raw in re.findall(r"[\w']+", query.lower()):
        word = raw.strip("'")
        if len(word) < 2 or word in STOP_WORDS or PLACEHOLDER.match(word):
            continue
        word = word.replace("'", "")
        if word not in seen:
            seen.append(word)
    return seen


def _phrase(term: str) -> str:
    return '"' + term.replace('"', "") + '"'


def rank(db: sqlite3.Connection, query: str, limit: int) -> list[Passage]:
    terms = terms_of(query)
    if not terms:
        return []
    total = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    if not total:
        return []
    weights = {}
    for term in terms:
        df = db.execute("SELECT count(*) FROM chunks WHERE chunks MATCH ?", (_phrase(term),)).fetchone()[0]
        weights[term] = (df, math.log(1 + (total - df + 0.5) / (df + 0.5)))
    present = [t for t, (df, _) in weights.items() if df]
    if not present:
        return []
    unknown = max(weights[t][1] for t in present)  # a word no document has weighs as the rarest known one
    weights = {t: (df, idf if df else unknown) for t, (df, idf) in weights.items()}
    rows = db.execute(
        "SELECT rowid, title, body, link, path, bm25(chunks, ?, 1.0) AS r FROM chunks "
        "WHERE chunks MATCH ? ORDER BY r LIMIT ?",
        (TITLE_WEIGHT, " OR ".join(_phrase(t) for t in present), CANDIDATES),
    ).fetchall()
    ids = [row[0] for row in rows]
    marks = ",".join("?" * len(ids))
    covered: dict[int, float] = dict.fromkeys(ids, 0.0)
    titled: dict[int, float] = dict.fromkeys(ids, 0.0)
    for term in present:
        for sums, match in ((covered, _phrase(term)), (titled, f"title : {_phrase(term)}")):
            found = db.execute(
                f"SELECT rowid FROM chunks WHERE chunks MATCH ? AND rowid IN ({marks})", (match, *ids)
            ).fetchall()
            for (rowid,) in found:
                sums[rowid] += weights[term][1]
    information = sum(idf for _, idf in weights.values())
    best = max(-row[5] for row in rows) or 1.0
    passages = []
    for rowid, title, body, link, path, bm25 in rows:
        confidence = covered[rowid] / information
        score = (
            BM25_SHARE * (-bm25 / best)
            + TITLE_SHARE * titled[rowid] / information
            + (1 - BM25_SHARE - TITLE_SHARE) * confidence
        )
        passages.append(Passage(title, link, body, round(score, 4), round(confidence, 4), path))
    passages.sort(key=lambda p: -p.score)
    best_per_link: dict[str, Passage] = {}
    for passage in passages:  # a long section cut in parts: its best part stands for it
        best_per_link.setdefault(passage.link, passage)
    return list(best_per_link.values())[:limit]
