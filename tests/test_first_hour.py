"""The first hour with Switchboard, as a newcomer meets it: the CLI's options, `check` catching
bad model files, backends and keys, `run` refusing what would not work, and one-line errors
with exit code 2 for a bad log level or a port in use."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for key in list(os.environ):
        if key.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no vault key file of ours
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    return subprocess.run(
        [sys.executable, "-m", "bots.cli", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and " ERROR " not in stderr  # no log records either
    return lines[0]


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "switchboard 0.1.0"


def test_every_option_of_every_command_has_help():
    missing = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk(child, f"{path} {name}")
            elif action.option_strings and not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings)}")

    walk(build_parser(), "switchboard")
    assert not missing, missing


def test_run_has_port_and_host_and_workers():
    args = build_parser().parse_args(["run", "--port", "9090", "--host", "0.0.0.0", "--workers", "3"])
    assert (args.port, args.host, args.workers) == (9090, "0.0.0.0", 3)
    assert build_parser().parse_args(["chat", "--log-level", "debug"]).log_level == "debug"
    assert build_parser().parse_args(["--log-level", "debug", "chat"]).log_level == "debug"


def test_a_bad_log_level_is_one_line_and_exit_2(capsys):
    assert main(["--log-level", "LOUD", "check"]) == 2
    line = one_clear_line(capsys.readouterr().err)
    assert "'LOUD'" in line and "DEBUG, INFO, WARNING" in line
    result = cli("check", SWITCHBOARD_LOG_LEVEL="LOUD")
    assert result.returncode == 2
    assert "SWITCHBOARD_LOG_LEVEL" in one_clear_line(result.stderr)


def test_a_port_in_use_is_one_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("run", "--port", str(port), SWITCHBOARD_MODEL_BACKEND="none")
    assert result.returncode == 2
    line = one_clear_line(result.stderr)
    assert f"port {port} on 127.0.0.1 is already in use" in line and f"--port {port + 1}" in line
    assert "private Redis" not in result.stdout + result.stderr  # nothing was started


def test_check_takes_bot_like_every_command(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('skills = ["skills.help"]\nfallback = "nope"\n', encoding="utf-8")
    assert main(["check", "--bot", str(bad)]) == 2
    assert f"{bad}: key 'fallback'" in capsys.readouterr().err
    assert main(["check", "--bot", "assistant"]) == 0


def model_bot(tmp_path: Path, model: str) -> Path:
    path = tmp_path / "modelbot.toml"
    path.write_text(f'skills = ["skills.help", "skills.fallback"]\n[model]\n{model}\n', encoding="utf-8")
    return path


def test_check_finds_a_missing_model_file(capsys, tmp_path):
    bot = model_bot(tmp_path, 'backend = "ctransformers"\npath = "/nope/model.gguf"')
    assert main(["check", "--bot", str(bot)]) == 2
    err = capsys.readouterr().err
    assert "model file /nope/model.gguf does not exist" in err and "fix:" in err


def test_check_finds_a_corrupt_gguf_file(capsys, tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    bot = model_bot(tmp_path, f'backend = "ctransformers"\npath = "{broken}"')
    assert main(["check", "--bot", str(bot)]) == 2
    assert f"{broken} is not a valid GGUF file" in capsys.readouterr().err


@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is not None, reason="llama_cpp is installed")
def test_check_finds_a_backend_that_is_not_installed(capsys, tmp_path):
    bot = model_bot(tmp_path, 'backend = "llama_cpp"\npath = "builtin:smollm2"')
    assert main(["check", "--bot", str(bot)]) == 2
    assert (
        "backend llama_cpp is not installed — fix: pip install 'switchboard[llama]'"
        in capsys.readouterr().err
    )


def test_check_names_a_bad_backend_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_MODEL_BACKEND", "foo")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "environment: SWITCHBOARD_MODEL_BACKEND='foo'" in err and "'ctransformers'" in err
    assert "validation error" not in err and "pydantic" not in err


def test_check_refuses_a_short_vault_key(capsys, monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_VAULT_KEY", "short")
    assert main(["check"]) == 2
    assert "SWITCHBOARD_VAULT_KEY must be 32 random bytes in base64" in capsys.readouterr().err


def test_run_refuses_to_start_with_a_bad_model_file(tmp_path):
    result = cli("run", "--port", "0", SWITCHBOARD_MODEL_PATH="/nope/model.gguf")
    assert result.returncode == 2
    assert "model file /nope/model.gguf does not exist" in result.stderr
    assert "is running" not in result.stdout and "Traceback" not in result.stderr


def test_a_skill_beside_the_bot_definition_is_found_without_pythonpath(tmp_path):
    (tmp_path / "weather.py").write_text(
        "from core.skills import skill\n\n"
        '@skill("weather", commands=["weather"], patterns=[r"forecast for (?P<city>\\w+)"])\n'
        "async def weather(ctx):\n"
        '    city = ctx.intent.slots.get("city") or ctx.intent.args or "your town"\n'
        '    return ctx.reply(f"Sunny in {city}.")\n',
        encoding="utf-8",
    )
    bot = tmp_path / "mybot.toml"
    bot.write_text('skills = ["skills.help", "skills.fallback", "weather"]\n', encoding="utf-8")
    assert cli("check", "--bot", str(bot)).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "bots.cli", "chat", "--bot", str(bot)],
        cwd=tmp_path,  # not the repository: only the bot's folder can provide `weather`
        env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_STATE_HOME": str(tmp_path / "state")},
        input="/weather Oslo\nforecast for Lima\n/quit\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "bot> Sunny in Oslo." in result.stdout and "bot> Sunny in Lima." in result.stdout
