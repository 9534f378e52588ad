"""The index over the sample folder: sections found by heading, right section first, incremental
re-indexing, HTML and plain text, and configuration errors that say what to fix."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import pytest

from core.botdef import parse_bot
from core.errors import ConfigError
from core.knowledge import Passage
from skills.knowledge.index import KnowledgeIndex
from skills.knowledge.ranking import CANDIDATES
from skills.knowledge.rerank import rerank
from skills.knowledge.setup import open_index


def index_of(knowledge: dict, base: Path) -> KnowledgeIndex:  # type: ignore[type-arg]
    bot = parse_bot({"name": "kb", "skills": ["skills.help"], "knowledge": knowledge}, source="kb.toml")
    return open_index(bot, base, source="kb.toml")


def test_a_question_finds_its_section_with_its_readme_anchor(knowledge, tmp_path):
    index = index_of(knowledge, tmp_path)
    report = index.update()
    assert report.added == len(list(Path(knowledge["sources"][0]["path"]).glob("*.md")))
    assert report.sections > report.added  # cut at headings, not one row per file
    best = index.search_now("how do I connect Slack?")[0]
    assert (best.title, best.link) == ("Connect a platform › Slack", "README.md#slack")
    assert best.confidence == 1.0 and "SLACK_SIGNING_SECRET" in best.text
    assert (
        index.search_now("how many replicas can I run behind a load balancer?")[0].link == "README.md#deploy"
    )


def test_nothing_is_found_for_a_question_the_documents_do_not_cover(knowledge, tmp_path):
    index = index_of(knowledge, tmp_path)
    index.update()
    assert index.search_now("what's the weather in Lisbon tomorrow?") == []
    assert index.search_now("how do I") == []  # no content words at all


def test_reindexing_picks_up_a_change_and_skips_the_rest(knowledge, docs, tmp_path):
    index = index_of(knowledge, tmp_path)
    index.update()
    assert index.search_now("carrier pigeon") == []
    page = docs / "03-connect-a-platform.md"
    page.write_text(page.read_text() + "\n### Carrier pigeon\n\nTie the message to the pigeon's leg.\n")
    report = index.update()
    assert (report.changed, report.added, report.removed) == (1, 0, 0)
    assert report.unchanged == len(list(docs.glob("*.md"))) - 1
    assert index.search_now("carrier pigeon")[0].link == "README.md#carrier-pigeon"
    page.unlink()
    report = index.update()
    assert report.removed == 1 and index.search_now("carrier pigeon") == []


def test_a_touched_file_with_the_same_content_is_not_reindexed(knowledge, docs, tmp_path):
    index = index_of(knowledge, tmp_path)
    index.update()
    page = docs / "05-deploy.md"
    os.utime(page, (page.stat().st_atime, page.stat().st_mtime + 60))
    report = index.update()
    assert report.changed == 0 and report.unchanged == len(list(docs.glob("*.md")))


def test_the_index_survives_a_restart(knowledge, tmp_path):
    index_of(knowledge, tmp_path).update()
    again = index_of(knowledge, tmp_path)
    assert again.search_now("docker compose")[0].link == "README.md#deploy"
    assert again.update().unchanged == again.update().unchanged > 0


def test_html_and_plain_text_sources(tmp_path):
    folder = tmp_path / "site"
    (folder / "guide").mkdir(parents=True)
    (folder / "guide" / "billing.html").write_text(
        "<html><head><title>Billing guide</title><script>var x = 'invoice';</script></head><body>"
        "<nav>Home · Invoices</nav><h1>Billing guide</h1><p>Everything about money.</p>"
        "<h2 id='refunds'>Refunds</h2><p>Refunds take <b>five</b> working days.</p>"
        "<h2>Change your plan</h2><p>Upgrade from the account page.</p></body></html>"
    )
    (folder / "faq.txt").write_text("Opening hours\n\nWe answer tickets from 9 to 17, Monday to Friday.\n")
    (folder / ".drafts.md").write_text("# Secret draft about refunds")
    knowledge = {"sources": [{"path": "site", "url": "https://help.example.com"}], "index": "kb.sqlite"}
    index = index_of(knowledge, tmp_path)
    assert index.update().added == 2  # the hidden file is skipped
    refund = index.search_now("how long do refunds take?")[0]
    assert (refund.title, refund.link) == (
        "Billing guide › Refunds",
        "https://help.example.com/guide/billing.html#refunds",
    )
    plan = index.search_now("upgrade my plan")[0]
    assert plan.link == "https://help.example.com/guide/billing.html#change-your-plan"
    hours = index.search_now("when are you open? opening hours")[0]
    assert (hours.title, hours.link) == ("faq", "https://help.example.com/faq.txt")
    assert index.search_now("var invoice") == []  # script text is not indexed
    assert (tmp_path / "kb.sqlite").is_file()  # a relative index path is beside the definition


def test_configuration_errors_name_the_key_and_the_fix(tmp_path):
    with pytest.raises(ConfigError) as missing:
        index_of({"sources": ["no-such-folder"]}, tmp_path)
    assert "kb.toml" in str(missing.value) and "knowledge.sources.0.path" in str(missing.value)
    assert "fix: create it" in str(missing.value)
    with pytest.raises(ConfigError, match=r"knowledge.sources.0.suffixes.*suffix '\.pdf'.*fix"):
        parse_bot(
            {"name": "kb", "skills": ["x"], "knowledge": {"sources": [{"path": "d", "suffixes": [".pdf"]}]}},
            source="kb.toml",
        )
    with pytest.raises(ConfigError, match=r"knowledge.min_confidence.*fix: use a value <= 1"):
        parse_bot({"name": "kb", "skills": ["x"], "knowledge": {"min_confidence": 3}}, source="kb.toml")
    with pytest.raises(ConfigError, match=r"knowledge.unmatched.*fix: use one of"):
        parse_bot({"name": "kb", "skills": ["x"], "knowledge": {"unmatched": "guess"}}, source="kb.toml")


class TopicEmbedder:
    """A stand-in embedding model: texts about containers point one way, everything else another."""

    def encode(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] if re.search(r"docker|container", text, re.I) else [0.0, 1.0] for text in texts]


def test_embedding_reranking_reorders_candidates_but_keeps_lexical_confidence():
    lexical = [
        Passage("Workers", "w.md", "Run a worker per GPU.", score=0.9, confidence=1.0),
        Passage("Images", "i.md", "The worker image is a container.", score=0.6, confidence=0.8),
    ]
    reranked = rerank("which docker image runs a worker?", lexical, TopicEmbedder())
    assert [p.link for p in reranked] == ["i.md", "w.md"]
    assert [p.confidence for p in reranked] == [0.8, 1.0]  # the "I don't know" threshold stays lexical
    assert reranked[0].score == round(0.7 * 0.6 + 0.3 * 1.0, 4)


def test_an_index_with_an_embedder_reranks_its_results(knowledge, tmp_path):
    plain = index_of(knowledge, tmp_path)
    plain.update()
    question = "how do I run workers on a GPU machine in docker?"
    reranked = KnowledgeIndex(plain.path, plain.roots, embedder=TopicEmbedder()).search_now(question, 3)
    assert reranked == rerank(question, plain.search_now(question, CANDIDATES), TopicEmbedder())[:3]


def test_a_rerank_model_without_model2vec_is_a_clear_error(tmp_path):
    if importlib.util.find_spec("model2vec") is not None:
        pytest.skip("model2vec is installed here")
    (tmp_path / "docs").mkdir()
    with pytest.raises(ConfigError, match=r"knowledge.rerank_model.*pip install model2vec"):
        index_of({"sources": ["docs"], "rerank_model": str(tmp_path)}, tmp_path)


def test_a_running_hub_sees_what_the_cli_reindexed(knowledge, docs, tmp_path):
    serving = index_of(knowledge, tmp_path)  # the hub's connection
    serving.update()
    (docs / "99-pigeons.md").write_text("# Carrier pigeons\n\nTie the message to the pigeon's leg.\n")
    assert index_of(knowledge, tmp_path).update().added == 1  # `switchboard knowledge index`
    found = serving.search_now("carrier pigeons")[0]
    assert (found.title, found.link) == (
        "Carrier pigeons",
        "99-pigeons.md#carrier-pigeons",
    )  # no front matter
