"""`switchboard pii mask`: JSON lines `{"text": ...}` in, `{"masked", "entities"}` out, in order.

A bad line gets `{"error": "line N: ..."}` in its place and the rest go on; the exit status is
1 when any line failed. Placeholders are consistent across the lines of one run."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import Iterable
from typing import IO, Any

from core.pii.config import PiiConfig
from core.pii.service import AnalyzerService
from core.pii.spans import replace
from core.pii.vault import MemoryStore

BATCH = 64
SCOPE = "cli"


def parse_line(number: int, line: str) -> tuple[str | None, str | None]:
    """(text, None) for a good line, (None, error message) for a bad one."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None, f'line {number}: expected an object like {{"text": "..."}}'
    return data["text"], None


async def mask_lines(
    lines: Iterable[str], out: IO[str], config: PiiConfig, err: IO[str] = sys.stderr, batch: int = BATCH
) -> int:
    service = AnalyzerService(config.spacy_model)
    store = MemoryStore()
    failed = 0
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    while chunk := list(itertools.islice(numbered, batch)):
        parsed = [(n, *parse_line(n, line)) for n, line in chunk]
        texts = [text for _n, text, _error in parsed if text is not None]
        results = await asyncio.gather(*(service.analyze(text, config) for text in texts))
        found = iter(results)
        for _n, text, error in parsed:
            record: dict[str, Any]
            if text is None:
                failed += 1
                print(error, file=err)
                record = {"error": error}
            else:
                spans = next(found)
                placeholders = await store.assign(SCOPE, [(s.type, text[s.start : s.end]) for s in spans])
                record = {
                    "masked": replace(text, spans, placeholders),
                    "entities": [s.as_dict() for s in spans],
                }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if failed else 0
