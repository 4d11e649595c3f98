"""Quality: the last run's scores, charts, validation results and findings, down to each record."""

from __future__ import annotations

import streamlit as st

from workbench import auth, quality_ui, widgets

auth.require("read")
st.title("Quality")

current = quality_ui.view()
if current is None:
    st.info("No finished run yet (or its profile can no longer be loaded): run the refinement "
            "first.")
    widgets.link("run", "Run the refinement", ":material/play_circle:")
    st.stop()

st.caption(f"From {current.origin} · profile **{current.report.get('profile')}** · "
           f"{len(current.report.get('files') or [])} file(s)")
quality_ui.headline(current.report)
quality_ui.figures(current.report)
quality_ui.validation(current.report)
quality_ui.findings(current)
