"""The Grafana dashboard and the Prometheus rules under deploy/ use only metrics the hub exposes
(the catalogue, checked against a real hub's /metrics in tests/model/test_metrics.py), and the
rule file is valid: by `promtool` when it is installed, by its structure always."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.metrics import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "deploy" / "grafana" / "switchboard.json"
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "alerts.test.yml"
SCRAPE = ROOT / "deploy" / "prometheus" / "scrape.yml"
NAME = re.compile(r"\b(switchboard_[a-z0-9_]+)\b")
SERIES_SUFFIXES = ("_bucket", "_sum", "_count")
REQUIRED_ALERTS = {
    "SwitchboardTurnErrorRate",
    "SwitchboardModelQueueWait",
    "SwitchboardNoLiveWorker",
    "SwitchboardSignatureFailureSpike",
}


def series_names() -> set[str]:
    """Every series name a scrape can hold: the catalogue, plus histogram sample suffixes."""
    names = {spec.name for spec in CATALOGUE}
    for spec in CATALOGUE:
        if spec.kind == "histogram":
            names |= {spec.name + suffix for suffix in SERIES_SUFFIXES}
    return names


def metric_names(promql: str) -> set[str]:
    """Switchboard metric names in a PromQL expression (not label values inside quotes)."""
    return set(NAME.findall(re.sub(r'"(?:[^"\\]|\\.)*"', '""', promql)))


def dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    queries = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        query = variable.get("query")
        queries.append(query["query"] if isinstance(query, dict) else str(query or ""))
    return queries


def rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_the_name_parser_sees_names_not_label_values():
    expr = 'sum(rate(switchboard_turns_total{outcome="switchboard_fake"}[5m])) / switchboard_x_bucket'
    assert metric_names(expr) == {"switchboard_turns_total", "switchboard_x_bucket"}


def test_dashboard_uses_only_exposed_metrics():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    used = set().union(*(metric_names(q) for q in dashboard_queries(dashboard)))
    assert used and not used - series_names(), f"unknown metrics: {sorted(used - series_names())}"


def test_dashboard_is_a_loadable_grafana_dashboard():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] and isinstance(dashboard["schemaVersion"], int)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert {"h", "w", "x", "y"} <= set(grid) and grid["x"] + grid["w"] <= 24
        for target in panel.get("targets", []):
            assert target["refId"] and target["expr"]
            assert set(re.findall(r"\$(\w+)", target["expr"])) - {"__rate_interval", "__range"} <= variables


def test_rules_use_only_exposed_metrics_and_cover_the_required_alerts():
    found = rules()
    assert REQUIRED_ALERTS <= {rule["alert"] for rule in found}
    for rule in found:
        used = metric_names(rule["expr"])
        assert not used - series_names(), f"{rule['alert']}: unknown {sorted(used - series_names())}"


def test_rules_have_the_structure_prometheus_loads():
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert set(data) == {"groups"}
    duration = re.compile(r"^(0|([0-9]+(ms|s|m|h|d|w|y))+)$")
    for group in data["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit"} and group["name"]
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"])
            assert isinstance(rule["expr"], str) and rule["expr"].strip()
            assert duration.match(str(rule.get("for", "0")))
            assert rule["labels"]["severity"] in {"page", "warn"}
            assert rule["annotations"]["summary"]
            assert rule["expr"].count("(") == rule["expr"].count(")")


NO_PROMTOOL = shutil.which("promtool") is None
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__range": "1h", "$platform": ".*", "$model": ".*"}


@pytest.mark.skipif(NO_PROMTOOL, reason="promtool not installed (.ci/system-deps)")
def test_every_dashboard_query_is_valid_promql(tmp_path: Path):
    """Each panel query, Grafana's variables filled in, as a recording rule: promtool parses it."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    queries = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    for name, value in GRAFANA_VARIABLES.items():
        queries = [q.replace(name, value) for q in queries]
    rules = [{"record": f"dashboard:query_{n}", "expr": q} for n, q in enumerate(queries)]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")
    command = ["promtool", "check", "rules", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(NO_PROMTOOL, reason="promtool not installed (.ci/system-deps)")
def test_promtool_accepts_the_rules_and_their_unit_tests_pass():
    for command in (
        ["promtool", "check", "rules", str(RULES)],
        ["promtool", "check", "config", "--syntax-only", str(SCRAPE)],
        ["promtool", "test", "rules", str(RULE_TESTS)],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=RULES.parent)
        assert result.returncode == 0, f"{' '.join(command[:3])}: {result.stdout}{result.stderr}"
