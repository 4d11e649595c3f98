"""Admin: users and their roles, and the audit log of who did what when."""

from __future__ import annotations

import streamlit as st

from hotpass import Users
from workbench import admin_ui, auth, labelstudio_ui, services

user = auth.require("admin")
st.title("Admin")

admin_ui.notice()
st.subheader("Users")
with services.workspace() as ws:
    accounts = Users(ws).list()
st.dataframe(admin_ui.users_table(accounts), hide_index=True, width="stretch")
admin_ui.add_form(user.username)
admin_ui.manage(accounts, user.username)
st.caption("Roles: viewer (read, download) · operator (also upload, tune, run) · reviewer (read, "
           "download, review) · admin (everything, including users). The last admin cannot be "
           "removed or demoted.")

labelstudio_ui.section(user.username)

st.subheader("Audit log")
with services.workspace() as ws:
    log = ws.audit_log()
chosen = admin_ui.audit_filters(log)
admin_ui.audit_table(admin_ui.audit_rows(log, **chosen))
