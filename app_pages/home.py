"""Home: the workspace at a glance, runs over time, and what to do next."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from hotpass import can
from workbench import auth, kept, overview, running, services, widgets

user = auth.require("read")
st.title("Hotpass workbench")
st.caption("Upload the workbooks, tune the profile and mapping, run, review, approve, download.")

with services.workspace() as ws:
    runs = ws.runs()
    waiting = overview.waiting(ws)
    uploaded = len(ws.uploads(user.username))
    mine = kept.current_run(ws, user.username)
    mine = running.state_of(ws, mine) if mine is not None else None
history = overview.history(runs)


def next_steps() -> None:
    st.subheader("What to do next")
    if mine is not None and mine.active:
        st.info(f"Your run {mine.run_id} is {mine.status}: it goes on in the background.")
        widgets.link("run", "Watch its progress", ":material/play_circle:")
    elif mine is not None:
        st.info(f"Your last run: run {mine.run_id}, {mine.status}.")
        widgets.link("quality", "Read its quality report", ":material/verified:")
        widgets.link("downloads", "Download the results", ":material/download:")
    elif can(user.role, "upload") and not uploaded:
        st.info("You have no workbooks uploaded yet.")
        widgets.link("upload", "Upload workbooks", ":material/upload_file:")
    elif can(user.role, "run") and uploaded:
        st.info(f"You have {uploaded} file(s) uploaded.")
        widgets.link("mapping", "Check the profile and mapping", ":material/tune:")
        widgets.link("run", "Run the refinement", ":material/play_circle:")
    pairs, proposals = waiting["pairs to review"], waiting["proposals to approve"]
    if pairs:
        st.warning(f"{pairs} duplicate pair(s) of the last run wait for review.")
        widgets.link("review", "Review duplicates", ":material/compare_arrows:")
    if proposals:
        st.warning(f"{proposals} enrichment proposal(s) wait for approval.")
        widgets.link("enrichment", "Approve enrichments", ":material/auto_fix_high:")
    if not (pairs or proposals) and len(history):
        st.success("Nothing waits for review or approval.")


def charts() -> None:
    st.subheader("Runs over time")
    if history.empty:
        st.info("No finished runs yet: the charts fill in after the first run.")
        return
    left, right = st.columns(2)
    runs_axis = [f"run {run}" for run in history["run"]]
    layout = dict(height=340, margin=dict(t=50, b=30, l=40, r=10), xaxis_type="category")
    mains = history[overview.MAIN].dropna().unique().tolist()
    main = mains[0] if len(mains) == 1 else None  # one kind of record, or each run's main one
    counts = go.Figure(
        [go.Bar(name=main or overview.RECORDS, x=runs_axis, y=history[overview.RECORDS],
                hovertext=history[overview.MAIN])]
        + [go.Bar(name=name, x=runs_axis, y=history[name])
           for name in ("merged pairs", "pairs to review")]
    )
    counts.update_layout(
        barmode="group",
        title=f"{(main or 'records').capitalize()} and duplicates",
        legend_orientation="h",
        bargap=0.35,
        **layout,
    )
    left.plotly_chart(counts, width="stretch")
    quality = go.Figure(
        go.Scatter(
            x=runs_axis,
            y=history["quality"],
            mode="lines+markers+text",
            text=history["quality"],
            hovertext=history[overview.MAIN],
            textposition="top center",
        )
    )
    quality.update_layout(
        title=f"Mean quality score ({main or 'each run’s main records'})",
        yaxis_range=[0, 105],
        **layout,
    )
    right.plotly_chart(quality, width="stretch")


top = st.columns(4)
top[0].metric("Runs", len(runs))
top[1].metric("Last run", runs.iloc[0]["status"] if len(runs) else "none")
top[2].metric("Pairs to review", waiting["pairs to review"])
top[3].metric("Proposals to approve", waiting["proposals to approve"])
st.caption(f"Workspace: `{services.workspace_dir()}`")
next_steps()
charts()
st.subheader("Recent runs")
if runs.empty:
    st.info("No runs yet.")
else:
    st.dataframe(overview.recent(runs), hide_index=True, width="stretch")
