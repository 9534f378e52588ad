"""Optional OpenTelemetry traces of a turn, across the hub and the model worker.

Off unless the `otel` extra is installed (`opentelemetry-sdk`) and the standard variables ask
for it: `OTEL_TRACES_EXPORTER` (`otlp` or `console`) or an `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`;
`OTEL_SDK_DISABLED=true` wins. Without the package every function here is a no-op.

The hub opens `switchboard.turn` per turn; a queued job carries the W3C `traceparent` in its RQ
job meta, and the worker opens `switchboard.generate` as its child; the final result entry
carries the worker's context back, and the hub replica that delivers it opens
`switchboard.deliver`. Span attributes are platform, skill, model, outcome and counts: never
message text, user or chat ids.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

try:
    from opentelemetry import propagate, trace
except ImportError:  # the `otel` extra is not installed
    trace = None  # type: ignore[assignment]
    propagate = None  # type: ignore[assignment]

TRACER = "switchboard"
Attributes = Mapping[str, str | int | float | bool]


def wanted(env: Mapping[str, str] | None = None) -> bool:
    """Do the standard OTEL_* variables ask for traces?"""
    env = os.environ if env is None else env
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").lower()
    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return exporter not in ("", "none") or bool(endpoint and exporter != "none")


def configure(service: str) -> bool:
    """Install a tracer provider with the exporter the environment names; False when tracing
    stays off (not asked for, or the SDK / the OTLP exporter package is missing)."""
    if not wanted():
        return False
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SimpleSpanProcessor,
        )
    except ImportError:
        log.warning("OTEL_* asks for traces but opentelemetry-sdk is not installed (pip install '.[otel]')")
        return False
    name = os.environ.get("OTEL_SERVICE_NAME") or service
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    kind = (os.environ.get("OTEL_TRACES_EXPORTER") or "otlp").lower().split(",")[0].strip()
    if kind == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            log.warning("OTEL traces: install opentelemetry-exporter-otlp-proto-http for the otlp exporter")
            return False
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    log.info("OpenTelemetry traces on (%s exporter, service %s)", kind, name)
    return True


@contextmanager
def span(
    name: str, attributes: Attributes | None = None, parent: Mapping[str, Any] | None = None
) -> Iterator[Any]:
    """A span around the block (current for the block), child of `parent` (a carrier with
    `traceparent`) when given. Yields the span, or None without OpenTelemetry."""
    if trace is None:
        yield None
        return
    context = propagate.extract({k: str(v) for k, v in parent.items()}) if parent else None
    with trace.get_tracer(TRACER).start_as_current_span(
        name, context=context, attributes=attributes
    ) as current:
        yield current


def annotate(current: Any, **attributes: str | int | float | bool) -> None:
    """Set attributes on a span from `span()` (None: nothing to do)."""
    if current is not None:
        current.set_attributes(attributes)


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`); empty when not tracing."""
    if propagate is None:
        return {}
    headers: dict[str, str] = {}
    propagate.inject(headers)
    return headers
