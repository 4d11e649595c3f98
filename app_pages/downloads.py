"""Downloads: every stored run, for every role that may download; each file made on click."""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError
from workbench import auth, downloads, services, stored, widgets
from workbench.text import md

user = auth.require("download")
st.title("Downloads")

with services.workspace() as ws:
    runs = downloads.finished_runs(ws)
if runs.empty:
    st.info("Nothing to download yet: files appear here when a run has finished.")
    widgets.link("run", "Run the refinement", ":material/play_circle:")
    st.stop()

st.caption("Every finished run in the workspace, newest first. Each file is read or built when you "
           "click it, and every download is written to the audit log.")
st.dataframe(runs, hide_index=True, width="stretch")
labels = {int(r.run): f"Run {int(r.run)} · {r.status} · {r.profile} · by {r.user}"
          for r in runs.itertuples(index=False)}
run_id = st.selectbox("Run", list(labels), format_func=labels.get, key="downloads_run")

try:
    with services.workspace() as ws, stored.opened(ws, run_id) as result:
        offered, outputs, published = downloads.offered(result), result.outputs, result.published
        blocked = [b.get("id") for b in result.gate.get("blocked_by", [])]
except HotpassError as exc:
    st.error(f"Run {run_id} cannot be read just now: {md(exc)}")
    st.stop()

row = runs.set_index("run").loc[run_id]
st.markdown(f"**Run {run_id}** · profile **{md(row['profile'])}** · "
            f"{md(downloads.totals(row, downloads.entity_columns(runs)))}")
if not published:
    st.error(f"Run {run_id} was not published because blocking expectations failed "
             f"({downloads.codes(blocked)}). Only the quality report can be downloaded; an "
             "operator can publish it anyway with a reason on the Run page, or fix the data and "
             "run again.")
if not offered:
    st.warning(f"Run {run_id} has no files left to download.")
groups = {}
for deliverable in offered:
    groups.setdefault(deliverable.group, []).append(deliverable)
for column, (group, items) in zip(st.columns(max(len(groups), 1)), groups.items(), strict=False):
    column.markdown(f"**{group}**")
    for deliverable in items:
        column.download_button(
            deliverable.label, key=f"download_{deliverable.kind}", on_click="ignore",
            data=downloads.Download(services.workspace_dir(), run_id, deliverable.kind,
                                    user.username),
            file_name=downloads.file_name(deliverable, run_id, outputs), mime=deliverable.mime,
            icon=":material/download:", width="stretch")
