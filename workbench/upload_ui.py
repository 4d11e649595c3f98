"""The Upload page's parts: the drop zone that keeps files in the workspace, and each file's sheets.

Dropped files are kept at once (a callback, before the page is drawn), then
the drop zone is replaced by an empty one: the kept list below it is what
counts, in this tab, a new tab or after a reload.
"""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError
from workbench import auth, roles_ui, services, sources, state
from workbench.text import md

UPLOADER = "upload_files"  # the drop zone's key is UPLOADER_<n>; n grows after each drop
TYPES = ["xlsx", "xlsm", "xls", "csv", "parquet"]
NOTE = "upload"
_DROPS = "hp.upload.drops"


def uploader_key() -> str:
    """The key of the drop zone drawn now."""
    return f"{UPLOADER}_{st.session_state.get(_DROPS, 0)}"


def uploader(username: str) -> None:
    """The drop zone; each file dropped is kept for ``username`` (audited by the workspace)."""
    key = uploader_key()
    st.file_uploader(
        "Workbooks: .xlsx, .xlsm, .xls, .csv or .parquet",
        type=TYPES,
        accept_multiple_files=True,
        key=key,
        on_change=_keep,
        args=(key, username),
        help="Kept in the workspace for you (not shared with other users) until you remove them.",
    )


@auth.guarded("upload")
def _keep(key: str, username: str) -> None:
    files = st.session_state.get(key) or []
    refused = []
    with services.workspace() as ws:
        for file in files:
            try:
                reason = sources.keep(ws, username, file.name, file.getvalue())
            except HotpassError as exc:
                reason = str(exc)
            if reason:
                refused.append(reason)
    st.session_state[_DROPS] = st.session_state.get(_DROPS, 0) + 1  # a fresh, empty drop zone
    if refused:
        state.tell(NOTE, "error", "\n\n".join(md(r) for r in refused))


def show_file(upload: sources.Upload, mapped, profile, username: str) -> None:
    """One kept file: its name as uploaded, size, Remove, then its error or its sheets, each with
    its role (to confirm or change) and first rows."""
    with st.container(border=True):
        head, button = st.columns([6, 1])
        head.markdown(f"**{md(upload.name)}** · {upload.size / 1024:,.0f} KB")
        button.button("Remove", key=f"remove_{upload.upload_id}", icon=":material/delete:",
                      on_click=_remove, args=(username, upload.upload_id))
        if upload.error:
            st.error(md(upload.error))
            return
        book = upload.workbook
        if book.empty_sheets:
            st.caption(f"Empty sheets skipped: {md(', '.join(book.empty_sheets))}")
        tabs = st.tabs([md(s.sheet) for s in book.sheets])
        for tab, sheet in zip(tabs, book.sheets, strict=True):
            found = mapped.mapping_of(sheet.file, sheet.sheet)
            header = (f"header in row {sheet.header_row}" if sheet.header_row
                      else "no header row found")
            tab.caption(f"{header} · {len(sheet.frame):,} data rows")
            roles_ui.sheet_role(tab, sheet, found, profile, mapped.version, username, "upload")
            shown = min(sources.PREVIEW_ROWS, len(sheet.frame))
            tab.caption(f"First {shown} rows:")
            tab.dataframe(sources.preview(sheet), width="stretch", height=260)


@auth.guarded("upload")
def _remove(username: str, upload_id: int) -> None:
    try:
        with services.workspace() as ws:
            sources.remove(ws, username, upload_id)
    except HotpassError as exc:  # removed meanwhile in another tab
        state.tell(NOTE, "warning", md(str(exc)))
