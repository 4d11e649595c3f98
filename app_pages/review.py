"""Review duplicates: the latest run's uncertain clusters, one at a time, with the reasons."""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError, can
from workbench import auth, review_actions, review_ui, services, stored, widgets
from workbench import cluster_review as cr
from workbench.text import md

user = auth.require("read")
reviewer = can(
    user.role, "review"
)  # read from the workspace on this run: masking follows the role now
st.title("Review duplicates")


def latest(ws):
    """The latest finished run for review, every review unit of it and the active decisions."""
    run = cr.load(ws)
    if run is None:
        return None, None, None
    decisions = ws.decisions()
    return run, cr.units(run, decisions), decisions


try:
    with services.workspace() as ws:
        run, units, decisions = stored.retrying(lambda: latest(ws))
except HotpassError as exc:
    st.error(f"The latest run cannot be read just now: {md(exc)}")
    st.stop()
if run is None:
    st.info(
        "No finished run yet: run the refinement first, then review the clusters it was "
        "unsure about."
    )
    widgets.link("run", "Run the refinement", ":material/play_circle:")
    st.stop()

review_ui.notice()
if not reviewer:
    review_ui.read_only(user)
queue = cr.pending(units)
with services.workspace() as ws:
    index = cr.position(queue, review_ui.place(ws, user.username, reviewer), run.run_id)
    hide = review_ui.blind(ws, user.username, reviewer)
    if not queue.empty:
        review_ui.keep_place(ws, user.username, reviewer, run.run_id, queue, index)
review_ui.header((len(units) - len(queue), len(queue)), run.run_id, index)
st.info(
    "Decisions are saved at once and take effect on the **next run**: “different” records "
    "are never merged, “same” records always are, a picked value wins its field; an undone "
    "decision gives the machine's verdict back.",
    icon=":material/info:",
)
if reviewer:
    widgets.link("run", "Run again to apply the decisions", ":material/play_circle:")

if queue.empty:
    st.success("Nothing waits for review in the latest run.")
else:
    unit = queue.iloc[index]
    review_ui.navigation(run.run_id, queue, index, user.username, reviewer)
    with services.workspace() as ws:
        frame = cr.members(ws, run, list(unit["members"]))
        pairs = cr.edges(ws, run, list(unit["members"]))
    status = cr.statuses(frame["record_key"].tolist(), decisions)
    review_ui.cluster(run, unit, frame, pairs, status, index, len(queue), hide, reviewer)
    if reviewer:
        st.divider()
        review_actions.actions(run, unit, frame, decisions, user.username)
        st.divider()
        review_actions.bulk(run, queue, decisions, user.username)
if reviewer:
    st.divider()
    review_actions.undo(run, user.username, reviewer)
