"""Upload: each workbook is read on its own; its sheets, header rows, roles and rows shown."""

from __future__ import annotations

import streamlit as st

from workbench import auth, services, state, widgets
from workbench.sources import preview, read_upload, sheet_summary

UPLOADER = "upload_files"
TYPES = ["xlsx", "xlsm", "xls", "csv", "parquet"]

user = auth.require("upload")


def forget_removed() -> None:
    """The uploader changed: forget files taken out of it (files from earlier visits stay)."""
    current = {f.file_id for f in st.session_state.get(UPLOADER) or []}
    for file_id in state.seen():
        if file_id not in current:
            state.remove_upload(file_id)


def read_new(files) -> None:
    """Read the files this session has not seen yet, one at a time; audit the upload."""
    new = [
        f for f in files if f.file_id not in state.uploads() and f.file_id not in state.dismissed()
    ]
    if not new:
        return
    unreadable = 0
    with st.spinner(f"Reading {len(new)} file(s)"):
        for file in new:
            taken = {u.name for u in state.uploads().values()}
            upload = read_upload(
                file.file_id,
                file.name,
                file.getvalue(),
                state.session_dir(),
                state.profile(),
                taken,
            )
            unreadable += upload.error is not None
            state.add_upload(upload)
    with services.workspace() as ws:
        ws.audit(user.username, "upload", files=len(new), unreadable=unreadable)


def show_file(upload, mapped) -> None:
    with st.container(border=True):
        head, button = st.columns([6, 1])
        head.markdown(f"**{upload.name}** · {upload.size / 1024:,.0f} KB")
        if button.button("Remove", key=f"remove_{upload.file_id}", icon=":material/delete:"):
            state.remove_upload(upload.file_id)
            st.rerun()
        if upload.error:
            st.error(upload.error)
            return
        sheets = upload.workbook.sheets
        if upload.workbook.empty_sheets:
            st.caption(f"Empty sheets skipped: {', '.join(upload.workbook.empty_sheets)}")
        for tab, sheet in zip(st.tabs([s.sheet for s in sheets]), sheets, strict=True):
            mapping = mapped.mapping_of(sheet.file, sheet.sheet)
            header = (
                f"header in row {sheet.header_row}" if sheet.header_row else "no header row found"
            )
            tab.caption(
                f"{header} · {len(sheet.frame):,} data rows · role **{mapping.role}** "
                f"({mapping.role_method}) · first {min(20, len(sheet.frame))} rows:"
            )
            tab.dataframe(preview(sheet), width="stretch", height=260)


st.title("Upload workbooks")
widgets.profile_picker("Profile used to read and map the files")
files = st.file_uploader(
    "Workbooks: .xlsx, .xlsm, .xls, .csv or .parquet",
    type=TYPES,
    accept_multiple_files=True,
    key=UPLOADER,
    on_change=forget_removed,
    help="Files stay in this browser session; nothing is shared with other users.",
)
read_new(files or [])
state.set_seen([f.file_id for f in files or []])

uploads = list(state.uploads().values())
if not uploads:
    st.info(
        "No workbooks yet. Drop the files above: each one is read on its own, so a file "
        "that cannot be "
        "read says why and the others still load."
    )
    st.stop()
mapped = state.mapped()
if mapped.sheets:
    st.subheader("Sheets")
    st.dataframe(sheet_summary(mapped, state.profile()), hide_index=True, width="stretch")
    widgets.link("mapping", "Next: check the profile and mapping", ":material/arrow_forward:")
st.subheader("Files")
for item in uploads:
    show_file(item, mapped)
