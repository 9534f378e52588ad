"""One trace across two processes: the hub's `switchboard.turn` span (in this process, an
in-memory exporter), the `switchboard.generate` span of a real `switchboard worker` process
(OTEL_TRACES_EXPORTER=console) and the hub's `switchboard.deliver` span share the trace id. The
traceparent travels in the RQ job meta, and back in the final result entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.model.conftest import bot_toml
from tests.model.test_queue import until

pytest.importorskip("opentelemetry.sdk")
from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter  # noqa: E402

pytestmark = pytest.mark.slow
_EXPORTER: list[InMemorySpanExporter] = []


def exporter() -> InMemorySpanExporter:
    """This process's tracer provider can be set once: one in-memory exporter for the session."""
    if not _EXPORTER:
        _EXPORTER.append(InMemorySpanExporter())
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER[0]))
        trace.set_tracer_provider(provider)
    return _EXPORTER[0]


def console_spans(output: str) -> list[dict[str, Any]]:
    """The JSON objects ConsoleSpanExporter printed, among the worker's log lines."""
    decoder, spans, index = json.JSONDecoder(), [], output.find("{")
    while index != -1:
        try:
            value, end = decoder.raw_decode(output, index)
        except ValueError:
            end = index + 1
        else:
            if isinstance(value, dict) and "context" in value:
                spans.append(value)
        index = output.find("{", end)
    return spans


async def test_hub_span_and_worker_span_share_one_trace(
    modelkit, workers, tiny_models, redis, redis_url, tmp_path: Path, monkeypatch
):
    memory = exporter()
    memory.clear()
    model = {"backend": "ctransformers", "name": "tiny", "path": str(tiny_models["llama"]), "max_tokens": 6}
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.setenv("OTEL_SERVICE_NAME", "worker-under-test")
    worker = workers(bot_toml(tmp_path / "bot.toml", dict(model)), redis_url)
    await worker.ready(redis)
    _assembly, chat = await modelkit(model=dict(model))
    await chat.say("hello, trace this turn")
    await until(lambda: len(chat.sent) == 1, timeout=60)
    worker.stop()  # flushes its spans

    (turn,) = [s for s in memory.get_finished_spans() if s.name == "switchboard.turn"]
    assert turn.attributes["switchboard.platform"] == "fake"
    assert turn.attributes["switchboard.outcome"] == "queued"
    (generate,) = [s for s in console_spans(worker.output()) if s["name"] == "switchboard.generate"]
    assert generate["context"]["trace_id"] == f"0x{turn.context.trace_id:032x}"
    assert generate["parent_id"] == f"0x{turn.context.span_id:016x}"
    assert generate["resource"]["attributes"]["service.name"] == "worker-under-test"
    assert (
        generate["attributes"]["switchboard.model"] == "tiny"
        and generate["attributes"]["switchboard.tokens"] >= 1
    )
    assert "trace this turn" not in worker.output() and "trace this turn" not in str(turn.attributes)
    await until(lambda: any(s.name == "switchboard.deliver" for s in memory.get_finished_spans()))
    (deliver,) = [s for s in memory.get_finished_spans() if s.name == "switchboard.deliver"]
    assert deliver.context.trace_id == turn.context.trace_id  # back on the hub, the same trace
    assert f"0x{deliver.parent.span_id:016x}" == generate["context"]["span_id"]
    assert deliver.attributes["switchboard.kind"] == "final"
