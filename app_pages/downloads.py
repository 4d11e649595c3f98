"""Downloads: the session's last run as a styled workbook, CSV, Parquet and its quality report."""

from __future__ import annotations

import streamlit as st

from workbench import auth, downloads, services, state, widgets

user = auth.require("download")
st.title("Downloads")


def audit(username: str, action: str, **detail) -> None:
    """Write one audit line (runs on a server thread when a download is built)."""
    with services.workspace() as ws:
        ws.audit(username, action, **detail)


outcome = state.result()
if outcome is None or outcome.refined is None:
    st.info("Nothing to download yet: downloads are built from a run made in this session.")
    widgets.link("run", "Run the refinement", ":material/play_circle:")
    st.stop()

refined = outcome.refined
st.caption(f"Run {refined.run_id} · profile **{outcome.profile.name}** · "
           f"{len(refined.organisations):,} organisations, {len(refined.contacts):,} contacts. "
           "Each file is built when you click, and every download is written to the audit log.")
if not refined.published:
    blocked = ", ".join(str(b) for b in outcome.blocked_by()["id"])
    st.error(f"Run {refined.run_id} was not published because blocking expectations failed "
             f"({blocked}). Only the quality report can be downloaded; an operator can publish it "
             "anyway with a reason on the Run page, or fix the data and run again.")
    widgets.link("run", "Open the Run page", ":material/play_circle:")

folder = state.session_dir() / "downloads"
for deliverable in downloads.offered(refined):
    st.download_button(
        deliverable.label, key=f"download_{deliverable.kind}", on_click="ignore",
        data=downloads.Download(deliverable.kind, refined, outcome.profile, folder, user.username,
                                audit, outcome.report_dir),
        file_name=downloads.file_name(deliverable, refined.run_id), mime=deliverable.mime,
        icon=":material/download:")
