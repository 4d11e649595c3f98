"""Quality: a finished run's scores, charts, validation results and findings, down to records."""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError
from workbench import accuracy_ui, auth, changes_ui, downloads, quality_ui, services, widgets
from workbench.text import md

user = auth.require("read")
st.title("Quality")

with services.workspace() as ws:
    finished = downloads.finished_runs(ws)
if finished.empty:
    st.info("No finished run yet: the quality report appears here when a run has finished.")
    widgets.link("run", "Run the refinement", ":material/play_circle:")
    st.stop()

run_id = quality_ui.choose_run(finished)
try:
    report = quality_ui.report(run_id, finished.set_index("run").loc[run_id, "status"])
    st.caption(f"From run {run_id} · profile **{md(report.get('profile'))}** · "
               f"{len(report.get('files') or [])} file(s)")
    quality_ui.headline(report)
    changes_ui.section(run_id, "quality")
    accuracy_ui.section(run_id, user)
    quality_ui.figures(report)
    quality_ui.validation(report)
    quality_ui.findings(run_id, report)
except HotpassError as exc:
    st.error(f"Run {run_id} cannot be read just now: {md(exc)}")
