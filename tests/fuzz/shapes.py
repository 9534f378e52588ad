"""What the fuzz suite sends, before it is addressed to a route: the public corpora
(tests/corpora/), hand-made shapes (wrong JSON types, deep nesting, invalid UTF-8, NUL bytes, lone
surrogates, Unicode digits), and the mutations of a valid payload (each string field replaced by
each naughty string, each field by each wrong JSON type, raw bytes spliced into each string).

`make test` sends a sample: every 20th corpus item, and a few rotating values per field, so every
field is still hit, by different strings on each route; `make fuzz` sends every combination."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
PAYLOADS = CORPORA.parent / "payloads"
SAMPLE_EVERY = 20
PER_FIELD_IN_SAMPLE = 2  # values per field in the sample (the full run sends all of them)
T = TypeVar("T")
Path_ = tuple[str | int, ...]


def must_reject_files() -> list[tuple[str, bytes]]:
    folder = CORPORA / "jsontestsuite" / "n"
    return [(p.name, p.read_bytes()) for p in sorted(folder.glob("n_*.json"))]


def naughty_strings() -> list[str]:
    strings = json.loads((CORPORA / "blns" / "blns.json").read_text(encoding="utf-8"))
    return [s for s in strings if isinstance(s, str)]


def naughty_lines() -> list[bytes]:
    """blns.txt as raw lines: the same strings, plus the comment lines, as bytes."""
    return [line for line in (CORPORA / "blns" / "blns.txt").read_bytes().splitlines() if line]


def sample(items: Sequence[T], full: bool) -> list[T]:
    return list(items) if full else list(items[::SAMPLE_EVERY])


def payload(platform: str, name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / platform / f"{name}.json").read_text(encoding="utf-8"))


# -- hand-made shapes ------------------------------------------------------------------------
DEEP = [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000, b"[" * 100_000]
ODD_BODIES = [
    *DEEP,
    b"\xff\xfe\xfd",  # invalid UTF-8
    b'{"text": "\xc3\x28"}',  # invalid UTF-8 inside a string
    b'{"text": "a\x00b"}',  # a raw NUL byte
    b'{"text": "\\u0000"}',
    b'{"text": "\\ud800"}',  # a lone surrogate
    b'{"text": "\\udfff\\ud800"}',
    b"\x00" * 64,
    b"",
    b"null",
    b"[]",
    b'"a string"',
    b"1e999999",
]
WRONG_TYPES: list[Any] = [[], {}, 1, 1.5, True, None, ["message"], {"type": "message"}, 10**30, -1]
# Spliced unescaped into a JSON string: invalid UTF-8, a raw NUL, an escaped NUL, lone
# surrogates, a raw control character, a BOM.
RAW_INSERTS = [
    b"\xc3\x28",
    b"a\x00b",
    b"\\u0000",
    b"\\ud800",
    b"\\udfff\\ud800",
    b"\x01\x1f",
    b"\xef\xbb\xbf",
]
UNICODE_DIGITS = [
    "\u00b2" * 10,
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660",
    "１２３４５６７８９０",
]
NON_UTF8_QUERY = ["%ff", "%c3%28", "%ed%a0%80", "%f8%88%80%80%80", "%00", "%e2%82", "%fe%ff", "%c0%af"]
WRONG_CONTENT_TYPES = (
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "application/json; charset=latin-1",
    "\x00",
    "",
)
DEEP_VALUE_LEVELS = 5_000  # a valid payload with one field nested this deep


# -- mutations of a valid payload -------------------------------------------------------------
def nodes(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every value under the root (containers and leaves), with its path."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield (*path, key), value
        yield from nodes(value, (*path, key))


def string_paths(data: Any) -> list[Path_]:
    return [path for path, value in nodes(data) if isinstance(value, str)]


def replaced(data: Any, path: Path_, value: Any) -> Any:
    copied = copy.deepcopy(data)
    target = copied
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copied


def spread(values: Sequence[T], count: int, full: bool) -> Iterator[tuple[int, list[T]]]:
    """For each of `count` fields, the values it gets: all of them, or a few that rotate from one
    field to the next (so a sample still sends every value to some field)."""
    for index in range(count):
        if full:
            yield index, list(values)
        else:
            start = (index * PER_FIELD_IN_SAMPLE) % max(1, len(values))
            yield index, [values[(start + k) % len(values)] for k in range(PER_FIELD_IN_SAMPLE)]


def field_mutations(
    data: dict[str, Any], full: bool, *, naughty: bool = True
) -> Iterator[tuple[str, Path_, Any]]:
    """(label, path, new value): each string field × each naughty string (unless `naughty` is
    False), each field × each wrong JSON type."""
    strings = naughty_strings()
    paths = string_paths(data) if naughty else []
    for index, values in spread(strings, len(paths), full):
        for value in values:
            yield f"{_dotted(paths[index])} = naughty {strings.index(value)}", paths[index], value
    every = [path for path, _ in nodes(data)]
    for index, values in spread(WRONG_TYPES, len(every), full):
        for value in values:
            yield f"{_dotted(every[index])} = {_short(value)}", every[index], value


MARK = "\u2063fuzz-splice\u2063"  # an invisible separator nobody's payload contains


def splices(data: dict[str, Any], full: bool) -> Iterator[tuple[str, Path_, bytes]]:
    """(label, path, raw bytes) to splice unescaped in place of one field at a time (`splice`):
    invalid UTF-8, NULs and surrogates into each string, and a deep nest in place of some fields
    (json.dumps itself could not write one that deep)."""
    paths = string_paths(data)
    for index, inserts in spread(RAW_INSERTS, len(paths), full):
        for insert in inserts:
            yield f"{_dotted(paths[index])} spliced {insert!r}", paths[index], b'"' + insert + b'"'
    every = [path for path, _ in nodes(data)]
    deep = b"[" * DEEP_VALUE_LEVELS + b'"x"' + b"]" * DEEP_VALUE_LEVELS
    for path in every[:: 1 if full else 7]:
        yield f"{_dotted(path)} nested {DEEP_VALUE_LEVELS} deep", path, deep


def splice(body: bytes, insert: bytes) -> bytes:
    """`body` (JSON with MARK as one field's value) with that value replaced by `insert`."""
    return body.replace(json.dumps(MARK).encode(), insert)


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."
