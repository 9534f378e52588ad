"""`switchboard check` (and the CLI around it): readable problems, exit codes."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bots.cli import main
from bots.redis_runner import free_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SWITCHBOARD_* from the outer shell; the root logger restored after main() set it up."""
    for key in list(os.environ):
        if key.startswith("SWITCHBOARD_"):
            monkeypatch.delenv(key)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_check_passes_on_the_embedded_default(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "OK: bot 'assistant'" in out and "assistant.toml" in out


def test_check_passes_with_a_reachable_redis(capsys, monkeypatch, redis_url):
    monkeypatch.setenv("SWITCHBOARD_REDIS_URL", redis_url)
    assert main(["check"]) == 0


def test_check_reports_an_unreachable_redis(capsys, monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    assert main(["check"]) != 0
    err = capsys.readouterr().err
    assert "SWITCHBOARD_REDIS_URL does not answer" in err and "fix:" in err


def test_check_reports_a_bad_port_with_its_fix(capsys, monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_HTTP_PORT", "eighty")
    assert main(["check"]) != 0
    err = capsys.readouterr().err
    assert "Configuration problems:" in err
    assert "SWITCHBOARD_HTTP_PORT='eighty'" in err and "between 0 and 65535" in err
    assert "Traceback" not in err


def test_check_lists_every_problem_of_a_bad_bot(capsys, monkeypatch, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(
        'skills = ["skills.help"]\nadmins = ["bob"]\ncolour = "red"\n[limits]\nuser_per_minute = "lots"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SWITCHBOARD_BOT", str(path))
    assert main(["check"]) != 0
    err = capsys.readouterr().err
    for key in ("admins", "colour", "limits.user_per_minute"):
        assert f"{path}: key '{key}'" in err
    assert err.count("fix:") >= 3


def test_check_reports_an_unknown_bot_name(capsys, monkeypatch):
    monkeypatch.setenv("SWITCHBOARD_BOT", "nobody")
    assert main(["check"]) != 0
    assert "nobody.toml" in capsys.readouterr().err


def test_run_with_a_bad_bot_exits_with_problems_not_a_traceback(capsys, monkeypatch, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('skills = ["skills.help"]\nfallback = "nope"\n', encoding="utf-8")
    monkeypatch.setenv("SWITCHBOARD_BOT", str(path))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "key 'fallback'" in err and "Traceback" not in err


def test_unknown_subcommand_shows_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert "usage: switchboard" in capsys.readouterr().err


def test_check_as_a_subprocess(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    good = subprocess.run(
        [sys.executable, "-m", "bots.cli", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert good.returncode == 0, good.stderr
    assert "OK: bot 'assistant'" in good.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "bots.cli", "check"],
        cwd=ROOT,
        env={**env, "SWITCHBOARD_HTTP_PORT": "99999"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "SWITCHBOARD_HTTP_PORT=99999 is out of range" in bad.stderr
    assert "Traceback" not in bad.stderr
