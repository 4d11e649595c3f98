"""What the report says, independent of format: header facts, publish status, sections.

Both renderers walk :data:`SECTIONS` in order; a section whose grids are all
empty is drawn with the word "None".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hotpass.report import changes as c
from hotpass.report import grids as g
from hotpass.report import values as v

DEFAULT_TITLE = "Hotpass quality report"


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading, a sentence, its tables and (in HTML) a chart."""

    key: str
    title: str
    intro: str
    grids: Callable[[Mapping], list[g.Grid]]
    shown: Callable[[Mapping], bool] | None = None  # None: always drawn ("None." when empty)

    def drawn(self, report: Mapping) -> bool:
        """Whether the report has this section at all."""
        return self.shown is None or self.shown(report)


@dataclass(frozen=True)
class Status:
    """The publish gate's outcome: ``published``, ``override``, ``blocked`` or ``unknown``."""

    kind: str
    headline: str
    details: list[str]


SECTIONS = (
    Section("completeness", "Completeness", "Share of records with a value in each field.",
            lambda r: [g.completeness(r)]),
    Section("validity", "Validity", "Share of filled values that pass the field's check.",
            lambda r: [g.validity(r)]),
    Section("scores", "Quality scores",
            "Quality score per record (0–100) and how many fall below the low-score threshold.",
            lambda r: [g.scores(r), g.score_bins(r)]),
    Section("duplicates", "Duplicates",
            "How source records were matched into golden records, and who decided doubtful pairs.",
            lambda r: [g.duplicates(r)]),
    Section("scorecard", "Before and after",
            "The same measures on the raw sources and on the refined deliverable.",
            lambda r: [g.scorecard(r)]),
    Section("validation", "Validation",
            "Expectations checked on the refined tables: failed first, blocking ones marked.",
            lambda r: [g.validation(r)]),
    Section("findings", "Findings",
            "What Hotpass noticed or changed while refining, by type, with a few examples.",
            lambda r: [g.findings(r), g.finding_examples(r)]),
    Section("enrichment", "Enrichment",
            "Values proposed from outside sources and what reviewers decided.",
            lambda r: [g.enrichment(r), g.enrichment_filled(r)]),
    Section("changes", "What changed",
            "Against the previous finished run of this profile: clusters merged and split, records moved, "
            "added and removed, fields changed, enrichments applied.",
            lambda r: [c.counts(r), c.examples(r)], shown=c.present),
)


def sections(report: Mapping) -> list[Section]:
    """The sections ``report`` has, in order (a first run's report has no "What changed")."""
    return [part for part in SECTIONS if part.drawn(report)]


def title(report: Mapping) -> str:
    """The report's title (a default when missing)."""
    return v.text(report.get("title")) or DEFAULT_TITLE


def facts(report: Mapping) -> list[tuple[str, str]]:
    """(label, value) pairs for the header: profile, time, run and files."""
    files = [v.text(f) for f in v.items(report.get("files"))]
    run_id = report.get("run_id")
    return [
        ("Profile", v.text(report.get("profile")) or v.DASH),
        ("Generated", v.text(report.get("generated_at")) or v.DASH),
        ("Run", v.DASH if run_id is None else v.text(run_id)),
        ("Files", ", ".join(files) if files else "none"),
    ]


def masking_note(report: Mapping) -> str:
    """One sentence on whether personal values in examples are masked."""
    masked = report.get("masked")
    if masked is None:
        return ""
    if masked:
        return "Personal values in examples are masked."
    return "Examples show personal values unmasked: handle this report as personal data."


def status(report: Mapping) -> Status:
    """Whether the deliverable was published, and why not or under which override."""
    gate = v.section(report, "gate")
    override = v.section(gate, "override")
    details = [_blocker(b) for b in v.rows(gate, "blocked_by")]
    if override:
        details.append(_override(override))
    published = report.get("published")
    if published is None:
        return Status("unknown", "Publish status not recorded", details)
    if not published:
        return Status("blocked", "BLOCKED: the deliverable was not published", details)
    if override:
        return Status("override", "Published with an override of the publish gate", details)
    return Status("published", "Published", details)


def is_empty(grids: list[g.Grid]) -> bool:
    """True when none of ``grids`` has a row."""
    return not any(grid.rows for grid in grids)


def _blocker(blocker: Mapping) -> str:
    what = v.text(blocker.get("description")) or v.text(blocker.get("id"))
    amount = v.count(blocker.get("unexpected_count"))
    return f"Blocked by {v.text(blocker.get('id'))}: {what} ({amount} unexpected)"


def _override(override: Mapping) -> str:
    who = v.text(override.get("user")) or "unknown user"
    when = v.text(override.get("at"))
    reason = v.text(override.get("reason")) or "no reason given"
    return f"Override by {who}" + (f" at {when}" if when else "") + f": {reason}"
