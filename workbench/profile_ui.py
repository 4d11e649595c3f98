"""The profile half of the Profile & mapping page: upload, tune, check, save, download."""

from __future__ import annotations

import streamlit as st

from hotpass import ProfileError, load_profile
from workbench import services, state, tuning, widgets

_PROBLEMS = "hp.tune.problems"
_UPLOADED = "hp.tune.uploaded"  # (file id, error or None) of the last profile upload
_NOTICE = "hp.tune.notice"


def upload_yaml() -> None:
    """Use a profile from an uploaded YAML file, or list every problem it has."""
    file = st.file_uploader(
        "Or upload a profile (YAML)", type=["yaml", "yml"], key="profile_yaml", max_upload_size=1
    )
    if file is None:
        return
    done = st.session_state.get(_UPLOADED)
    if done is None or done[0] != file.file_id:
        try:
            profile = tuning.from_upload(file.name, file.getvalue())
        except ProfileError as exc:
            done = (file.file_id, exc)
        else:
            state.set_profile(profile, f"{profile.name} (uploaded {file.name})")
            done = (file.file_id, None)
        st.session_state[_UPLOADED] = done
    if done[1] is not None:
        widgets.show_profile_error(done[1])


def tune_form(user) -> None:
    """Synonyms, thresholds and source priorities in one form, checked as a whole profile."""
    chosen = state.chosen()
    profile, version = chosen.profile, chosen.version
    seen_version, problems = st.session_state.get(_PROBLEMS, (None, {}))
    problems = problems if seen_version == version else {}
    with st.form("tune", border=True):
        st.markdown("**Column synonyms** · headers that mean each field, separated by `;`")
        synonyms = st.data_editor(
            tuning.synonym_table(profile),
            key=f"tune_synonyms_{version}",
            hide_index=True,
            height=300,
            disabled=["record", "field", "label", "kind"],
            width="stretch",
        )
        _problems(problems, "synonyms")
        st.markdown("**Thresholds**")
        thresholds = _thresholds(profile, version)
        _problems(problems, "thresholds")
        st.markdown(
            "**Source priorities** · file-name glob → priority; "
            "higher wins when merged records disagree"
        )
        priorities = st.data_editor(
            tuning.priority_table(profile),
            key=f"tune_priorities_{version}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={"priority": st.column_config.NumberColumn(step=1, format="%d")},
        )
        _problems(problems, "priorities")
        comparisons = _comparisons(profile, version)
        _problems(problems, "comparisons")
        _problems(problems, "other")
        submitted = st.form_submit_button(
            "Check and use these settings", type="primary", key="tune_submit"
        )
    if submitted:
        _apply(profile, synonyms, thresholds, priorities, user, comparisons)


def _comparisons(profile, version: int):
    """The field comparisons of the entities that compare declared fields, or None."""
    entities = tuning.comparison_entities(profile)
    if not entities:
        st.caption("Duplicates are found with the built-in organisation comparisons; "
                   "see docs/profiles.md to compare declared fields instead.")
        return None
    st.markdown("**Comparisons** · how two records are compared to decide they are the same "
                "(thresholds separated by `;`, empty for the method's default)")
    return st.data_editor(
        tuning.comparison_table(profile),
        key=f"tune_comparisons_{version}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "record": st.column_config.SelectboxColumn(options=entities, required=True),
            "method": st.column_config.SelectboxColumn(
                options=list(tuning.METHODS), required=True,
                help="; ".join(f"{k}: {v}" for k, v in tuning.METHOD_HELP.items())),
            "term_frequency": st.column_config.CheckboxColumn(
                help="Agreement on a rare value counts for more than on a common one"),
        },
    )


def _thresholds(profile, version: int) -> dict:
    values = {}
    columns = st.columns(len(tuning.THRESHOLDS))
    for column, (section, key, label) in zip(columns, tuning.THRESHOLDS, strict=True):
        current = getattr(getattr(profile, section), key)
        step, low, high = (0.01, 0.01, 0.99) if section == "resolution" else (1.0, 0.0, 100.0)
        values[(section, key)] = column.number_input(
            label,
            min_value=low,
            max_value=high,
            value=float(current),
            step=step,
            key=f"tune_{section}_{key}_{version}",
            help=f"`{section}.{key}`",
        )
    return values


def _problems(grouped: dict, section: str) -> None:
    if grouped.get(section):
        st.error("\n".join(f"- `{p}`" for p in grouped[section]))


def _apply(profile, synonyms, thresholds, priorities, user, comparisons=None) -> None:
    try:
        new = tuning.tuned(profile, synonyms, thresholds, priorities, comparisons)
    except ProfileError as exc:
        st.session_state[_PROBLEMS] = (state.chosen().version, tuning.group_problems(exc.problems))
        st.rerun()
    st.session_state.pop(_PROBLEMS, None)
    label = state.chosen().label
    state.set_profile(new, label if label.endswith("(tuned)") else f"{label} (tuned)")
    with services.workspace() as ws:
        ws.audit(user.username, "profile.tune", profile=new.name)
    st.session_state[_NOTICE] = "Settings checked and in use; sheets were mapped again."
    st.rerun()


def notice() -> None:
    """A one-time note left by the last action."""
    message = st.session_state.pop(_NOTICE, None)
    if message:
        st.success(message)


def save_and_download(user) -> None:
    """Save the profile in use into the workspace under a new name, or download it as YAML."""
    profile = state.profile()
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    with left.form("save_profile", border=False):
        name = st.text_input(
            "Save as (new profile name)", key="save_name", placeholder=f"{profile.name}-tuned"
        )
        saved = st.form_submit_button("Save profile", icon=":material/save:", key="save_submit")
    right.download_button(
        "Download YAML",
        data=profile.to_yaml(),
        file_name=f"{profile.name}.yaml",
        mime="application/x-yaml",
        icon=":material/download:",
        key="profile_download",
        on_click=_audit_download,
        args=(user.username, profile.name),
    )
    if saved:
        try:
            path = tuning.save(profile, name, services.workspace_dir())
        except ProfileError as exc:
            widgets.show_profile_error(exc)
            return
        with services.workspace() as ws:
            ws.audit(user.username, "profile.save", profile=path.stem)
        state.set_profile(load_profile(path), f"{path.stem} (saved)", by_name=True)
        st.session_state[_NOTICE] = f"Saved as {path.stem}: it is now in the profile list."
        st.rerun()


def _audit_download(username: str, name: str) -> None:
    with services.workspace() as ws:
        ws.audit(username, "download", what="profile", profile=name)
