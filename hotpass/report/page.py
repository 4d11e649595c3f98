"""The quality report as one self-contained HTML page that opens offline.

plotly.js is embedded once, in the page head; each chart is a ``<div>`` with a
fixed id and its own small ``newPlot`` script, so the same report gives the
same bytes. A Content-Security-Policy forbids every network request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from hotpass.report import blocks, changes, charts, count_charts
from hotpass.report import sections as s
from hotpass.report.css import CSS

CHARTS: dict[str, Callable] = {
    "completeness": charts.completeness,
    "validity": charts.validity,
    "scores": charts.scores,
    "duplicates": count_charts.duplicates,
    "scorecard": count_charts.scorecard,
    "findings": count_charts.findings,
    "enrichment": count_charts.enrichment,
    "changes": changes.chart,
}
CHART_CONFIG = {"displaylogo": False, "responsive": True}
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data: blob:; font-src data:")


def render_html(report: Mapping) -> str:
    """The whole report as one HTML document."""
    report = report if isinstance(report, Mapping) else {}
    drawn = s.sections(report)
    figures = {part.key: CHARTS[part.key](report) for part in drawn if part.key in CHARTS}
    body = [blocks.header(report), blocks.banner(report), blocks.toc(drawn), blocks.totals(report)]
    for part in drawn:
        figure = figures.get(part.key)
        chart = chart_html(figure, f"chart-{part.key}") if figure is not None else ""
        body.append(blocks.section(part, report, chart))
    has_charts = any(figure is not None for figure in figures.values())
    return _document(s.title(report), "\n".join(body), plotly_script() if has_charts else "")


def chart_html(figure, div_id: str) -> str:
    """One figure as a ``<div>`` and script, without plotly.js (the page carries it once)."""
    import plotly.io as pio

    height = f"{int(figure.layout.height)}px" if figure.layout.height else "420px"
    return pio.to_html(figure, full_html=False, include_plotlyjs=False, include_mathjax=False,
                       div_id=div_id, config=CHART_CONFIG, default_height=height)


def plotly_script() -> str:
    """plotly.js itself, inline, with MathJax turned off."""
    from plotly.offline import get_plotlyjs

    return ("<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
            f'<script charset="utf-8">{get_plotlyjs()}</script>')


def _document(title: str, body: str, script: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f"<title>{blocks.esc(title)}</title>\n<style>{CSS}</style>\n{script}\n</head>\n"
        f'<body>\n<main class="page">\n{body}\n'
        "<footer>Made by Hotpass. This page is self-contained: it opens without a network."
        "</footer>\n"
        "</main>\n</body>\n</html>\n"
    )
