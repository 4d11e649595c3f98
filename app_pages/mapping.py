"""Profile & mapping: choose or tune the profile, and correct where each column goes."""

from __future__ import annotations

import streamlit as st

from hotpass import NOT_RECORDS, MappingError, set_target
from workbench import auth, kept, profile_ui, roles_ui, services, state, widgets
from workbench.mapping import changed_targets, mapping_table, role_label, target_options
from workbench.text import md

user = auth.require("tune")


def sheet_editor(index: int, sheet, found, looks, profile, version: str) -> None:
    """The role and column targets of one sheet, each column with what its values look like;
    changes are kept at once."""
    roles_ui.sheet_role(st, sheet, found, profile, version, user.username, "map")
    table = mapping_table(found, profile, looks)
    if found.role in NOT_RECORDS:
        st.caption("This sheet makes no records of its own, so its columns are not mapped. "
                   "What they hold:")
        st.dataframe(table[["source column", "looks like", "sample values"]],
                     hide_index=True, width="stretch")
        return
    edited = st.data_editor(
        table,
        key=f"map_{index}_{version}",
        hide_index=True,
        width="stretch",
        disabled=["source column", "looks like", "sample values", "confidence", "method",
                  "check"],
        column_config=columns(found, profile),
    )
    apply(sheet, found, profile, changed_targets(found, edited))


def columns(mapping, profile) -> dict:
    return {
        "target field": st.column_config.SelectboxColumn(
            options=target_options(mapping, profile),
            required=True,
            help="The canonical field this column feeds; (ignore) keeps it as an extra column.",
        ),
        "looks like": st.column_config.TextColumn(
            width="small", help="The kind of value most of the column's cells look like."
        ),
        "sample values": st.column_config.TextColumn(
            width="medium", help="The column's first distinct values."
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
        st.warning(md(problem))
    confident = profile.mapping.confident_score
    for index, (sheet, found) in enumerate(zip(mapped.sheets, mapped.mappings, strict=True)):
        unsure = len(found.uncertain(confident))
        role = role_label(found.role, profile, short=True)
        title = f"{md(sheet.file)} · {md(sheet.sheet)} · {role}" + (
            f" · ⚠ {unsure} to check" if unsure else ""
        )
        with st.expander(title, expanded=bool(unsure)):
            sheet_editor(index, sheet, found, mapped.looks_of(sheet.file, sheet.sheet), profile,
                         mapped.version)
    widgets.link("run", "Next: run the refinement", ":material/arrow_forward:")


st.title("Profile & mapping")
profile_ui.notice()
state.told(roles_ui.NOTE)
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
