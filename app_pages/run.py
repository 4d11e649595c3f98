"""Run: refine this session's sheets with progress per stage; override a blocked publish."""

from __future__ import annotations

import streamlit as st

from workbench import auth, running, state, widgets

user = auth.require("run")


def summary(outcome) -> None:
    refined = outcome.refined
    counts = dict(refined.summary)
    cols = st.columns(4)
    cols[0].metric("Organisations", f"{counts.get('Output organisations', 0):,}")
    cols[1].metric("Contacts", f"{counts.get('Output contacts', 0):,}")
    cols[2].metric("Pairs to review", counts.get("Pairs waiting for review", 0))
    cols[3].metric("Quality, mean", counts.get("Quality score, mean (organisations)", "–"))
    with st.expander("Run summary"):
        st.dataframe(
            [{"measure": k, "value": str(v)} for k, v in refined.summary],
            hide_index=True,
            width="stretch",
        )


def blocked(outcome) -> None:
    st.error(
        "Not published: blocking expectations failed. Fix the data (or the mapping) and run again, "
        "or publish anyway with a written reason, which is kept in the audit log."
    )
    st.dataframe(outcome.blocked_by(), hide_index=True, width="stretch")
    with st.form("override"):
        reason = st.text_area("Reason for publishing anyway", key="override_reason")
        if st.form_submit_button("Publish anyway", key="override_submit"):
            if not reason.strip():
                st.error("A reason is required.")
                return
            running.override(outcome, reason.strip(), user.username)
            st.rerun()


def last_outcome() -> None:
    outcome = state.result()
    if outcome is None:
        return
    if outcome.status == "failed":
        stage = running.STAGE_LABELS.get(outcome.stage, outcome.stage or "start")
        st.error(
            f"The run failed at “{stage}”: {outcome.message}. The workspace keeps the run "
            "as failed; "
            "your uploads and mapping are still here."
        )
    elif outcome.status == "blocked":
        blocked(outcome)
    else:
        run_id = outcome.refined.run_id
        override = (outcome.refined.gate or {}).get("override")
        st.success(
            f"Run {run_id} finished and published"
            + (" (blocking checks overridden)." if override else ".")
        )
    if outcome.refined is not None:
        summary(outcome)
    if outcome.timings:
        st.subheader("Stage timings")
        table = running.timings_table(outcome.timings)
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            height=35 * (len(table) + 1) + 3,
            column_config={"seconds": st.column_config.NumberColumn(format="%.2f s")},
        )


st.title("Run the refinement")
mapped = state.mapped()
if not mapped.sheets:
    st.info("Nothing to run yet: upload workbooks first, then check the mapping.")
    widgets.link("upload", "Upload workbooks", ":material/upload_file:")
    st.stop()
profile = state.profile()
st.markdown(
    f"**{len(mapped.workbooks)}** file(s), **{len(mapped.sheets)}** sheet(s), profile "
    f"**{state.chosen().label}**."
)
unreadable = [u.name for u in state.uploads().values() if u.error]
if unreadable:
    st.warning(f"Left out, because they could not be read: {', '.join(unreadable)}.")
unsure = sum(len(m.uncertain(profile.mapping.confident_score)) for m in mapped.mappings)
if unsure:
    st.warning(
        f"{unsure} column(s) were mapped with low confidence (⚠ check on Profile & mapping)."
    )
if st.button("Run", type="primary", icon=":material/play_arrow:", key="run_start"):
    running.run(user.username)
last_outcome()
