"""Run: refine this user's kept uploads in the background; progress per stage; override a block."""

from __future__ import annotations

import streamlit as st

from workbench import auth, run_ui, running, services, state, widgets
from workbench.text import md

user = auth.require("run")
st.title("Run the refinement")

mapped = state.mapped()
with services.workspace() as ws:
    active = running.active_run(ws, user.username)
if mapped.sheets:
    profile = state.chosen()
    st.markdown(f"**{len(mapped.workbooks)}** file(s), **{len(mapped.sheets)}** sheet(s), profile "
                f"**{md(profile.label)}**.")
    unreadable = [u.name for u in state.uploads() if u.error]
    if unreadable:
        st.warning(f"Left out, because they could not be read: {md(', '.join(unreadable))}.")
    unsure = sum(len(m.uncertain(profile.profile.mapping.confident_score)) for m in mapped.mappings)
    if unsure:
        st.warning(f"{unsure} column(s) were mapped with low confidence (⚠ check on Profile & "
                   "mapping).")
else:
    st.info("Nothing to run yet: upload workbooks first, then check the mapping.")
    widgets.link("upload", "Upload workbooks", ":material/upload_file:")
run_ui.run_button(user.username, active, bool(mapped.sheets))
st.caption("The run goes on in the background: you can leave this page or reload it, and others "
           "can log in, review and download meanwhile.")
state.told(run_ui.NOTE)

last = run_ui.current(user.username)
if last is not None:
    run_ui.live(last)
    if not last.active:
        run_ui.outcome(last, user.username)
