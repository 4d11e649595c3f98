"""What the outputs make of the resolve stage's notes."""

from types import SimpleNamespace

from hotpass.findings import Findings
from hotpass.outputs import _resolution_findings
from hotpass.resolve.resolver import skipped_note
from hotpass.resolve.settings import ModelSpec


def test_a_skipped_blocking_rule_is_a_warning_finding_and_training_notes_are_not():
    spec = SimpleNamespace(max_comparisons=30_000_000)
    note = skipped_note("l.name_core = r.name_core", 91_000_000, spec)
    records = SimpleNamespace(findings=Findings())
    resolution = SimpleNamespace(conflicts=[], notes=["Could not estimate m for phones.", note])
    _resolution_findings(records, resolution)
    frame = records.findings.to_frame()
    assert list(frame["code"]) == ["resolve.blocking_rule_skipped"]
    assert list(frame["severity"]) == ["warning"]
    assert "91,000,000" in frame["message"][0] and "resolution.max_comparisons (30,000,000)" in frame["message"][0]
    assert ModelSpec.__dataclass_fields__["max_comparisons"].default == 30_000_000
