"""The metric catalogue: one naming scheme, no identifying labels, and docs/metrics.md generated
from it (the endpoint of a real hub is checked against it in tests/model/test_metrics.py)."""

from __future__ import annotations

from pathlib import Path

from core.metrics import CATALOGUE, SUBSYSTEMS, Metrics, catalogue_markdown
from tests.scrape import families

ROOT = Path(__file__).resolve().parent.parent
# Labels that would identify a person or carry what they wrote.
FORBIDDEN_LABELS = {"text", "message", "user", "user_id", "sender", "chat", "chat_id", "channel", "session"}


def test_docs_page_is_generated_from_the_catalogue():
    page = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert page == catalogue_markdown(), "run: python -m core.metrics > docs/metrics.md"


def test_every_name_follows_the_scheme():
    names = [spec.name for spec in CATALOGUE]
    assert len(names) == len(set(names))
    for spec in CATALOGUE:
        prefix, subsystem, *rest = spec.name.split("_")
        assert prefix == "switchboard" and subsystem in SUBSYSTEMS and rest, spec.name
        assert spec.name.endswith("_total") == (spec.kind == "counter"), spec.name
        assert not set(spec.labels) & FORBIDDEN_LABELS, spec.name
        assert "_seconds" not in spec.name or spec.name.endswith(("_seconds", "_seconds_total")), spec.name


def test_every_catalogued_metric_is_rendered_even_before_it_counts():
    assert families(Metrics().render().decode()) == {spec.name: spec.kind for spec in CATALOGUE}
