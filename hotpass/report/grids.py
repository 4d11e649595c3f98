"""The report's tables as plain grids of text, shared by the Markdown and HTML renderers.

A :class:`Grid` is headers and rows of already formatted strings; each
renderer only decides how to draw it, so both files always say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from hotpass.report import values as v

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class Grid:
    """A table of formatted text; ``numeric``, ``badges`` and ``code`` are column indexes.

    A cell is a string, or a list of values (examples). Cells of ``code``
    columns are values quoted from the data, shown literally (code spans, chips).
    """

    headers: list[str]
    rows: list[list[str | list[str]]] = field(default_factory=list)
    numeric: tuple[int, ...] = ()
    badges: tuple[int, ...] = ()
    code: tuple[int, ...] = ()
    caption: str = ""


def totals(report: Mapping) -> list[tuple[str, str]]:
    """(label, formatted count) for every total, in the report's order."""
    return [(v.label(key), v.count(value)) for key, value in v.section(report, "totals").items()]


def completeness(report: Mapping) -> Grid:
    """Share of rows with a value, per table and field."""
    body = [[v.text(r.get("table")), v.text(r.get("field")), v.share(r.get("filled"))]
            for r in v.rows(report, "completeness")]
    return Grid(["Table", "Field", "Filled"], body, numeric=(2,))


def validity(report: Mapping) -> Grid:
    """Share of filled values that pass their field's check."""
    body = [[v.text(r.get("table")), v.text(r.get("field")), v.count(r.get("checked")),
             v.share(r.get("valid"))] for r in v.rows(report, "validity")]
    return Grid(["Table", "Field", "Checked", "Valid"], body, numeric=(2, 3))


def scores(report: Mapping) -> Grid:
    """Mean, median and number of low scores per table."""
    body = []
    for table, data in score_tables(report).items():
        low = f"{v.count(data.get('low'))} (below {v.count(data.get('low_score'))})"
        body.append([table, v.decimal(data.get("mean")), v.decimal(data.get("median")), low])
    return Grid(["Table", "Mean", "Median", "Low scores"], body, numeric=(1, 2, 3))


def score_bins(report: Mapping) -> Grid:
    """The score histograms: one row per table, one column per score range."""
    tables = {table: histogram(data) for table, data in score_tables(report).items()}
    ranges = list(dict.fromkeys(f"{lo:g}–{hi:g}" for bins in tables.values() for lo, hi, _ in bins))
    body = []
    for table, bins in tables.items():
        counts = {f"{lo:g}–{hi:g}": v.count(amount) for lo, hi, amount in bins}
        if counts:
            body.append([table, *(counts.get(name, v.DASH) for name in ranges)])
    numeric = tuple(range(1, len(ranges) + 1))
    return Grid(["Score", *ranges], body, numeric=numeric, caption="Records per score range")


def score_tables(report: Mapping) -> dict[str, dict]:
    """``report["scores"]`` with only the tables that have a mapping of numbers."""
    raw = v.section(report, "scores")
    return {str(t): dict(d) for t, d in raw.items() if isinstance(d, Mapping)}


def histogram(data: Mapping) -> list[tuple[float, float, float]]:
    """(low edge, high edge, count) per bin of one table's histogram; ragged input is cut."""
    hist = data.get("histogram") if isinstance(data.get("histogram"), Mapping) else {}
    edges = [v.number(e) for e in v.items(hist.get("edges"))]
    counts = [v.number(c) or 0 for c in v.items(hist.get("counts"))]
    return [(low, high, amount) for low, high, amount in zip(edges, edges[1:], counts, strict=False)
            if low is not None and high is not None]


DUPLICATE_STEPS = (
    ("organisation_records", "Organisation records in"),
    ("organisations", "Organisations out"),
    ("pairs_scored", "Candidate pairs scored"),
    ("merged_automatically", "Merged automatically"),
    ("decided_same", "Decided by people: same"),
    ("decided_different", "Decided by people: different"),
    ("pending_review", "Pending review"),
)


def duplicates(report: Mapping) -> Grid:
    """How records became golden records, and who decided the doubtful pairs."""
    data = v.section(report, "duplicates")
    steps = dict(DUPLICATE_STEPS)
    entity = [[v.label(key), v.count(value)] for key, value in data.items() if key not in steps]  # people ...
    body = entity + [[name, v.count(data[key])] for key, name in DUPLICATE_STEPS if key in data]
    return Grid(["Step", "Count"], body, numeric=(1,))


def scorecard(report: Mapping) -> Grid:
    """Every before/after measure with its change."""
    body = []
    for r in v.rows(report, "scorecard"):
        unit = r.get("unit")
        raw, refined = r.get("raw"), r.get("refined")
        body.append([v.text(r.get("measure")), v.measure(raw, unit), v.measure(refined, unit),
                     v.change(raw, refined, unit)])
    return Grid(["Measure", "Raw", "Refined", "Change"], body, numeric=(1, 2, 3))


def validation(report: Mapping) -> Grid:
    """Expectation results, failed (blocking first) before passed."""
    body = []
    for r in sorted(v.rows(report, "validation"), key=_validation_order):
        body.append([_result(r), "Blocking" if r.get("blocking") else "", v.text(r.get("id")),
                     _description(r), v.text(r.get("column")),
                     v.count(r.get("unexpected_count")), v.percent(r.get("unexpected_percent")),
                     [v.text(e) or "(blank)" for e in v.items(r.get("examples"))]])
    headers = ["Result", "Gate", "Expectation", "Description", "Column", "Unexpected", "%",
               "Examples"]
    return Grid(headers, body, numeric=(5, 6), badges=(0, 1), code=(7,))


def findings(report: Mapping) -> Grid:
    """Finding types: errors first, then by count."""
    body = [[v.text(f.get("code")), v.text(f.get("severity")), v.count(f.get("count"))]
            for f in sorted_findings(report)]
    return Grid(["Code", "Severity", "Count"], body, numeric=(2,), badges=(1,))


def finding_examples(report: Mapping) -> Grid:
    """A few examples per finding type, with where they were found."""
    body = []
    for f in sorted_findings(report):
        for e in v.items(f.get("examples")):
            e = e if isinstance(e, Mapping) else {"message": e}
            body.append([v.text(f.get("code")), v.text(e.get("file")), v.text(e.get("sheet")),
                         v.text(e.get("row")), v.text(e.get("column")), v.text(e.get("message")),
                         v.text(e.get("value"))])
    headers = ["Code", "File", "Sheet", "Row", "Column", "Message", "Value"]
    return Grid(headers, body, numeric=(3,), code=(6,), caption="Examples")


def sorted_findings(report: Mapping) -> list[dict]:
    """Findings ordered by severity (errors first), then by count, largest first."""
    def order(f: dict) -> tuple:
        return (SEVERITY_ORDER.get(v.text(f.get("severity")), 3), -(v.number(f.get("count")) or 0))

    return sorted(v.rows(report, "findings"), key=order)


ENRICHMENT_STEPS = (("proposed", "Proposed"), ("approved", "Approved"),
                    ("rejected", "Rejected"), ("pending", "Pending"))


def enrichment(report: Mapping) -> Grid:
    """Enrichment proposals by decision."""
    data = v.section(report, "enrichment")
    body = [[name, v.count(data[key])] for key, name in ENRICHMENT_STEPS if key in data]
    return Grid(["Proposals", "Count"], body, numeric=(1,))


def enrichment_filled(report: Mapping) -> Grid:
    """Values filled by approved enrichment, per field."""
    filled = v.section(v.section(report, "enrichment"), "filled")
    body = [[v.text(name), v.count(amount)] for name, amount in filled.items()]
    return Grid(["Field filled", "Values"], body, numeric=(1,))


def _result(row: Mapping) -> str:
    success = row.get("success")
    return "Not run" if success is None else ("Passed" if success else "Failed")


def _validation_order(row: Mapping) -> tuple:
    success = row.get("success")
    failed = success is not None and not success
    return (0 if failed else 1, 0 if row.get("blocking") else 1)


def _description(row: Mapping) -> str:
    """The expectation's description, and its message when there is one."""
    description, message = v.text(row.get("description")), v.text(row.get("message"))
    return f"{description} ({message})" if description and message else description or message
