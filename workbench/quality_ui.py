"""The Quality page's parts: the report's numbers and charts, and findings down to their records."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hotpass.report import charts, count_charts
from workbench import paging, services, state
from workbench import quality_view as qv

VIEW = "hp.quality.view"
PAGE_KEY = "quality_findings_page"
CHARTS = (("Completeness: filled share per field", charts.completeness),
          ("Validity: valid share of filled values", charts.validity),
          ("Quality scores", charts.scores), ("Duplicates", count_charts.duplicates),
          ("Raw input against refined output", count_charts.scorecard),
          ("Findings by code", count_charts.findings), ("Enrichment", count_charts.enrichment))


def view() -> qv.RunView | None:
    """This session's last run, else the latest stored one; built once per run and kept."""
    outcome = state.result()
    session = outcome is not None and outcome.refined is not None
    if session:
        key = ("session", id(outcome.refined), outcome.status)
    else:
        with services.workspace() as ws:
            run_id = qv.latest_stored(ws)
        if run_id is None:
            return None
        key = ("stored", run_id)
    kept = st.session_state.get(VIEW)
    if kept is None or kept[0] != key:
        kept = (key, qv.from_outcome(outcome) if session else _stored(run_id))
        st.session_state[VIEW] = kept
    return kept[1]


def _stored(run_id: int) -> qv.RunView | None:
    with services.workspace() as ws:  # read under the lock; the report is built after it
        stored = qv.load(ws, run_id)
    return qv.from_stored(stored)


def headline(report: dict) -> None:
    """Publish status, totals and mean scores."""
    if report.get("published"):
        st.success(f"Run {report.get('run_id')} was published.")
    else:
        gate = report.get("gate") or {}
        blocked = ", ".join(str(b.get("id", "?")) for b in gate.get("blocked_by", []))
        st.error(f"Run {report.get('run_id')} was not published: blocking expectations failed"
                 + (f" ({blocked})." if blocked else "."))
    totals, scores = report.get("totals") or {}, report.get("scores") or {}
    cols = st.columns(5)
    cols[0].metric("Source rows", f"{totals.get('source_rows', 0):,}")
    cols[1].metric("Organisations", f"{totals.get('organisations', 0):,}")
    cols[2].metric("Contacts", f"{totals.get('contacts', 0):,}")
    for col, table in zip(cols[3:], ("organisations", "contacts"), strict=True):
        mean = (scores.get(table) or {}).get("mean")
        col.metric(f"Quality, {table}", "–" if mean is None else f"{mean:.1f}",
                   help=f"Mean score out of 100; {(scores.get(table) or {}).get('low', 0)} "
                        "record(s) score low.")


def figures(report: dict) -> None:
    """The report's charts, two per row."""
    drawn = [(title, make(report)) for title, make in CHARTS]
    drawn = [(title, fig) for title, fig in drawn if fig is not None]
    for start in range(0, len(drawn), 2):
        pairs = zip(st.columns(2), drawn[start:start + 2], strict=False)
        for index, (col, (title, fig)) in enumerate(pairs, start=start):
            col.markdown(f"**{title}**")
            col.plotly_chart(fig, width="stretch", key=f"quality_chart_{index}")


def validation(report: dict) -> None:
    """Every expectation's result, failed first."""
    rows = report.get("validation") or []
    st.subheader("Validation")
    if not rows:
        st.caption("No expectations were checked.")
        return
    frame = pd.DataFrame(rows)
    frame.insert(0, "result", ["passed" if ok else "failed" for ok in frame["success"]])
    frame["gate"] = ["blocking" if b else "" for b in frame["blocking"]]
    frame["examples"] = ["; ".join(e) for e in frame["examples"]]
    shown = ["result", "gate", "table", "id", "description", "column", "unexpected_count",
             "unexpected_percent", "examples"]
    st.dataframe(frame[shown], hide_index=True, width="stretch")


def findings(current: qv.RunView) -> None:
    """Findings by code; a code's rows a page at a time; a row's records, quality, provenance."""
    st.subheader("Findings")
    codes = qv.findings_table(current.report)
    if codes.empty:
        st.caption("No findings.")
        return
    st.dataframe(codes, hide_index=True, width="stretch")
    options = codes["code"].tolist()
    counts = dict(zip(codes["code"], codes["count"], strict=True))
    code = st.selectbox("Show the rows of", options, key="quality_code",
                        format_func=lambda c: f"{c} ({int(counts[c]):,})")
    paging.follow(PAGE_KEY, (code,))
    rows = qv.findings_of(current, code)
    page = paging.pager(len(rows), PAGE_KEY, label="findings")
    shown = paging.page_of(rows, page)
    event = st.dataframe(shown.reset_index(drop=True), key=f"quality_rows_{code}", hide_index=True,
                         on_select="rerun", selection_mode="single-row", width="stretch")
    if event.selection.rows:
        _record(current, shown.iloc[int(event.selection.rows[0])])
    else:
        st.caption("Select a row to see the records it became, their quality and provenance.")


def _record(current: qv.RunView, finding: pd.Series) -> None:
    found = qv.records_at(current, finding.get("file"), finding.get("sheet"), finding.get("row"))
    if not found:
        st.info("This finding is not tied to a source row that became an output record.")
        return
    for kind, record_id in found:
        quality, provenance = qv.record_detail(current, kind, record_id)
        st.markdown(f"**{kind.capitalize()} `{record_id}`**")
        st.dataframe(quality, hide_index=True, width="stretch")
        with st.expander(f"Provenance of {record_id} ({len(provenance)} field(s))"):
            st.dataframe(provenance, hide_index=True, width="stretch")
