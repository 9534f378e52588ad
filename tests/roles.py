"""What an image of one role has installed, computed from pyproject.toml and the installed
packages' own metadata: the distributions `pip install '.[<extras>]'` pulls in, and the import
names of every other distribution in this (everything-installed) test venv — the ones to block
so that a process here sees what it would see in that image."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OWN = ("core", "adapters", "skills", "bots", "tests")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project_requirements(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["dependencies"]]
    todo, done = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in done:
            continue
        done.add(extra)
        for text in project["optional-dependencies"][extra]:
            requirement = Requirement(text)
            if canonical(requirement.name) == canonical(project["name"]):
                todo.extend(requirement.extras)  # `switchboard[hub,worker]`
            else:
                found.append(requirement)
    return found


def installed_closure(extras: tuple[str, ...], also: tuple[str, ...] = ()) -> set[str]:
    """Canonical names of the installed distributions the role's requirements reach, plus
    `also`: wheels an image installs on their own with --no-deps (the model package)."""
    seen: set[str] = {"switchboard", *(canonical(Requirement(a).name) for a in also)}
    todo = [(r, frozenset(r.extras)) for r in project_requirements(extras)]
    while todo:
        requirement, wanted = todo.pop()
        name = canonical(requirement.name)
        if name in seen:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # not in this venv (e.g. the CUDA wheels): nothing here to block either
        seen.add(name)
        for text in dist.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in {"", *wanted}):
                todo.append((sub, frozenset(sub.extras)))
    return seen


def blocked_modules(extras: tuple[str, ...], also: tuple[str, ...] = ()) -> list[str]:
    """Top-level import names that only distributions outside the role provide."""
    allowed = installed_closure(extras, also)
    blocked = []
    for module, dists in metadata.packages_distributions().items():
        if module in sys.stdlib_module_names or module in OWN or module.startswith("_"):
            continue
        if not {canonical(d) for d in dists} & allowed:
            blocked.append(module)
    return sorted(blocked)
