"""Tracing is optional: without OpenTelemetry (or without OTEL_* asking for it) every call is a
no-op and a turn runs as before. The cross-process trace is in tests/model/test_tracing.py."""

from __future__ import annotations

import sys

from core import tracing
from core.pipeline import Outcome


def test_only_the_standard_variables_turn_it_on():
    assert not tracing.wanted({})
    assert tracing.wanted({"OTEL_TRACES_EXPORTER": "console"})
    assert tracing.wanted({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert not tracing.wanted(
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}
    )
    assert not tracing.wanted({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"})


def test_not_asked_for_means_not_configured(monkeypatch):
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert tracing.configure("switchboard-hub") is False


def test_asked_for_without_the_sdk_warns_and_stays_off(monkeypatch, caplog):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)  # as if not installed
    assert tracing.configure("switchboard-hub") is False
    assert "opentelemetry-sdk is not installed" in caplog.text


async def test_without_opentelemetry_a_turn_runs_and_nothing_is_traced(monkeypatch, hubkit):
    monkeypatch.setattr(tracing, "trace", None)
    monkeypatch.setattr(tracing, "propagate", None)
    with tracing.span("x", {"a": 1}, parent={"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"}) as s:
        assert s is None
    assert tracing.carrier() == {}
    _assembly, chat = await hubkit.build()
    record = await chat.say("/about")
    assert record.outcome == Outcome.REPLIED and chat.last().startswith("I'm")
