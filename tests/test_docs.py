"""The documentation tells the truth: every environment variable the code reads is in the
settings reference, that reference lists nothing the code does not read, and the commands of
the README's quick start exist."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest

from bots.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "docs" / "settings.md"
README = ROOT / "README.md"
PACKAGES = ("core", "adapters", "skills", "bots")
# Names of variables as the code spells them: our own prefix and each platform's usual one.
PREFIXES = (
    "SWITCHBOARD",
    "SLACK",
    "DISCORD",
    "TELEGRAM",
    "ZENDESK",
    "FRESHDESK",
    "JIRA",
    "INTERCOM",
    "CHATWOOT",
    "ZAMMAD",
    "OPENAI",
    "XDG",
    "CUDA",
)
VARIABLE = re.compile(rf"^(?:{'|'.join(PREFIXES)})_[A-Z0-9_]*[A-Z0-9]$")
ENV_READERS = {"get", "getenv"}  # setdefault writes a library's variable: not a setting


def variables_in_code() -> dict[str, str]:
    """Every variable name the code mentions as a string, with the first place it appears:
    names with a known prefix anywhere, and any name read with os.environ / os.getenv."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                name = None
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and VARIABLE.match(node.value)
                ):
                    name = node.value
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ENV_READERS
                    and "environ" in ast.unparse(node.func.value) + node.func.attr
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    name = node.args[0].value
                if name is not None:
                    found.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def documented() -> set[str]:
    """The variables with a row in a table of docs/settings.md (first column, in backticks)."""
    rows = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", SETTINGS.read_text(encoding="utf-8"), re.M)
    return set(rows)


def test_the_scan_sees_the_variables_it_should():
    found = variables_in_code()
    for name in ("SWITCHBOARD_REDIS_URL", "SLACK_BOT_TOKEN", "SWITCHBOARD_MODEL_PATH", "XDG_STATE_HOME"):
        assert name in found, name
    assert not any(name.endswith("_") for name in found)  # bare prefixes are not variables


def test_every_variable_the_code_reads_is_in_the_settings_reference():
    rows = documented()
    missing = [
        f"{name} (read in {where}): add a row `| `{name}` | <default> | <meaning> |` to the table of "
        f"its section in docs/settings.md"
        for name, where in sorted(variables_in_code().items())
        if name not in rows
    ]
    assert not missing, "\n".join(["docs/settings.md is missing variables:", *missing])


def test_the_settings_reference_lists_only_variables_the_code_reads():
    stale = sorted(documented() - set(variables_in_code()))
    assert not stale, f"docs/settings.md documents variables no code reads (remove their rows): {stale}"


def quick_start_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            words = shlex.split(line)
            while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):  # VAR=value prefixes
                words.pop(0)
            commands.append(words)
    return commands


def make_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))


def test_the_quick_start_commands_exist():
    commands = quick_start_commands()
    programs = {words[0] for words in commands}
    assert {"make", "switchboard", ".venv/bin/switchboard"} & programs, commands
    targets = make_targets()
    parser = build_parser()
    for words in commands:
        program, args = words[0], words[1:]
        if program == "make":
            assert set(args) <= targets, (
                f"README quick start: `make {' '.join(args)}`: no such Makefile target"
            )
        elif program.endswith("switchboard"):
            if args == ["--version"]:
                continue
            try:
                parser.parse_args(args)
            except SystemExit:
                pytest.fail(f"README quick start: `switchboard {' '.join(args)}` is not a valid command")
        elif program not in {"git", "cd"}:
            pytest.fail(f"README quick start runs {program!r}: add a check for it here")


def test_the_quick_start_says_the_port_and_how_to_switch_models():
    section = README.read_text(encoding="utf-8").split("\n## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "http://127.0.0.1:8080/" in section and "--port" in section
    assert "demonstration" in section and "SWITCHBOARD_MODEL_BACKEND=openai" in section
