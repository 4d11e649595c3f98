"""The Review page's parts: filters, the paginated queue, one pair, decisions, undo, bulk accept.

Every decision is stored at once (a button callback, before the page is drawn
again), so the counts and the queue shown are always the workspace's.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from hotpass import HotpassError, review
from workbench import auth, paging, services
from workbench import review_queue as rq

FOCUS, VERSION = "hp.review.focus", "hp.review.version"
CONFIRM, NOTICE = "hp.review.confirm", "hp.review.notice"
PAGE_KEY = "review_page"


def notice() -> None:
    """The outcome of the last action (set by a callback), shown once."""
    kind, message = st.session_state.pop(NOTICE, (None, None))
    if kind:
        getattr(st, kind)(message)


def _tell(kind: str, message: str) -> None:
    st.session_state[NOTICE] = (kind, message)


def filters() -> tuple[float, float, str]:
    """The probability range and name filter; changing them goes back to the first pair."""
    left, right = st.columns([2, 3])
    low, high = left.slider("Match probability", 0.0, 1.0, (0.0, 1.0), step=0.01,
                            key="review_probability")
    needle = right.text_input("Name contains", key="review_text",
                              placeholder="part of either record's name")
    if paging.follow(PAGE_KEY, (low, high, needle)):  # other rows: forget the selection
        st.session_state[FOCUS] = 0
        st.session_state[VERSION] = int(st.session_state.get(VERSION, 0)) + 1
    return low, high, needle


def queue_table(pending: pd.DataFrame) -> int | None:
    """One page of the queue (the only rows sent to the browser); returns the pair to show."""
    if pending.empty:
        return None
    page = paging.pager(len(pending), PAGE_KEY, label="pairs")
    rows = paging.page_of(pending, page)
    start, stop = int(rows.index[0]), int(rows.index[-1]) + 1
    shown = rq.table(rows).reset_index(drop=True)
    probability = st.column_config.ProgressColumn("probability", min_value=0.0, max_value=1.0,
                                                  format="%.3f")
    event = st.dataframe(shown, key=f"review_table_{st.session_state.get(VERSION, 0)}_{page}",
                         on_select="rerun", selection_mode="single-row", hide_index=True,
                         width="stretch", column_config={"probability": probability})
    focus = int(st.session_state.get(FOCUS, 0))
    if event.selection.rows:
        focus = start + int(event.selection.rows[0])
    elif not start <= focus < stop:
        focus = start
    st.session_state[FOCUS] = focus
    return focus


def pair(row: pd.Series, position: int, total: int, username: str, subject: rq.Subject) -> None:
    """Both records side by side, why the machine hesitated, and the decision buttons."""
    st.subheader(f"Pair {position + 1:,} of {total:,}")
    top = st.columns(3)
    top[0].metric("Match probability", f"{float(row['match_probability']):.3f}")
    top[1].metric("Match weight", f"{float(row['match_weight']):.2f}")
    top[2].caption(f"A: `{row['key_l']}`  \nB: `{row['key_r']}`")
    left, right = st.columns([3, 2])
    with left:
        st.dataframe(rq.styled(rq.compare(row, subject)), width="stretch", key="review_compare")
        st.caption("Highlighted: fields whose values differ.")
    right.plotly_chart(rq.waterfall(row), width="stretch", key="review_waterfall")
    with services.workspace() as ws:
        frames = rq.clusters(ws, [str(row["key_l"]), str(row["key_r"])])
    _clusters(frames)
    _actions(row, username, frames, subject)


def _clusters(frames: list[pd.DataFrame]) -> None:
    with st.expander("Their clusters in the latest run"):
        for label, frame in zip(("Record A", "Record B"), frames, strict=True):
            st.markdown(f"**{label}'s cluster** · {len(frame)} record(s)")
            st.dataframe(frame, hide_index=True, width="stretch")


def _actions(row: pd.Series, username: str, frames: list[pd.DataFrame],
             subject: rq.Subject) -> None:
    pair_id = f"{row['key_l']}|{row['key_r']}"
    note_key = "review_note_" + hashlib.sha1(pair_id.encode()).hexdigest()[:12]
    st.text_input("Note (optional)", key=note_key, placeholder="why: kept with the decision")
    cols = st.columns(2)
    cols[0].button(subject.kind("same").capitalize(), key="review_same", type="primary",
                   icon=":material/join:", width="stretch", on_click=_decide,
                   args=("same", row, username, note_key, subject))
    cols[1].button(subject.kind("different").capitalize(), key="review_different",
                   icon=":material/call_split:", width="stretch", on_click=_decide,
                   args=("different", row, username, note_key, subject))
    with st.expander("Split a record out, or move it into the other's cluster"):
        side = st.radio("Record", ["l", "r"], key="review_side", horizontal=True,
                        format_func=lambda s: {"l": "Record A", "r": "Record B"}[s])
        alone = len(frames[0 if side == "l" else 1]) <= 1
        together = str(row["key_r"]) in frames[0]["record key"].tolist()
        cols = st.columns(2)
        cols[0].button("Split out of its cluster", key="review_split", on_click=_decide,
                       args=("split", row, username, note_key, subject, side), width="stretch",
                       disabled=alone, help="Its cluster has no other record." if alone else None)
        cols[1].button("Move into the other's cluster", key="review_move", on_click=_decide,
                       args=("move", row, username, note_key, subject, side), width="stretch",
                       disabled=together,
                       help="Both records are already in one cluster." if together else None)
        st.caption("Split keeps the record apart from every other record of its cluster; move "
                   "also puts it with the other record. Both take effect on the next run.")


@auth.guarded("review")
def _decide(kind: str, row: pd.Series, username: str, note_key: str, subject: rq.Subject,
            side: str = "l") -> None:
    note = (st.session_state.get(note_key) or "").strip()
    try:
        with services.workspace() as ws:
            decision = rq.record(ws, kind, row, username, note, side)
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    if kind == "split":  # the pair itself stays pending: go on to the next one
        st.session_state[FOCUS] = int(st.session_state.get(FOCUS, 0)) + 1
    st.session_state[VERSION] = int(st.session_state.get(VERSION, 0)) + 1
    _tell("success", f"Decision #{decision} saved: {subject.kind(kind)}. "
                     "It takes effect on the next run.")


def undo(username: str) -> None:
    """This reviewer's latest decisions, and undo of the last N."""
    with services.workspace() as ws:
        recent = rq.mine(ws, username)
    st.subheader("Your latest decisions")
    if recent.empty:
        st.caption("You have no active decisions.")
        return
    st.dataframe(recent, hide_index=True, width="stretch")
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    count = left.number_input("How many", min_value=1, max_value=50, value=1, step=1,
                              key="review_undo_count")
    right.button(f"Undo my last {int(count)} decision(s)", key="review_undo",
                 icon=":material/undo:", on_click=_undo, args=(username,))


@auth.guarded("review")
def _undo(username: str) -> None:
    count = int(st.session_state.get("review_undo_count") or 1)
    try:
        with services.workspace() as ws:
            undone = ws.undo_last(username, count)
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    st.session_state[VERSION] = int(st.session_state.get(VERSION, 0)) + 1
    listed = ", ".join(f"#{i}" for i in undone) or "none"
    _tell("info", f"Undone: {listed}. Those pairs are pending again; the machine's verdict "
                  "applies on the next run.")


def bulk(queue: pd.DataFrame, username: str, subject: rq.Subject) -> None:
    """Accept every pending pair at or above a probability as "same", after a confirmation."""
    st.subheader("Accept many at once")
    threshold = st.number_input("Accept every pending pair at or above this match probability",
                                0.5, 1.0, value=0.9, step=0.01, key="review_bulk_threshold")
    count = len(rq.at_or_above(queue, threshold))
    confirming = st.session_state.get(CONFIRM)
    if confirming is None:
        st.button(f"Accept {count:,} pair(s) as same…", key="review_bulk", disabled=not count,
                  on_click=_ask, args=(float(threshold),))
        return
    count = len(rq.at_or_above(queue, confirming))
    st.warning(f"Record “{subject.kind('same')}” for {count:,} pending pair(s) at or above "
               f"{confirming:.2f}, one decision each, as {username}? Each can be undone later.")
    cols = st.columns(2)
    cols[0].button("Yes, accept them", key="review_bulk_yes", type="primary", on_click=_accept,
                   args=(username, confirming, subject))
    cols[1].button("Cancel", key="review_bulk_no", on_click=_cancel)


def _ask(threshold: float) -> None:
    st.session_state[CONFIRM] = threshold


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


@auth.guarded("review")
def _accept(username: str, threshold: float, subject: rq.Subject) -> None:
    st.session_state.pop(CONFIRM, None)
    try:
        with services.workspace() as ws:
            ids = rq.accept(ws, rq.at_or_above(review.queue(ws), threshold), username, threshold)
    except HotpassError as exc:
        _tell("error", str(exc))
        return
    st.session_state[VERSION] = int(st.session_state.get(VERSION, 0)) + 1
    _tell("success", f"{len(ids):,} pair(s) accepted as the {subject.kind('same')}. "
                     "They take effect on the next run.")
