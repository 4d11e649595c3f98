"""What the resolve stage makes of its notes."""

from types import SimpleNamespace

from hotpass.resolve.resolver import skipped_note
from hotpass.resolve.settings import ModelSpec
from hotpass.stages.resolve import finding_rows


def test_a_skipped_blocking_rule_is_a_warning_finding_and_training_notes_are_not():
    spec = SimpleNamespace(max_comparisons=30_000_000)
    note = skipped_note("l.name_core = r.name_core", 91_000_000, spec)
    resolution = SimpleNamespace(conflicts=[], notes=["Could not estimate m for phones.", note])
    rows = finding_rows(resolution)
    assert [(code, severity) for code, severity, *_ in rows] == [("resolve.blocking_rule_skipped", "warning")]
    message = rows[0][2]
    assert "91,000,000" in message and "resolution.max_comparisons (30,000,000)" in message
    assert ModelSpec.__dataclass_fields__["max_comparisons"].default == 30_000_000
