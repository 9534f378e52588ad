"""Fixtures for the knowledge skill: a copy of the sample folder (tests may change it) and the
bot-definition sections that point at it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.model.conftest import modelkit  # noqa: F401 — hubs with a model, for the answer tests

SAMPLE = Path(__file__).resolve().parents[2] / "bots" / "knowledge" / "switchboard"
SKILLS = ["skills.help", "skills.knowledge", "skills.fallback"]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.fixture
def knowledge(docs: Path, tmp_path: Path) -> dict[str, Any]:
    """The `[knowledge]` section of a test bot: the sample copy, its index under tmp_path."""
    return {"sources": [{"path": str(docs)}], "index": str(tmp_path / "index.sqlite")}
