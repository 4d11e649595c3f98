"""The Run page's parts: the Run button, live progress per stage, and how the run ended.

Progress is read from the workspace by a fragment that redraws itself every
``POLL_SECONDS`` while the run is queued or running (and nothing else on the
page); when the run ends it reruns the page once, which then shows the
outcome and stops polling.
"""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError
from workbench import auth, changes_ui, downloads, kept, overview, running, services, state, widgets
from workbench.text import md

POLL_SECONDS = 1.0
NOTE = "run"
RETRAIN_KEY = "run_retrain_labels"


def run_button(username: str, active: int | None, ready: bool) -> None:
    """Run, disabled while this user's run is going (or there is nothing to run); beside it the
    option to retrain from labels, disabled with the reason while there are too few."""
    retrain_option()
    help_text = (f"Your run {active} is still going." if active is not None
                 else None if ready else "Upload workbooks that can be read first.")
    st.button("Run", type="primary", icon=":material/play_arrow:", key="run_start",
              disabled=active is not None or not ready, help=help_text, on_click=_start,
              args=(username,))


def retrain_option() -> None:
    """The option to re-estimate the matching model from reviewers' same/different decisions in
    this run (off, with the reason, while there are too few)."""
    with services.workspace() as ws:
        pairs, same = running.labelled_pairs(ws)
        why = running.labels_wanting(ws)
    if why:
        st.session_state[RETRAIN_KEY] = False
    st.checkbox("Retrain the matching model from reviewers' decisions", key=RETRAIN_KEY,
                disabled=why is not None,
                help=why[0].upper() + why[1:] + "." if why else
                f"{pairs:,} pairs decided on Review duplicates ({same:,} the same) re-estimate how much "
                "each agreement counts; the run says how many of them it used.")
    if why:
        st.caption(f"Not available yet: {md(why)}.")


@auth.guarded("run")
def _start(username: str) -> None:
    uploads, mapped, profile = state.uploads(), state.mapped(), state.profile()
    retrain = bool(st.session_state.get(RETRAIN_KEY))
    try:
        with services.workspace() as ws:
            run_id = running.start(ws, username, uploads, mapped, profile, retrain_from_labels=retrain)
    except (running.RunRefused, HotpassError) as exc:
        state.tell(NOTE, "error", f"The run was not started: {md(exc)}")
        return
    state.tell(NOTE, "info", f"Run {run_id} started in the background. You can leave this page: "
                             "it goes on, and other people can go on working.")


def current(username: str) -> running.RunState | None:
    """This user's current (or last) run, or None before their first."""
    with services.workspace() as ws:
        run_id = kept.current_run(ws, username)
        return running.state_of(ws, run_id) if run_id is not None else None


def live(first: running.RunState) -> None:
    """Progress bars of the run, redrawn until it ends (then the page is drawn again)."""
    def draw() -> None:
        with services.workspace() as ws:
            now = running.state_of(ws, first.run_id)
        if first.active and not now.active:
            st.rerun()  # the whole page: the outcome below the bars, and no more polling
        progress(now)

    st.fragment(draw, run_every=POLL_SECONDS if first.active else None)()


def progress(run: running.RunState) -> None:
    words = {"queued": "waiting for its worker", "running": "running", "ok": "finished",
             "blocked": "finished, not published", "failed": "failed"}
    st.subheader(f"Run {run.run_id}: {words.get(run.status, run.status)}")
    st.caption(f"Profile **{md(run.profile)}** · {len(run.files)} file(s) · started by "
               f"{md(run.username)}")
    for _, fraction, text in running.bars(run):
        st.progress(fraction, text=md(text))


def outcome(run: running.RunState, username: str) -> None:
    """How a finished run ended: published, blocked (with the override form) or failed."""
    if run.status == "failed":
        stage, why = running.failure(run)
        where = f" at “{stage}”" if stage else ""
        st.error(f"The run failed{where}: {md(why)}. The workspace keeps the run as failed; your "
                 "uploads and mapping are kept, so you can fix the cause and run again.")
    elif run.status == "blocked":
        blocked(run, username)
    elif run.status == "ok":
        with services.workspace() as ws:
            overridden = running.override_of(ws, run.run_id)
        st.success(f"Run {run.run_id} finished and published"
                   + (" (blocking checks overridden)." if overridden else "."))
        widgets.link("downloads", "Download the results", ":material/download:")
    if run.status in running.FINISHED:
        summary(run)
        changes_ui.section(run.run_id, "run")
    timings(run)


def summary(run: running.RunState) -> None:
    """The records the run wrote per entity ("People 4,216"), pairs to review, mean quality."""
    counts = run.summary
    made, main = overview.outputs(counts), overview.main_entity(counts)
    cols = st.columns(len(made) + 2)
    for col, (plural, value) in zip(cols, made.items(), strict=False):
        col.metric(plural.capitalize(), downloads.count(value))
    cols[-2].metric("Pairs to review", counts.get("Pairs waiting for review", 0))
    mean = overview.quality(counts)
    cols[-1].metric("Quality, mean", "–" if mean is None else mean,
                    help=f"Mean quality score of the {main}, out of 100." if main else None)
    with services.workspace() as ws:
        retrained = running.retraining(ws, run.run_id)
    lines = [{"measure": k, "value": str(v)} for k, v in counts.items()]
    if retrained is not None:
        done, used, notes = retrained
        if done:
            st.info(f"The matching model was retrained from {used:,} labelled pairs (reviewers' same/"
                    "different decisions on this run's records).")
        else:
            st.warning("Retraining from labels was asked for but not done: "
                       + md("; ".join(notes) or "no decided pairs of this run's records") + ".")
        lines.insert(0, {"measure": "Model retrained from labelled pairs", "value": f"{used:,}"})
    with st.expander("Run summary"):
        st.dataframe(lines, hide_index=True, width="stretch")


def timings(run: running.RunState) -> None:
    table = running.timings_table(run)
    if table.empty:
        return
    st.subheader("Stage timings")
    st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3,
                 column_config={"seconds": st.column_config.NumberColumn(format="%.2f s")})


def blocked(run: running.RunState, username: str) -> None:
    """The failed blocking expectations and the override form (a reason is required, audited)."""
    st.error("Not published: blocking expectations failed. Fix the data (or the mapping) and run "
             "again, or publish anyway with a written reason, which is kept in the audit log.")
    with services.workspace() as ws:
        st.dataframe(running.blocked_by(ws, run.run_id), hide_index=True, width="stretch")
    with st.form("override"):
        st.text_area("Reason for publishing anyway", key="override_reason")
        st.form_submit_button("Publish anyway", key="override_submit", on_click=_publish,
                              args=(run.run_id, username))


@auth.guarded("run")
def _publish(run_id: int, username: str) -> None:
    reason = (st.session_state.get("override_reason") or "").strip()
    if not reason:
        state.tell(NOTE, "error", "A reason is required to publish anyway.")
        return
    try:
        with services.workspace() as ws:
            running.publish_anyway(ws, run_id, reason, username)
    except HotpassError as exc:
        state.tell(NOTE, "error", f"Run {run_id} was not published: {md(exc)}")
        return
    state.tell(NOTE, "success", f"Run {run_id} published with your reason (kept in the audit log).")
