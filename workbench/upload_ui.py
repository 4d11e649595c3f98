"""The Upload page's parts: the drop zone that keeps files in the workspace, and each file's sheets.

Dropped files are kept at once (a callback, before the page is drawn), then
the drop zone is replaced by an empty one: the kept list below it is what
counts, in this tab, a new tab or after a reload.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from hotpass import LAWFUL_BASES, HotpassError, declare_purpose, declared_purpose
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
    """The purpose of the files, then the drop zone; each file dropped is kept for ``username`` with
    that purpose and lawful basis (audited by the workspace)."""
    purpose_picker()
    key = uploader_key()
    st.file_uploader(
        "Workbooks: .xlsx, .xlsm, .xls, .csv or .parquet",
        accept_multiple_files=True,  # no type=: Streamlit raises on a name like ".."; refused in _keep
        key=key,
        on_change=_keep,
        args=(key, username),
        help="Kept in the workspace for you (not shared with other users) until you remove them.",
    )


PURPOSE, BASIS = "upload_purpose", "upload_lawful_basis"
_FROM_PURPOSE = "(the purpose's)"


def purpose_picker() -> None:
    """What the files dropped next are processed for, and their people's lawful basis when a row
    gives none (kept with each upload; columns the purpose may not use are dropped at the run)."""
    settings = state.profile().privacy
    keys = list(settings.purposes)
    first = keys.index(settings.default_purpose) if settings.default_purpose in keys else 0
    if st.session_state.get(PURPOSE) not in keys:  # picked with another profile
        st.session_state.pop(PURPOSE, None)
    cols = st.columns(2)
    cols[0].selectbox("Purpose of these files", keys, index=first, key=PURPOSE,
                      format_func=lambda k: settings.purposes[k].label or k,
                      help="What the people in these files are processed for (POPIA). A run uses "
                      "only the columns this purpose may use; the others are dropped and named in "
                      "the findings.")
    cols[1].selectbox("Lawful basis when a row gives none", [_FROM_PURPOSE, *LAWFUL_BASES], key=BASIS,
                      help="POPIA s11: " + "; ".join(f"{k}: {v}" for k, v in LAWFUL_BASES.items()))


def chosen_purpose() -> tuple[str | None, str | None]:
    """(purpose, lawful basis) picked above the drop zone."""
    basis = st.session_state.get(BASIS)
    return st.session_state.get(PURPOSE) or None, None if basis in (None, _FROM_PURPOSE) else basis


def purpose_caption(sha256: str, username: str) -> str:
    """What a kept file was declared for."""
    with services.workspace() as ws:
        found = declared_purpose(ws, sha256, username)
    if found is None or not found.purpose:
        return "No purpose declared: every column is used"
    spec = state.profile().privacy.purposes.get(found.purpose)
    label = (spec.label if spec else "") or found.purpose
    basis = found.lawful_basis or (spec.lawful_basis if spec else "") or "none"
    return f"Purpose: {label} · lawful basis when a row gives none: {basis}"


def supported(name: str | None) -> bool:
    """Whether an uploaded file's name ends in one of :data:`TYPES` (``..`` or ``x.txt`` do not)."""
    stem, dot, suffix = str(name or "").rpartition(".")
    return bool(dot) and suffix.lower() in TYPES and stem.strip(". /\\") != ""


@auth.guarded("upload")
def _keep(key: str, username: str) -> None:
    files = st.session_state.get(key) or []
    refused = []
    with services.workspace() as ws:
        for file in files:
            if not supported(file.name):
                refused.append(f"{file.name or '(no name)'}: not a workbook this page reads "
                               f"(.{', .'.join(TYPES)})")
                continue
            try:
                reason = sources.keep(ws, username, file.name, file.getvalue())
                if not reason:
                    declare_purpose(ws, username, hashlib.sha256(file.getvalue()).hexdigest(),
                                     *chosen_purpose())
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
        head.caption(purpose_caption(upload.sha256, username))
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
