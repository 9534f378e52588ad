"""`switchboard knowledge index` and `switchboard knowledge search`, as a person runs them."""

from __future__ import annotations

from pathlib import Path

from bots.cli import main


def bot_file(folder: Path, knowledge: str) -> Path:
    path = folder / "helpbot.toml"
    path.write_text(f'skills = ["skills.help", "skills.knowledge", "skills.fallback"]\n{knowledge}\n')
    return path


def test_index_shows_progress_and_what_changed(docs, tmp_path, capsys):
    bot = bot_file(tmp_path, '[knowledge]\nsources = ["docs"]\nindex = "helpbot.sqlite"')
    pages = len(list(docs.glob("*.md")))
    assert main(["knowledge", "index", "--bot", str(bot)]) == 0
    out, err = capsys.readouterr()
    assert f"Done: {pages} added, 0 changed, 0 removed, 0 unchanged" in out
    assert f"[{'#' * 30}] {pages:>4}/{pages}" in err  # the progress bar, full at the end
    assert main(["knowledge", "index", "--bot", str(bot)]) == 0
    assert f"0 added, 0 changed, 0 removed, {pages} unchanged" in capsys.readouterr().out


def test_search_shows_passages_and_what_an_answer_would_cite(docs, tmp_path, capsys):
    bot = bot_file(tmp_path, '[knowledge]\nsources = ["docs"]\nindex = "helpbot.sqlite"')
    assert main(["knowledge", "search", "how do I connect Slack?", "--bot", str(bot)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "1.00  Connect a platform › Slack — README.md#slack"
    assert "An answer would cite: README.md#slack" in out
    assert main(["knowledge", "search", "weather in Lisbon", "--bot", str(bot)]) == 0
    assert "An answer would be: I don't know (no model call)." in capsys.readouterr().out


def test_a_bot_without_documents_or_with_a_missing_folder_is_told_the_fix(tmp_path, capsys):
    assert main(["knowledge", "index", "--bot", str(bot_file(tmp_path, ""))]) == 2
    assert "has no [knowledge] sources — fix: add" in capsys.readouterr().err
    bot = bot_file(tmp_path, '[knowledge]\nsources = ["gone"]')
    assert main(["knowledge", "index", "--bot", str(bot)]) == 2
    err = capsys.readouterr().err
    assert "helpbot.toml: key 'knowledge.sources.0.path': no folder at" in err and "fix: create it" in err


def test_check_names_a_missing_knowledge_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SWITCHBOARD_REDIS_URL", raising=False)
    bot = bot_file(tmp_path, '[knowledge]\nsources = ["gone"]')
    assert main(["check", "--bot", str(bot)]) == 2
    err = capsys.readouterr().err
    assert "helpbot.toml: key 'knowledge.sources.0.path': no folder at" in err
