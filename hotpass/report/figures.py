"""The quality report's charts as plotly figures, for a page that draws them itself."""

from __future__ import annotations

from hotpass.report import charts, count_charts

CHARTS = (("Completeness: filled share per field", charts.completeness),
          ("Validity: valid share of filled values", charts.validity),
          ("Quality scores", charts.scores), ("Duplicates", count_charts.duplicates),
          ("Raw input against refined output", count_charts.scorecard),
          ("Findings by code", count_charts.findings), ("Enrichment", count_charts.enrichment))


def report_charts(report: dict) -> list[tuple[str, object]]:
    """(title, plotly figure) of each chart the report (:func:`hotpass.build_report`) has data for,
    in report order."""
    drawn = [(title, make(report)) for title, make in CHARTS]
    return [(title, figure) for title, figure in drawn if figure is not None]
