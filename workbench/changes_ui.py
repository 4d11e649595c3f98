"""The "What changed since run N" section: counts per kind of change and the changes, a page at a time."""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError, display_id
from workbench import paging, services, stored
from workbench.text import md

#: How each kind of change is named on the page.
KIND_LABELS = {"cluster_merged": "Clusters merged", "cluster_split": "Clusters split",
               "record_moved": "Records moved", "record_added": "Records added",
               "record_removed": "Records removed", "field_changed": "Fields changed",
               "enrichment_applied": "Enrichments applied"}
SHOWN = ["kind", "entity", "golden_id", "previous_id", "record_key", "field", "before", "after", "message"]


def read(run_id: int):
    """(previous run id or None, the changes) of a stored run."""
    with services.workspace() as ws, stored.opened(ws, run_id) as result:
        return result.changes_since, result.changes


def section(run_id: int, key: str) -> None:
    """What changed since the previous run of ``run_id`` (``key`` tells the page's pagers apart)."""
    try:
        since, frame = read(run_id)
    except HotpassError as exc:
        st.warning(f"The changes of run {run_id} cannot be read just now: {md(exc)}")
        return
    if since is None:
        st.subheader("What changed")
        st.caption("First run: there is no earlier run of this profile to compare with.")
        return
    st.subheader(f"What changed since run {since}")
    if frame.empty:
        st.caption(f"Nothing changed since run {since}.")
        return
    counts = frame["kind"].value_counts()
    present = [k for k in KIND_LABELS if k in counts]
    for col, kind in zip(st.columns(len(present)), present, strict=True):
        col.metric(KIND_LABELS[kind], f"{int(counts[kind]):,}")
    page_key = f"{key}_changes_page"
    paging.follow(page_key, (run_id,))
    page = paging.pager(len(frame), page_key, label="changes")
    shown = paging.page_of(frame[[c for c in SHOWN if c in frame]], page)
    if "record_key" in shown:  # records by the id every page shows (ORG-1A2B…), not the raw key
        shown = shown.assign(record_key=shown["record_key"].map(display_id)).rename(
            columns={"record_key": "record"})
    st.dataframe(shown, key=f"{key}_changes_{run_id}", hide_index=True, width="stretch")
