"""Plotly figures of counts: duplicates, before/after, findings and enrichment."""

from __future__ import annotations

import math
from collections.abc import Mapping

from hotpass.report import grids as g
from hotpass.report import values as v
from hotpass.report.charts import (
    PERCENT_TICKS,
    RAW,
    REFINED,
    ROW_HEIGHT,
    SEVERITY_COLOURS,
    label,
    style,
)

# Duplicates chart: the steps after matching, coloured by who decided.
_DUPLICATE_BARS = (
    ("pairs_scored", "Candidate pairs scored", "#94a3b8"),
    ("merged_automatically", "Merged automatically", "#2563eb"),
    ("decided_same", "Decided same by people", "#0d9488"),
    ("decided_different", "Decided different by people", "#7c3aed"),
    ("pending_review", "Pending review", "#d97706"),
)
_ENRICHMENT_COLOURS = {"proposed": "#94a3b8", "approved": "#16a34a", "rejected": "#dc2626",
                       "pending": "#d97706"}


def count_bars(names: list[str], amounts: list[float], colours: list[str], log: bool = False):
    """Horizontal bars with their counts written beside them, first name on top."""
    import plotly.graph_objects as go

    bars = go.Bar(
        orientation="h", x=amounts, y=names, marker_color=colours, cliponaxis=False,
        text=[v.count(a) for a in amounts], textposition="outside",
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    )
    fig = go.Figure(bars)
    top = max(amounts, default=0) or 1
    if log:
        fig.update_xaxes(type="log", range=[-0.3, math.log10(top) + 0.45])
    else:
        fig.update_xaxes(range=[0, top * 1.15])
    fig.update_xaxes(separatethousands=True)
    fig.update_yaxes(autorange="reversed")
    return style(fig, 90 + ROW_HEIGHT * 1.6 * len(names), showlegend=False)


def duplicates(report: Mapping):
    """Pairs scored, merged automatically, decided by people, pending (log scale when spread)."""
    data = v.section(report, "duplicates")
    shown = [(name, v.number(data.get(key)), fill) for key, name, fill in _DUPLICATE_BARS
             if v.number(data.get(key)) is not None]
    if not shown:
        return None
    amounts = [amount for _, amount, _ in shown]
    positive = [a for a in amounts if a > 0]
    log = bool(positive) and max(positive) / min(positive) > 50 and min(amounts) > 0
    fig = count_bars([n for n, _, _ in shown], amounts, [c for _, _, c in shown], log=log)
    if log:
        fig.update_xaxes(title_text="Count (log scale)")
    return fig


def scorecard(report: Mapping):
    """Raw against refined for every share measure, as grouped bars."""
    import plotly.graph_objects as go

    measures = [r for r in v.rows(report, "scorecard") if r.get("unit") == "share"]
    if not measures:
        return None
    names = [label(r.get("measure")) for r in measures]
    fig = go.Figure()
    for key, name, fill in (("raw", "Raw sources", RAW), ("refined", "Refined", REFINED)):
        shares = [(v.number(r.get(key)) or 0) * 100 for r in measures]
        fig.add_trace(go.Bar(
            orientation="h", x=shares, y=names, name=name, marker_color=fill, cliponaxis=False,
            text=[v.share(r.get(key)) for r in measures], textposition="outside",
            hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>",
        ))
    fig.update_xaxes(range=[0, 112], **PERCENT_TICKS)
    fig.update_yaxes(autorange="reversed")
    return style(fig, 110 + ROW_HEIGHT * 2.2 * len(measures), barmode="group")


def findings(report: Mapping):
    """Count per finding code, coloured by severity."""
    rows = [f for f in g.sorted_findings(report) if v.number(f.get("count")) is not None]
    if not rows:
        return None
    info = SEVERITY_COLOURS["info"]
    colours = [SEVERITY_COLOURS.get(v.text(f.get("severity")), info) for f in rows]
    names = [label(f.get("code")) for f in rows]
    return count_bars(names, [v.number(f.get("count")) for f in rows], colours)


def enrichment(report: Mapping):
    """Enrichment proposals by decision."""
    data = v.section(report, "enrichment")
    shown = [(name, v.number(data.get(key)), _ENRICHMENT_COLOURS[key])
             for key, name in g.ENRICHMENT_STEPS if v.number(data.get(key)) is not None]
    if not shown:
        return None
    return count_bars([n for n, _, _ in shown], [a for _, a, _ in shown], [c for _, _, c in shown])
