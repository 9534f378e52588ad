"""Reading Prometheus text in tests: samples by (name, labels)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 when it is not there (a counter that never counted)."""
    return found.get((name, frozenset(labels.items())), 0.0)


def families(text: str) -> dict[str, str]:
    """Every metric family on the page, with its type (from the `# TYPE` lines)."""
    return {line.split()[2]: line.split()[3] for line in text.splitlines() if line.startswith("# TYPE ")}
