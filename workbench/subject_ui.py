"""The Data-subject requests page's parts: search, export, correct and erase one person (admins).

Every action is a button callback re-checked with ``auth.guarded("admin")`` at
the click. What a search found is kept in this session only (where each place
is: never the values), under a key no widget owns; the export's bytes too,
until downloaded. The library audits every action without the values
searched for.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hotpass import (
    HotpassError,
    Subject,
    correct_subject,
    erase_subject,
    export_subject,
    search_subject,
)
from workbench import auth, services, widgets

FOUND = "hp.subject.found"
EXPORT = "hp.subject.export"
NOTICE = "hp.subject.notice"
KEYS = ("subject_email", "subject_phone", "subject_name")


def notice() -> None:
    """The outcome of the last action, once."""
    widgets.notice(NOTICE)


def _tell(kind: str, message: str) -> None:
    widgets.tell(NOTICE, kind, message)


def _subject() -> Subject:
    email, phone, name = (str(st.session_state.get(k) or "").strip() or None for k in KEYS)
    return Subject.of(email=email, phone=phone, name=name)


def search_form(username: str) -> None:
    """Who to look for: an email, a phone and/or a name."""
    with st.form("subject_search"):
        cols = st.columns(3)
        cols[0].text_input("Email", key="subject_email")
        cols[1].text_input("Phone", key="subject_phone")
        cols[2].text_input("Full name (similar names are shown as possible)", key="subject_name")
        st.form_submit_button("Search everywhere", type="primary", icon=":material/search:",
                              on_click=_search, args=(username,), key="subject_search_submit")


@auth.guarded("admin")
def _search(username: str) -> None:
    st.session_state.pop(EXPORT, None)
    try:
        with services.workspace() as ws:
            found = search_subject(ws, _subject(), username)
    except HotpassError as exc:
        st.session_state.pop(FOUND, None)
        _tell("error", str(exc))
        return
    places = found.frame()
    st.session_state[FOUND] = {"places": places.where(places.notna(), ""), "counts": found.counts(), "notes": found.notes,
                               "runs": found.runs, "possible": len(found.possible), "fields": found.fields,
                               "exact": len(found.exact)}


def results() -> dict | None:
    """What the last search found: counts, where, and what could not be read."""
    found = st.session_state.get(FOUND)
    if not found:
        st.info("Search for a person by email, phone or name: every run, stored output, upload and "
                "workspace table is looked through. The search is audited (a hash of it, never the values).")
        return None
    cols = st.columns(4)
    cols[0].metric("Places holding them", f"{found['exact']:,}")
    cols[1].metric("Runs", f"{len(found['runs']):,}")
    cols[2].metric("Uploads", f"{found['counts'].get('upload', 0):,}")
    cols[3].metric("Possible (similar name)", f"{found['possible']:,}")
    for note in found["notes"]:
        st.warning(note)
    places: pd.DataFrame = found["places"]
    st.dataframe(places, hide_index=True, width="stretch", key="subject_places")
    return found


def export_section(username: str) -> None:
    """Build the zip of everything held (JSON, Markdown, HTML), then offer it."""
    st.button("Prepare the export (zip)", key="subject_export_prepare", icon=":material/inventory_2:",
              on_click=_export, args=(username,))
    ready = st.session_state.get(EXPORT)
    if ready:
        st.download_button("Download the export", data=ready, file_name="data-subject-request.zip",
                           mime="application/zip", key="subject_export_download", on_click="ignore",
                           icon=":material/download:")


@auth.guarded("admin")
def _export(username: str) -> None:
    import tempfile
    from pathlib import Path

    try:
        with services.workspace() as ws, tempfile.TemporaryDirectory() as folder:
            found = search_subject(ws, _subject(), username, audit=False)
            path = export_subject(ws, found, Path(folder) / "request.zip", username)
            st.session_state[EXPORT] = path.read_bytes()
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    _tell("success", f"Export ready: {len(found.exact)} place(s), {len(found.possible)} possible. "
                     "Download it below.")


def correct_section(username: str, fields: list[str]) -> None:
    """A correction of one field of their golden record, applied in every later run."""
    if not fields:
        st.caption("No golden record holds them: nothing to correct.")
        return
    with st.form("subject_correct", clear_on_submit=True):
        cols = st.columns([1, 2])
        cols[0].selectbox("Field", fields, key="subject_field")
        cols[1].text_input("Corrected value", key="subject_value")
        st.form_submit_button("Store the correction", on_click=_correct, args=(username,),
                              key="subject_correct_submit")


@auth.guarded("admin")
def _correct(username: str) -> None:
    field = st.session_state.get("subject_field")
    value = str(st.session_state.get("subject_value") or "").strip() or None
    try:
        with services.workspace() as ws:
            correction_id = correct_subject(ws, _subject(), field, value, username)
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    _tell("success", f"Correction {correction_id} stored: {field} is corrected in every later run.")


def erase_section(username: str) -> None:
    """Erase them everywhere (after a reason and a confirmation), and suppress them."""
    st.text_input("Reason (the request this answers; required, audited)", key="subject_reason")
    sure = st.checkbox("I understand: every run holding them is rebuilt without them, uploads are "
                       "rewritten, and this cannot be undone", key="subject_sure")
    st.button("Erase this person everywhere", type="primary", disabled=not sure, key="subject_erase",
              icon=":material/delete_forever:", on_click=_erase, args=(username,))


@auth.guarded("admin")
def _erase(username: str) -> None:
    reason = str(st.session_state.get("subject_reason") or "").strip()
    try:
        with services.workspace() as ws:
            done = erase_subject(ws, _subject(), reason=reason, username=username)
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    st.session_state.pop(FOUND, None)
    st.session_state.pop(EXPORT, None)
    st.session_state["subject_sure"] = False
    message = (f"Erased: {len(done.runs)} run(s) rebuilt, {done.source_rows} source row(s) and "
               f"{done.cells} cell(s) removed, {len(done.uploads_rewritten)} upload(s) rewritten, "
               f"{len(done.uploads_removed)} removed; on the suppression list.")
    outside = [n for n in done.notes if "outside the workspace" in n]
    if outside:
        message += (f" Not changed: {len(outside)} file(s) outside the workspace that a command-line run "
                    "read (a search lists them).")
    if done.left:
        _tell("warning", message + f" {len(done.left)} place(s) still hold them: search again.")
    else:
        _tell("success", message + " A new search finds nothing in the workspace.")
