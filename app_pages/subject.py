"""Data-subject requests: find everything held about one person, export it, correct it, erase it (admins)."""

from __future__ import annotations

import streamlit as st

from workbench import auth, subject_ui

user = auth.require("admin")
st.title("Data-subject requests")
st.caption("One search across every run, stored output, upload and workspace table. Export what is "
           "held (access request), correct their golden record in later runs, or erase them everywhere. "
           "Every action is audited without the values searched for. See docs/privacy.md.")

subject_ui.notice()
subject_ui.search_form(user.username)
found = subject_ui.results()
if found is not None and found["exact"]:
    st.subheader("Export what is held")
    subject_ui.export_section(user.username)
    st.subheader("Correct their golden record")
    subject_ui.correct_section(user.username, found["fields"])
    st.subheader("Erase them")
    subject_ui.erase_section(user.username)
