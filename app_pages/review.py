"""Review duplicates: the latest finished run's uncertain pairs, one at a time, with the reasons."""

from __future__ import annotations

import streamlit as st

from hotpass import HotpassError, latest_finished, review
from workbench import auth, review_ui, services, stored, widgets
from workbench import review_queue as rq
from workbench.text import md

user = auth.require("review")
st.title("Review duplicates")


def latest(ws) -> tuple[int | None, object, int, rq.Subject]:
    """The latest finished run, its pending pairs, how many of its pairs were reviewed and what
    its records are."""
    run_id = latest_finished(ws)
    if run_id is None:
        return None, None, 0, rq.Subject()
    return run_id, review.queue(ws), review.counts(ws)[0], rq.subject(ws, run_id)


try:
    with services.workspace() as ws:
        run_id, queue, reviewed, subject = stored.retrying(lambda: latest(ws))
except HotpassError as exc:
    st.error(f"The latest run cannot be read just now: {md(exc)}")
    st.stop()
if run_id is None:
    st.info("No finished run yet: run the refinement first, then review the pairs it was "
            "unsure about.")
    widgets.link("run", "Run the refinement", ":material/play_circle:")
    st.stop()

review_ui.notice()
cols = st.columns(3)
cols[0].metric("Reviewed", f"{reviewed:,}")
cols[1].metric("Remaining", f"{len(queue):,}")
cols[2].metric("Run", run_id)
st.info("Decisions are saved at once and take effect on the **next run**: “different” records "
        "are never merged, “same” records always are; an undone decision gives the machine's "
        "verdict back.", icon=":material/info:")
widgets.link("run", "Run again to apply the decisions", ":material/play_circle:")

if queue.empty:
    st.success("Nothing waits for review in the latest run.")
else:
    low, high, needle = review_ui.filters()
    pending = rq.filtered(queue, low, high, needle)
    focus = review_ui.queue_table(pending)
    if focus is None:
        st.info("No pending pair matches these filters.")
    else:
        review_ui.pair(pending.iloc[focus], focus, len(pending), user.username, subject)
    st.divider()
    review_ui.bulk(queue, user.username, subject)
st.divider()
review_ui.undo(user.username)
