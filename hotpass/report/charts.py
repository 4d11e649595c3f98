"""Plotly figures for the HTML report, one per section (None when it has no data).

plotly is imported inside each function so that importing :mod:`hotpass.report`
stays cheap. Every label is HTML-escaped before it reaches plotly.js, which
would otherwise read tags such as ``<a href>`` in axis labels.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from hotpass.report import grids as g
from hotpass.report import values as v

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
INK = "#1f2937"
PALETTE = ("#2563eb", "#0d9488", "#7c3aed", "#db2777", "#ea580c")
TABLE_COLOURS = {"organisations": PALETTE[0], "contacts": PALETTE[1]}
SEVERITY_COLOURS = {"error": "#dc2626", "warning": "#d97706", "info": "#6b7280"}
RAW, REFINED = "#9ca3af", "#2563eb"
ROW_HEIGHT = 26
PERCENT_TICKS = {"tickvals": [0, 25, 50, 75, 100], "ticktext": ["0%", "25%", "50%", "75%", "100%"]}


def label(value: object) -> str:
    """Text for plotly: escaped so that tags show as text."""
    return html.escape(v.text(value), quote=False)


def colour(table: str, index: int) -> str:
    """A stable colour per table."""
    return TABLE_COLOURS.get(table, PALETTE[index % len(PALETTE)])


def style(fig, height: int, **layout):
    """The report's common look: white, system font, tight margins, legend on top."""
    settings = {
        "template": "plotly_white", "height": height, "bargap": 0.25,
        "font": {"family": FONT, "size": 13, "color": INK},
        "margin": {"l": 10, "r": 40, "t": 40, "b": 40},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    }
    fig.update_layout(**{**settings, **layout})
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    return fig


def completeness(report: Mapping):
    """Filled share per field, one panel per table."""
    return _field_shares(v.rows(report, "completeness"), "filled", "Filled")


def validity(report: Mapping):
    """Valid share of filled values per field, one panel per table."""
    return _field_shares(v.rows(report, "validity"), "valid", "Valid")


def _field_shares(records: list[dict], key: str, name: str):
    records = [r for r in records if v.number(r.get(key)) is not None]
    if not records:
        return None
    from plotly.subplots import make_subplots

    tables = v.tables_of(records)
    sizes = [sum(1 for r in records if v.text(r.get("table")) == t) for t in tables]
    fig = make_subplots(rows=len(tables), cols=1, shared_xaxes=True, row_heights=sizes,
                        subplot_titles=[label(t).capitalize() for t in tables],
                        vertical_spacing=min(0.3 / len(tables), 0.12))
    for index, table in enumerate(tables):
        mine = [r for r in records if v.text(r.get("table")) == table]
        fig.add_trace(_share_bars(mine, key, name, colour(table, index)), row=index + 1, col=1)
    fig.update_xaxes(range=[0, 109], **PERCENT_TICKS)
    fig.update_yaxes(autorange="reversed")
    height = 70 + ROW_HEIGHT * sum(sizes) + 60 * len(tables)
    return style(fig, height, showlegend=False)


def _share_bars(records: list[dict], key: str, name: str, fill: str):
    import plotly.graph_objects as go

    shares = [v.number(r.get(key)) * 100 for r in records]
    return go.Bar(
        orientation="h", x=shares, y=[label(r.get("field")) for r in records], name=name,
        marker_color=fill, text=[v.share(r.get(key)) for r in records], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{x:.1f}%<extra></extra>",
    )


def scores(report: Mapping):
    """Histogram of quality scores, one bar trace per table, the low-score line marked."""
    import plotly.graph_objects as go

    data = g.score_tables(report)
    tables = {t: g.histogram(d) for t, d in data.items() if g.histogram(d)}
    if not tables:
        return None
    fig = go.Figure([_score_bars(t, bins, i) for i, (t, bins) in enumerate(tables.items())])
    for low in sorted({v.number(data[t].get("low_score")) for t in tables} - {None}):
        fig.add_vline(x=low, line_dash="dash", line_color=SEVERITY_COLOURS["error"],
                      annotation_text=f"low score &lt; {low:g}", annotation_position="top left",
                      annotation_font_color=SEVERITY_COLOURS["error"])
    edges = sorted({edge for bins in tables.values() for lo, hi, _ in bins for edge in (lo, hi)})
    fig.update_xaxes(tickvals=edges, title_text="Quality score")
    fig.update_yaxes(title_text="Records", separatethousands=True)
    return style(fig, 380, barmode="group", bargap=0.12)


def _score_bars(table: str, bins: list[tuple[float, float, float]], index: int):
    import plotly.graph_objects as go

    return go.Bar(
        x=[(lo + hi) / 2 for lo, hi, _ in bins], y=[amount for _, _, amount in bins],
        customdata=[f"{lo:g}–{hi:g}" for lo, hi, _ in bins], name=label(table).capitalize(),
        marker_color=colour(table, index),
        hovertemplate="Score %{customdata}: %{y:,} records<extra>" + label(table) + "</extra>",
    )
