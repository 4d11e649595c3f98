"""Profile & mapping: choose or tune the profile, and correct where each column goes."""

from __future__ import annotations

import streamlit as st

from hotpass import MappingError, set_target
from workbench import auth, kept, profile_ui, services, state, widgets
from workbench.sources import ROLES, changed_targets, mapping_table, target_options
from workbench.text import md

user = auth.require("tune")


def sheet_editor(index: int, sheet, mapping, profile, version: int) -> None:
    """The role and column targets of one sheet; changes are applied at once."""
    role = st.selectbox(
        "Sheet role",
        ROLES,
        index=ROLES.index(mapping.role),
        key=f"role_{index}_{version}",
        help="organisation: one organisation per row; contact: one person per row; "
        "mixed: an organisation per row with its people; ignore: not read.",
    )
    if role != mapping.role:
        with services.workspace() as ws:
            kept.set_role(ws, user.username, sheet.file, sheet.sheet, role)
        st.rerun()
    edited = st.data_editor(
        mapping_table(mapping, profile),
        key=f"map_{index}_{version}",
        hide_index=True,
        width="stretch",
        disabled=["source column", "confidence", "method", "check"],
        column_config=columns(mapping, profile),
    )
    apply(sheet, mapping, profile, changed_targets(mapping, edited))


def columns(mapping, profile) -> dict:
    return {
        "target field": st.column_config.SelectboxColumn(
            options=target_options(mapping, profile),
            required=True,
            help="The canonical field this column feeds; (ignore) keeps it as an extra column.",
        ),
        "confidence": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d"),
        "check": st.column_config.TextColumn(
            help=f"Mapped with confidence below {profile.mapping.confident_score:g}: check it."
        ),
    }


def apply(sheet, mapping, profile, changes: list) -> None:
    """Point each changed column at its new target (kept for this user), then redraw."""
    if not changes:
        return
    for source, target in changes:
        try:
            set_target(mapping, source, target, profile)
        except MappingError as exc:
            st.error(str(exc))
            return
    with services.workspace() as ws:
        kept.add_edits(ws, user.username, sheet.file, sheet.sheet, changes)
    st.rerun()


def mappings() -> None:
    mapped, profile = state.mapped(), state.profile()
    st.header("Column mapping")
    if not mapped.sheets:
        st.info("No sheets to map yet: upload workbooks first.")
        widgets.link("upload", "Upload workbooks", ":material/upload_file:")
        return
    for problem in mapped.problems:
        st.warning(problem)
    confident = profile.mapping.confident_score
    for index, (sheet, mapping) in enumerate(zip(mapped.sheets, mapped.mappings, strict=True)):
        unsure = len(mapping.uncertain(confident))
        title = f"{md(sheet.file)} · {md(sheet.sheet)} · {mapping.role}" + (
            f" · ⚠ {unsure} to check" if unsure else ""
        )
        with st.expander(title, expanded=bool(unsure)):
            sheet_editor(index, sheet, mapping, profile, mapped.version)
    widgets.link("run", "Next: run the refinement", ":material/arrow_forward:")


st.title("Profile & mapping")
profile_ui.notice()
st.header("Profile")
widgets.profile_picker("Profile in use")
st.caption(state.profile().description or "")
profile_ui.upload_yaml()
mappings()
st.header("Tune the profile")
st.caption(
    "Changes are checked as a whole profile; every problem is shown beside the setting it is about."
)
profile_ui.tune_form(user)
st.header("Save or download")
profile_ui.save_and_download(user)
