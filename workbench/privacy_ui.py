"""The Privacy page's parts: the suppression list, the register of processing, and purges.

Every change is made in a button callback re-checked with ``auth.guarded("admin")``;
the outcome is kept in the session and shown once above the page. Nothing
shown here is a value from the data: the list is counted, never listed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hotpass import (
    REGISTER_COLUMNS,
    HotpassError,
    purge,
    register_markdown,
    register_rows,
    suppress,
    suppression_counts,
)
from workbench import auth, services, widgets

NOTICE = "hp.privacy.notice"
PURGE_PLAN = "hp.privacy.purge_plan"
FIELDS = ("privacy_email", "privacy_phone", "privacy_name", "privacy_reason")


def notice() -> None:
    """The outcome of the last change, once."""
    widgets.notice(NOTICE)


def _tell(kind: str, message: str) -> None:
    widgets.tell(NOTICE, kind, message)


def suppression_section(username: str) -> None:
    """How many identifiers are on the list, and a form to add a person to it."""
    with services.workspace() as ws:
        counts = suppression_counts(ws)
    st.caption("Stored as salted hashes only: the list says whether an email, phone or name is on "
               "it, never what is. "
               + " · ".join(f"{kind}: {number}" for kind, number in counts.items()))
    with st.form("privacy_suppress", clear_on_submit=True):
        st.markdown("**Suppress a person**: left out of every export of every later run")
        cols = st.columns(3)
        cols[0].text_input("Email", key="privacy_email")
        cols[1].text_input("Phone", key="privacy_phone")
        cols[2].text_input("Full name (everyone of that name)", key="privacy_name")
        st.text_input("Reason (required; audited)", key="privacy_reason")
        st.form_submit_button("Suppress", type="primary", on_click=_suppress, args=(username,),
                              key="privacy_suppress_submit")


@auth.guarded("admin")
def _suppress(username: str) -> None:
    email, phone, name, reason = (str(st.session_state.get(k) or "").strip() or None for k in FIELDS)
    try:
        with services.workspace() as ws:
            added = suppress(ws, email=email, phone=phone, name=name, reason=reason or "",
                                         username=username)
    except (ValueError, HotpassError) as exc:
        _tell("error", str(exc))
        return
    _tell("success", f"{added} identifier(s) added to the suppression list; already listed ones are "
          "not added again.")


def register_section() -> None:
    """The register of processing, with both downloads."""
    with services.workspace() as ws:
        rows = register_rows(ws)
        markdown = register_markdown(ws)
    frame = pd.DataFrame(rows, columns=REGISTER_COLUMNS)
    st.dataframe(frame[["profile", "entity", "field", "kind", "purposes", "lawful_bases", "retention_days"]],
                 hide_index=True, width="stretch")
    cols = st.columns(2)
    cols[0].download_button("Register (Markdown)", markdown, "register-of-processing.md", "text/markdown",
                            key="privacy_register_md", icon=":material/download:")
    cols[1].download_button("Register (CSV)", frame.to_csv(index=False), "register-of-processing.csv",
                            "text/csv", key="privacy_register_csv", icon=":material/download:")
    with st.expander("The register as text"):
        st.markdown(markdown)


def purge_section(username: str) -> None:
    """A dry run first; "Purge now" is offered only after it (and purges what is past retention then)."""
    st.button("Dry run: what is past retention?", key="privacy_purge_dry", on_click=_dry_run, args=(username,))
    plan = st.session_state.get(PURGE_PLAN)
    if plan is None:
        st.caption("Nothing is removed until you have seen the dry run.")
        return
    st.markdown(plan["markdown"].replace("# ", "#### ", 1))
    st.button("Purge now", key="privacy_purge_now", type="primary", disabled=not any(plan["counts"].values()),
              on_click=_purge, args=(username,), icon=":material/delete_forever:")


@auth.guarded("admin")
def _dry_run(username: str) -> None:
    with services.workspace() as ws:
        report = purge(ws, dry_run=True, username=username)
    counts = {k: v for k, v in report.counts().items() if k != "kept_runs"}
    st.session_state[PURGE_PLAN] = {"markdown": report.markdown(), "counts": counts}


@auth.guarded("admin")
def _purge(username: str) -> None:
    st.session_state.pop(PURGE_PLAN, None)
    try:
        with services.workspace() as ws:
            report = purge(ws, username=username)
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    counts = report.counts()
    _tell("success", f"Purged {counts['runs']} run(s), {counts['files']} file(s) or folder(s), "
          f"{counts['uploads']} upload(s); report: {report.report_path}")
