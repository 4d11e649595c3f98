"""Telemetry: one span per run and per stage, counts only, never a value from the input data."""

from __future__ import annotations

import csv
import json
import re

import openpyxl
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from hotpass import telemetry
from hotpass.pipeline import STAGE_NAMES, refine
from hotpass.samples import generate_samples
from hotpass.workspace import Workspace
from tests.test_cli import hotpass

STAGES = STAGE_NAMES


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    root = tmp_path_factory.mktemp("telemetry")
    samples = generate_samples(root / "s", rows=300, seed=4)
    spans, reader = InMemorySpanExporter(), InMemoryMetricReader()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    telemetry.use_provider(provider, MeterProvider(metric_readers=[reader]))
    try:
        from hotpass.profile import load_profile

        with Workspace(root / "ws") as ws:
            refine(samples.files, load_profile("aviation"), output=root / "out.xlsx", report_dir=root,
                   workspace=ws)
    finally:
        telemetry.use_provider()
    return samples, spans.get_finished_spans(), reader.get_metrics_data()


def test_one_root_span_with_a_child_per_stage(traced):
    _, spans, _ = traced
    roots = [s for s in spans if s.parent is None]
    assert [s.name for s in roots] == ["hotpass.refine"]
    children = [s for s in spans if s.parent is not None]
    assert {s.parent.span_id for s in children} == {roots[0].context.span_id}
    assert [s.name for s in children] == [f"hotpass.stage.{name}" for name in STAGES]
    for child in children:
        assert child.attributes["hotpass.seconds"] >= 0
    attributes = roots[0].attributes
    assert attributes["hotpass.files"] == 3 and attributes["hotpass.published"] is True
    assert attributes["hotpass.organisations"] > 0 and attributes["hotpass.run_id"] == 1


def test_no_attribute_carries_a_value_from_the_input(traced):
    samples, spans, metrics = traced
    values = set()
    for path in samples.files:
        for ws in openpyxl.load_workbook(path, read_only=True).worksheets:
            for row in ws.iter_rows(values_only=True):
                values.update(str(v).strip().lower() for v in row if v is not None and len(str(v).strip()) >= 4)
    with open(samples.truth_organisations, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values.update(v.lower() for v in row.values() if len(v) >= 4)
    values.update(p.name.lower() for p in samples.files)
    seen = [str(v).lower() for s in spans for v in s.attributes.values()]
    seen += [str(v).lower() for rm in metrics.resource_metrics for sm in rm.scope_metrics
             for m in sm.metrics for p in m.data.data_points for v in p.attributes.values()]
    leaked = [v for v in seen if v in values or any(len(x) >= 6 and x in v for x in values if not x.isdigit())]
    assert leaked == []


def test_run_metrics_count_records_and_decisions(traced):
    _, _, metrics = traced
    names = {m.name: sum(p.value for p in m.data.data_points)
             for rm in metrics.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
    assert names["hotpass.records_in"] == 300
    assert names["hotpass.records_out"] > 0
    assert "hotpass.decisions" in names and "hotpass.duplicates_merged" in names


def test_trace_flag_prints_one_span_per_stage(tmp_path):
    assert hotpass("init", tmp_path / "s", "--rows", 200).returncode == 0
    files = sorted((tmp_path / "s").glob("*.xlsx"))
    result = hotpass("refine", *files, "--output", tmp_path / "out.xlsx", "--workspace", tmp_path / "ws",
                     "--trace", "--quiet", "--profile", "aviation")
    assert result.returncode == 0, result.stderr
    names = re.findall(r'"name": "(hotpass\.[a-z_.]+)"', result.stderr)
    stages = [n for n in names if n.startswith("hotpass.stage.")]
    assert sorted(stages) == sorted(f"hotpass.stage.{s}" for s in STAGES)
    assert names.count("hotpass.refine") == 1
    assert "hotpass.records_in" in result.stderr  # the metrics are printed too
    json.dumps(names)
