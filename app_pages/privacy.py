"""Privacy: the suppression list, the register of processing, and purges past retention (admins)."""

from __future__ import annotations

import streamlit as st

from workbench import auth, privacy_ui

user = auth.require("admin")
st.title("Privacy")
st.caption("Personal data under POPIA: who is kept out of every export, what is processed and why, "
           "and what is removed when it is past retention. See docs/privacy.md.")

privacy_ui.notice()
st.subheader("Suppression list")
privacy_ui.suppression_section(user.username)
st.subheader("Register of processing")
privacy_ui.register_section()
st.subheader("Retention and purge")
privacy_ui.purge_section(user.username)
