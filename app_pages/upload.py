"""Upload: files are kept in the workspace for this user and read one by one; each sheet's role
shown with why, to confirm or change."""

from __future__ import annotations

import streamlit as st

from workbench import auth, roles_ui, state, upload_ui, widgets
from workbench.mapping import sheet_summary
from workbench.text import md

user = auth.require("upload")

st.title("Upload workbooks")
widgets.profile_picker("Profile used to read and map the files")
upload_ui.uploader(user.username)
state.told(upload_ui.NOTE)
state.told(roles_ui.NOTE)

uploads = state.uploads()
if not uploads:
    st.info(
        "No workbooks yet. Drop the files above: each one is read on its own, so a file that "
        "cannot be read says why and the others still load. Files are kept in the workspace for "
        "you until you remove them, so a reload or a new tab still has them."
    )
    st.stop()
mapped, profile = state.mapped(), state.profile()
for problem in mapped.problems:
    st.warning(md(problem))
if mapped.sheets:
    st.subheader("Sheets")
    st.caption("Each sheet's role, who decided it and how sure; confirm or change it on the "
               "sheet's tab below. Your choices are kept and used again for files with the same "
               "file and sheet names.")
    st.dataframe(sheet_summary(mapped, profile), hide_index=True, width="stretch",
                 column_config={"why": st.column_config.TextColumn(width="large")})
    widgets.link("mapping", "Next: check the profile and mapping", ":material/arrow_forward:")
st.subheader("Files")
for item in uploads:
    upload_ui.show_file(item, mapped, profile, user.username)
