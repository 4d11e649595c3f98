"""A sheet's role as the operator confirms or changes it, on Upload and on Profile & mapping.

A select box of the roles the profile allows (its entities, mixed, side
table, activity log, lookup, ignore) with readable labels; for a side table or
activity log the column that names the record each row belongs to (and a
log's date column); below them who decided the role, how sure, and why. A
change is kept at once in the user's mapping recipe (:func:`workbench.kept.set_role`),
so it holds after a reload and for next month's files with the same file and
sheet names.
"""

from __future__ import annotations

import hashlib
from functools import partial

import streamlit as st

from hotpass import HotpassError
from workbench import auth, kept, mapping, services, state
from workbench.text import md

NOTE = "roles"
_HELP = ("What the sheet holds. Records: one per row (or a parent record per row with its "
         "people: mixed). A side table adds its columns to the records its key column names; an "
         "activity log adds how many dated rows each record has and the latest date. Lookup lists "
         "and ignored sheets never become records.")


def sheet_id(sheet) -> str:
    """A short, stable name of a sheet for widget keys."""
    return hashlib.sha256(f"{sheet.file}\0{sheet.sheet}".encode()).hexdigest()[:10]


def sheet_role(box, sheet, found, profile, version: str, username: str, where: str) -> None:
    """Draw the role controls of one sheet (mapped as ``found``) in ``box`` (a tab, an expander or
    the page); ``where`` keeps the widget keys of two pages apart."""
    options = mapping.role_options(profile)
    options += [found.role] if found.role not in options else []
    keyed = found.role in mapping.KEYED
    parts = box.columns([3, 2, 2]) if keyed else [box]
    base = f"{where}_{sheet_id(sheet)}_{version}"
    chosen = (sheet.file, sheet.sheet, found.role, found.key, found.date)
    parts[0].selectbox("Role", options, index=options.index(found.role), key=f"{base}_role",
                       format_func=partial(mapping.role_label, profile=profile), help=_HELP,
                       on_change=_changed, args=(f"{base}_role", username, chosen, 2))
    if keyed:
        columns = [str(c) for c in sheet.columns]
        parts[1].selectbox("Key column", columns, key=f"{base}_key",
                           index=columns.index(found.key) if found.key in columns else None,
                           placeholder="choose a column", on_change=_changed,
                           args=(f"{base}_key", username, chosen, 3),
                           help="The column naming the record each row belongs to (ID or name).")
    if found.role == "activity_log":
        columns = [str(c) for c in sheet.columns]
        parts[2].selectbox("Date column", columns, key=f"{base}_date",
                           index=columns.index(found.date) if found.date in columns else None,
                           placeholder="choose a column", on_change=_changed,
                           args=(f"{base}_date", username, chosen, 4),
                           help="When each event happened; the latest date is kept on the record.")
    box.caption(md(mapping.role_note(found)))
    if keyed and not found.key:
        box.warning("Choose the key column: until then this sheet's rows are not attached to "
                    "any record.")


@auth.guarded("tune")
def _changed(widget: str, username: str, chosen: tuple, position: int) -> None:
    """Keep the role, key or date column just chosen (``position`` in ``chosen``) with the rest."""
    values = list(chosen)
    values[position] = st.session_state.get(widget)
    file, sheet, role, key, date = values
    if not role:
        return
    key = key if role in mapping.KEYED else None
    date = date if role == "activity_log" else None
    try:
        with services.workspace() as ws:
            kept.set_role(ws, username, file, sheet, role, key, date)
    except HotpassError as exc:
        state.tell(NOTE, "error", f"The role of {md(sheet)} was not kept: {md(exc)}")
