"""Upload: files are kept in the workspace for this user and read one by one; sheets shown."""

from __future__ import annotations

import streamlit as st

from workbench import auth, state, upload_ui, widgets
from workbench.sources import sheet_summary

user = auth.require("upload")

st.title("Upload workbooks")
widgets.profile_picker("Profile used to read and map the files")
upload_ui.uploader(user.username)
state.told(upload_ui.NOTE)

uploads = state.uploads()
if not uploads:
    st.info(
        "No workbooks yet. Drop the files above: each one is read on its own, so a file that "
        "cannot be read says why and the others still load. Files are kept in the workspace for "
        "you until you remove them, so a reload or a new tab still has them."
    )
    st.stop()
mapped = state.mapped()
if mapped.sheets:
    st.subheader("Sheets")
    st.dataframe(sheet_summary(mapped, state.profile()), hide_index=True, width="stretch")
    widgets.link("mapping", "Next: check the profile and mapping", ":material/arrow_forward:")
st.subheader("Files")
for item in uploads:
    upload_ui.show_file(item, mapped, user.username)
