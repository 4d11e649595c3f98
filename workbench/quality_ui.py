"""The Quality page's parts: the run to show, the report's numbers and charts, and findings down to
their records."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st

from hotpass import report_charts
from workbench import paging, services, stored
from workbench import quality_view as qv
from workbench.text import md

PAGE_KEY = "quality_findings_page"
RUN_KEY = "quality_run"
REPORTS = "hp.quality.reports"  # run id -> its report, kept in this session


def choose_run(finished) -> int:
    """A select box of the finished runs, newest first (the newest is chosen at first)."""
    labels = {int(r.run): f"Run {int(r.run)} · {r.status} · {r.profile} · by {r.user}"
              for r in finished.itertuples(index=False)}
    if st.session_state.get(RUN_KEY) not in labels:
        st.session_state.pop(RUN_KEY, None)
    return st.selectbox("Run", list(labels), format_func=labels.get, key=RUN_KEY)


@contextmanager
def reading(run_id: int) -> Iterator:
    """The stored run, open read-only for this block only (a publish may want it after)."""
    with services.workspace() as ws, stored.opened(ws, run_id) as result:
        yield result


def report(run_id: int, status: str) -> dict:
    """The run's report, read once per run and status in this session."""
    kept = st.session_state.setdefault(REPORTS, {})
    key = (run_id, status)
    if key not in kept:
        with services.workspace() as ws, stored.opened(ws, run_id) as result:
            found = qv.report_of(ws, result)
        kept.clear()
        kept[key] = found
    return kept[key]


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
    plurals = list(scores)  # one per entity of the run, in its profile's order
    cols = st.columns(1 + 2 * len(plurals))
    cols[0].metric("Source rows", f"{totals.get('source_rows', 0):,}")
    for col, table in zip(cols[1:], plurals, strict=False):
        col.metric(qv.shown(table).capitalize(), f"{totals.get(table, 0):,}")
    for col, table in zip(cols[1 + len(plurals):], plurals, strict=True):
        mean = (scores.get(table) or {}).get("mean")
        col.metric(f"Quality, {qv.shown(table)}", "–" if mean is None else f"{mean:.1f}",
                   help=f"Mean score out of 100; {(scores.get(table) or {}).get('low', 0)} "
                        "record(s) score low.")


def figures(report: dict) -> None:
    """The report's charts, two per row."""
    drawn = report_charts(report)
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


def findings(run_id: int, report: dict) -> None:
    """Findings by code; a code's rows a page at a time; a row's records, quality, provenance."""
    st.subheader("Findings")
    codes = qv.findings_table(report)
    if codes.empty:
        st.caption("No findings.")
        return
    st.dataframe(codes, hide_index=True, width="stretch")
    counts = dict(zip(codes["code"], codes["count"], strict=True))
    code = st.selectbox("Show the rows of", codes["code"].tolist(), key="quality_code",
                        format_func=lambda c: f"{c} ({int(counts[c]):,})")
    paging.follow(PAGE_KEY, (run_id, code))
    total = int(counts[code])
    page = paging.pager(total, PAGE_KEY, label="findings")
    with reading(run_id) as result:
        shown = qv.findings_of(result, code, (page - 1) * paging.PAGE_SIZE, paging.PAGE_SIZE)
    event = st.dataframe(shown, key=f"quality_rows_{code}", hide_index=True, on_select="rerun",
                         selection_mode="single-row", width="stretch")
    if event.selection.rows:
        _record(run_id, shown.iloc[int(event.selection.rows[0])])
    else:
        st.caption("Select a row to see the records it became, their quality and provenance.")


def _record(run_id: int, finding: pd.Series) -> None:
    with reading(run_id) as result:
        found = qv.records_at(result, finding.get("file"), finding.get("sheet"), finding.get("row"))
        details = [(qv.label_of(result, kind), record_id,
                    *qv.record_detail(result, kind, record_id)) for kind, record_id in found]
    if not found:
        st.info("This finding is not tied to a source row that became an output record.")
        return
    for label, record_id, quality, provenance in details:
        shown = str(record_id).replace("`", "'")
        st.markdown(f"**{md(label)} `{shown}`**")
        st.dataframe(quality, hide_index=True, width="stretch")
        with st.expander(f"Provenance of {md(record_id)} ({len(provenance)} field(s))"):
            st.dataframe(provenance, hide_index=True, width="stretch")
