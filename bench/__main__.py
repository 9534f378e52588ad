"""`python -m bench [name ...]`: runs every benchmark module present, or the named ones.

A benchmark module exposes `main() -> None` that prints a small report.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

BENCHMARKS = (
    "pipeline",
    "model",
    "pii",
    "slack",
    "telegram",
    "discord",
    "helpdesk",
    "knowledge",
    "triage",
    "agreement",
    "capacity",
)


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    for name in chosen:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                print(f"(no benchmark named {name!r})")
                continue
            raise
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        try:
            module.main()
        finally:  # a benchmark that pins itself to one core leaves the next one all of them
            if cores is not None:
                os.sched_setaffinity(0, cores)
        print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
