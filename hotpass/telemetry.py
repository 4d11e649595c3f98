"""OpenTelemetry for Hotpass: a span per run and per stage, with counts and durations only.

Spans and metrics carry counts, durations, ids and the profile's name, never a
value from the input data (no names, phones, emails, file names). Nothing is
exported unless a caller configures it: ``configure(console=stream)`` (the
CLI's ``--trace``) prints spans, and ``OTEL_EXPORTER_OTLP_ENDPOINT`` adds the
OTLP exporter when its package is installed. Tests may ``use_provider`` an
in-memory one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from contextlib import contextmanager
from typing import IO

from hotpass.errors import HotpassError

NAME = "hotpass"
_providers: dict[str, object] = {}


def tracer():
    """The Hotpass tracer (from the provider set by ``use_provider``/``configure``, else the global one)."""
    from opentelemetry import trace

    provider = _providers.get("trace")
    return provider.get_tracer(NAME) if provider else trace.get_tracer(NAME)


def meter():
    """The Hotpass meter."""
    from opentelemetry import metrics

    provider = _providers.get("metrics")
    return provider.get_meter(NAME) if provider else metrics.get_meter(NAME)


def use_provider(trace_provider=None, meter_provider=None) -> None:
    """Send Hotpass's spans (and metrics) to these providers instead of the global ones."""
    _providers.update({k: v for k, v in (("trace", trace_provider), ("metrics", meter_provider)) if v})
    for key, value in (("trace", trace_provider), ("metrics", meter_provider)):
        if value is None:
            _providers.pop(key, None)


def configure(console: IO[str] | None = None) -> Callable[[], None]:
    """Export spans and metrics to ``console`` and/or OTLP; returns a function that flushes and stops."""
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        PeriodicExportingMetricReader,
    )
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import (
        BatchSpanProcessor,
        ConsoleSpanExporter,
        SimpleSpanProcessor,
    )

    resource = Resource.create({"service.name": NAME})
    traces = TracerProvider(resource=resource)
    readers = []
    if console is not None:
        traces.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(out=console)))
        readers.append(PeriodicExportingMetricReader(ConsoleMetricExporter(out=console),
                                                     export_interval_millis=3_600_000))
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        span_exporter, metric_exporter = _otlp()
        traces.add_span_processor(BatchSpanProcessor(span_exporter))
        readers.append(PeriodicExportingMetricReader(metric_exporter))
    metrics = MeterProvider(resource=resource, metric_readers=readers)
    use_provider(traces, metrics)

    def shutdown() -> None:
        traces.shutdown()
        metrics.shutdown()
        use_provider()

    return shutdown


def _otlp():
    try:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        raise HotpassError("OTEL_EXPORTER_OTLP_ENDPOINT is set but the OTLP exporter is not installed "
                           "(pip install opentelemetry-exporter-otlp-proto-http)") from None
    return OTLPSpanExporter(), OTLPMetricExporter()


@contextmanager
def span(name: str, **attributes):
    """A span named ``hotpass.<name>`` with ``attributes`` (counts and ids only).

    An exception ends the span with an error status saying :func:`error_text`; the exception's
    own message and stack are not recorded (a library's message may quote a value of the data).
    """
    with tracer().start_as_current_span(f"{NAME}.{name}", attributes=_clean(attributes),
                                        record_exception=False, set_status_on_exception=False) as current:
        try:
            yield current
        except BaseException as error:
            from opentelemetry.trace import Status, StatusCode

            current.set_attribute(f"{NAME}.error_type", type(error).__name__)
            current.set_status(Status(StatusCode.ERROR, error_text(error)))
            raise


_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def error_text(error: BaseException, limit: int = 300) -> str:
    """What logs, spans and the workspace may say about ``error``: a Hotpass error's first line (it
    names files, sheets, rows and columns, never values); for any other error its type and first
    line with quoted text masked, since a library's message may quote a value
    (``Could not convert string '…' to INT64``)."""
    line = (str(error).splitlines() or [""])[0]
    if not isinstance(error, HotpassError):
        line = f"{type(error).__name__}: {_QUOTED.sub(chr(39) + chr(8230) + chr(39), line)}".rstrip(": ")
    return (line or type(error).__name__)[:limit]


def _clean(attributes: dict) -> dict:
    return {f"{NAME}.{k}": v for k, v in attributes.items() if isinstance(v, (bool, int, float, str))}


def count(result) -> int | None:
    """How many items a stage produced, when that is obvious from its result."""
    for attr in ("organisations",):
        frame = getattr(result, attr, None)
        if frame is not None and hasattr(frame, "__len__"):
            return len(frame)
    if hasattr(result, "pairs") and hasattr(result.pairs, "__len__"):
        return len(result.pairs)
    if isinstance(result, (list, tuple)) and result and isinstance(result[0], list):
        return len(result[0])
    return len(result) if isinstance(result, list) or hasattr(result, "shape") else None


def record_run(summary: dict, published: bool, decisions: int = 0) -> None:
    """Run metrics from the summary counts: records in and out, duplicates, decisions."""
    m = meter()
    numbers = {
        "decisions": decisions,
        "records_in": summary.get("Source rows", 0),
        "records_out": sum(int(v or 0) for k, v in summary.items() if k.startswith("Output ")),
        "duplicates_merged": summary.get("Duplicate pairs merged automatically", 0),
        "pairs_pending_review": summary.get("Pairs waiting for review", 0),
    }
    for name, value in numbers.items():
        m.create_counter(f"{NAME}.{name}").add(int(value or 0), {"published": published})
