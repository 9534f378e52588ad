"""Run `switchboard ARGS` as if only one role's packages were installed:
`python -m tests.role_guard BLOCKED.json RECORD -- ARGS`.

Importing a module named in BLOCKED.json fails as if it were absent (ModuleNotFoundError), and
its name is appended to RECORD, so a test can tell what the process tried to import, even
where the code caught the error. Only the standard library is imported before the guard."""

from __future__ import annotations

import importlib.abc
import json
import sys


class Absent(importlib.abc.MetaPathFinder):
    def __init__(self, blocked: set[str], record: str) -> None:
        self._blocked = blocked
        self._record = record

    def find_spec(self, name, path=None, target=None):  # type: ignore[no-untyped-def]
        top = name.partition(".")[0]
        if top in self._blocked:
            with open(self._record, "a", encoding="utf-8") as handle:
                handle.write(name + "\n")
            raise ModuleNotFoundError(f"No module named {name!r} (not installed in this role)", name=name)
        return None


def main() -> int:
    blocked_file, record, separator, *args = sys.argv[1:]
    assert separator == "--", "usage: python -m tests.role_guard BLOCKED.json RECORD -- ARGS"
    with open(blocked_file, encoding="utf-8") as handle:
        blocked = set(json.load(handle))
    already = sorted(m for m in sys.modules if m.partition(".")[0] in blocked)
    assert not already, f"imported before the guard: {already}"
    sys.meta_path.insert(0, Absent(blocked, record))
    from bots.cli import main as switchboard

    return switchboard(args)


if __name__ == "__main__":
    sys.exit(main())
