"""Run in a child process (a crash must fail one test, not kill the suite): load a model with
the ctransformers backend and put every input we know of through its tokenizer and generation.

    python -m tests.model.tokenize_all MODEL_PATH BLNS_JSON [--generate issue,strings,blocks] [--no-sweep]

Prints one JSON object: how many naughty strings and code points were tokenized, how many
prompts generated, and the inputs that came back empty although they had visible text.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections.abc import Iterator

from bots.backends import load_engine
from core.model.config import ModelSpec
from core.model.contract import JobRequest

ISSUE_STRINGS = ["こんにちは", "你好", "Привет", "안녕하세요", "こんにちは、元気ですか？"]


def assigned(codes: range) -> list[str]:
    """The assigned characters in `codes`, surrogates left out (they have no UTF-8 form)."""
    return [chr(c) for c in codes if unicodedata.category(chr(c)) not in ("Cn", "Cs")]


def code_point_chunks(size: int = 64) -> Iterator[str]:
    """Every assigned character, `size` consecutive ones per string (one C call each: a call
    costs ~0.5 ms, so one call per character would take minutes)."""
    chars = assigned(range(0x110000))
    for start in range(0, len(chars), size):
        yield "".join(chars[start : start + size])


def block_samples() -> dict[str, list[str]]:
    """First, middle and last assigned character of every Unicode block (the block table
    comes from charset_normalizer, which `requests` installs)."""
    from charset_normalizer.constant import UNICODE_RANGES_COMBINED

    samples: dict[str, list[str]] = {}
    for name, codes in UNICODE_RANGES_COMBINED.items():
        chars = assigned(codes)
        if chars:
            samples[name] = list(dict.fromkeys([chars[0], chars[len(chars) // 2], chars[-1]]))
    return samples


def generate(engine: object, text: str) -> str:
    request = JobRequest(job_id="t", model="m", prompt=text, max_tokens=2, temperature=0)
    return "".join(engine.stream(request))  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("blns")
    parser.add_argument("--generate", default="issue", help="comma list of: issue, strings, blocks")
    parser.add_argument("--no-sweep", action="store_true", help="skip the every-code-point sweep")
    args = parser.parse_args(argv)
    engine = load_engine(
        ModelSpec(name="m", backend="ctransformers", path=args.model, threads=1, context=1024)
    )
    strings = [s for s in json.loads(open(args.blns, encoding="utf-8").read()) if isinstance(s, str)]
    report: dict[str, object] = {"missing_bytes": sorted(engine.tokenizer.missing_bytes)}  # type: ignore[attr-defined]
    started = time.perf_counter()
    empty = [s for s in strings if s.strip() and not engine.tokenize(s)]  # type: ignore[attr-defined]
    report["strings"] = len(strings)
    report["empty_strings"] = empty
    chunks = [] if args.no_sweep else list(code_point_chunks())
    report["code_points"] = sum(len(chunk) for chunk in chunks)
    report["empty_chunks"] = [ord(c[0]) for c in chunks if not engine.tokenize(c)][:50]  # type: ignore[attr-defined]
    blocks = block_samples()
    singles = [char for chars in blocks.values() for char in chars]
    report["blocks"] = len(blocks)
    report["single_characters"] = len(singles)
    report["empty_single_characters"] = [
        ord(char)
        for char in singles
        if engine.tokenizer.clean(char) == char and not engine.tokenize(char)  # type: ignore[attr-defined]
    ]
    report["overflowing_issue_strings"] = [
        s
        for s in ISSUE_STRINGS
        if len(engine.tokenize(s)) > len(s) + 1  # type: ignore[attr-defined]
    ]
    report["tokenize_s"] = round(time.perf_counter() - started, 2)
    wanted = set(args.generate.split(","))
    prompts: list[str] = []
    if "issue" in wanted:
        prompts += ISSUE_STRINGS + ["\x04\x06\x13\x14\x16\x1d", "a\x00b", "\ud800 lone"]
    if "strings" in wanted:
        prompts += strings
    if "blocks" in wanted:
        prompts += [chars[0] for chars in blocks.values()]
    started = time.perf_counter()
    report["generated"] = sum(1 for text in prompts if isinstance(generate(engine, text), str))
    report["generate_s"] = round(time.perf_counter() - started, 2)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
