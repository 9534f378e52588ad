"""The import rule, checked on every module's AST:
core imports nothing of this repo's other packages and no chat SDK; adapters and skills import
core only (never each other, never bots); model libraries live in one worker-side module;
presidio in one core module."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "adapters", "skills", "bots")
CHAT_SDKS = ("slack_bolt", "slack_sdk", "telegram", "discord")
MODEL_LIBS = ("ctransformers", "llama_cpp")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


def test_every_package_has_modules():
    for package in PACKAGES:
        assert modules(package), package


def test_core_imports_no_other_package_and_no_chat_sdk():
    bad = []
    for path in modules("core"):
        for name in imports_of(path):
            if top(name) in {"adapters", "skills", "bots", *CHAT_SDKS}:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_adapters_and_skills_import_core_only():
    bad = []
    for package in ("adapters", "skills"):
        forbidden = {"bots", *({"adapters", "skills"} - {package})}
        for path in modules(package):
            for name in imports_of(path):
                if top(name) in forbidden:
                    bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_each_adapter_package_stands_alone():
    bad = []
    for path in modules("adapters"):
        own = path.relative_to(ROOT / "adapters").parts[0]
        for name in imports_of(path):
            parts = name.split(".")
            if parts[0] == "adapters" and len(parts) > 1 and parts[1] not in {own, "kit"}:
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_the_kit_imports_core_and_no_chat_sdk():
    bad = []
    for path in sorted((ROOT / "adapters" / "kit").rglob("*.py")):
        for name in imports_of(path):
            parts = name.split(".")
            if top(name) in {"bots", "skills", *CHAT_SDKS} or (
                parts[0] == "adapters" and parts[1:2] != ["kit"]
            ):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not bad, bad


def test_skills_import_no_chat_sdk():
    bad = [
        f"{p.relative_to(ROOT)} imports {n}"
        for p in modules("skills")
        for n in imports_of(p)
        if top(n) in CHAT_SDKS
    ]
    assert not bad, bad


def test_model_libraries_and_presidio_are_confined():
    users: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in modules(package):
            for name in imports_of(path):
                if top(name) in {*MODEL_LIBS, "presidio_analyzer", "presidio_anonymizer"}:
                    users.setdefault(top(name), set()).add(str(path.relative_to(ROOT)))
    for lib in MODEL_LIBS:
        assert len(users.get(lib, set())) <= 1, users.get(lib)
    presidio = users.get("presidio_analyzer", set()) | users.get("presidio_anonymizer", set())
    assert len(presidio) <= 1, presidio
    assert all(p.startswith("core/") for p in presidio), presidio


def test_the_checker_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from adapters.slack import x\nimport slack_sdk\n")
    assert {"adapters.slack", "slack_sdk"} <= imports_of(bad)


HUB_ROOTS = ("bots.cli", "bots.runner", "bots.compose", "bots.registry", "bots.health")
WORKER_SIDE = ("bots.backends", "bots.worker")  # packages/modules, not name prefixes


def worker_side(name: str) -> bool:
    return any(name == side or name.startswith(side + ".") for side in WORKER_SIDE)


def module_file(name: str) -> Path | None:
    base = ROOT / Path(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def import_closure(roots: list[str], *, skip: Callable[[str], bool]) -> tuple[set[str], set[str]]:
    """(our modules, third-party top-level names) reachable from `roots` through every import
    statement, also those inside functions; modules for which `skip` is true are not followed."""
    ours: set[str] = set()
    outside: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in ours or path is None:
            continue
        ours.add(name)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            for imported in found:
                if top(imported) in PACKAGES:
                    if not skip(imported):
                        todo.append(imported)
                else:
                    outside.add(top(imported))
    return ours, outside


def test_the_hub_side_never_reaches_a_model_library():
    """From the hub's entry points and every core, adapter and skill module, following every
    import (lazy ones too) but not into the worker side: no model library. The one way in is
    lazy, in bots.preflight: the model-file check of `switchboard check` (and of `run` when it
    starts workers on this machine). tests/test_roles.py checks a running hub the same way."""
    roots = [*HUB_ROOTS]
    for package in ("core", "adapters", "skills"):
        roots += [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in modules(package)]
    roots = [name.removesuffix(".__init__") for name in roots]
    ours, outside = import_closure(roots, skip=worker_side)
    assert not outside & {*MODEL_LIBS, "gguf"}, outside & {*MODEL_LIBS, "gguf"}
    doors = {}
    for name in sorted(ours):
        tree = ast.parse(module_file(name).read_text(encoding="utf-8"))  # type: ignore[union-attr]
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and worker_side(node.module or ""):
                doors.setdefault(name, set()).add("module level" if id(node) in top_level else "lazy")
    assert doors == {"bots.preflight": {"lazy"}, "bots.cli": {"lazy"}}, doors
