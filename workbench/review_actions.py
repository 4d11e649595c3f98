"""The Review page's decisions: same for all, different / split, move, field pick, many at once,
and undo of the reviewer's own decisions.

Every decision is stored at once by a button callback wrapped in
:func:`workbench.auth.guarded` (the role is read again at the click), so the
queue drawn next is always the workspace's.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hotpass import HotpassError, display_id
from workbench import auth, services
from workbench import cluster_review as cr
from workbench.review_ui import NOTE_KEY, names_of, tell
from workbench.text import is_missing

# --- decisions ---------------------------------------------------------------------------------


def actions(
    latest: cr.Latest, unit: pd.Series, frame: pd.DataFrame, decisions: pd.DataFrame, username: str
) -> None:
    """Same for all, different / split, move, field pick (reviewers and admins only)."""
    keys = frame["record_key"].tolist()
    names = names_of(latest, frame, True)
    join = cr.joinable(keys, decisions)
    st.text_input("Note (optional)", key=NOTE_KEY, placeholder="why: kept with the decision")
    chosen = st.selectbox(
        "Member",
        keys,
        format_func=lambda k: names[k],
        key=f"review_member_{unit['unit']}",
        help="The member that Different / split, Move and Pick act on.",
    )
    subject = latest.subject
    cols = st.columns(2)
    cols[0].button(
        f"Same for all ({len(join)} as one {subject.label})",
        key="review_same",
        type="primary",
        icon=":material/join:",
        width="stretch",
        disabled=len(join) < 2,
        shortcut="S",
        on_click=_decide,
        args=("all", join, username, None, None),
    )
    two = len(join) == 2 and chosen in join
    label = f"Different {subject.plural}" if two else "Split this member out"
    cols[1].button(
        label,
        key="review_different",
        icon=":material/call_split:",
        width="stretch",
        shortcut="D",
        disabled=len(keys) < 2 or chosen not in join,
        on_click=_decide,
        args=("different" if two else "split", keys, username, chosen, None),
    )
    move(latest, keys, chosen, names, username)
    pick(latest, frame, keys, names, username)


def move(
    latest: cr.Latest, keys: list[str], chosen: str, names: dict[str, str], username: str
) -> None:
    """Move the chosen member into another cluster, found by name or id."""
    with st.expander("Move this member to another cluster"):
        needle = st.text_input(
            "Find the target by name or id",
            key="review_move_search",
            placeholder="part of a name, or an id such as ORG-1A2B",
        )
        found = cr.search(latest, needle, keys) if (needle or "").strip() else pd.DataFrame()
        if found.empty:
            st.caption(
                "Type part of a name or id to find the record to move it to."
                if not (needle or "").strip()
                else "No record of the run matches."
            )
            return
        labels = {
            r.record_key: f"{'' if is_missing(r.name) else r.name} · {r.id} · cluster {r.cluster}"
            for r in found.itertuples(index=False)
        }
        target = st.selectbox(
            "Target", list(labels), format_func=lambda k: labels[k], key="review_move_target"
        )
        st.button(
            f"Move {names[chosen]} to {labels.get(target, '')}",
            key="review_move",
            icon=":material/move_down:",
            on_click=_decide,
            args=("move", keys, username, chosen, target),
        )


def pick(
    latest: cr.Latest, frame: pd.DataFrame, keys: list[str], names: dict[str, str], username: str
) -> None:
    """Which member's value of a field survives in the golden record."""
    with st.expander("Pick the surviving value of a field"):
        differ = [
            f for f in latest.fields if f in frame and frame[f].dropna().astype(str).nunique() > 1
        ]
        if not differ:
            st.caption("The members agree on every field: there is nothing to pick.")
            return
        field = st.selectbox(
            "Field",
            differ,
            key="review_pick_field",
            format_func=lambda f: latest.subject.fields.get(f, f.replace("_", " ")),
        )
        having = frame[frame[field].notna()] if field in frame else frame.iloc[0:0]
        options = {
            r["record_key"]: f"{r[field]} — {names[r['record_key']]}" for _, r in having.iterrows()
        }
        winner = st.radio(
            "Value that survives",
            list(options),
            format_func=lambda k: options[k],
            key=f"review_pick_member_{field}",
        )
        st.button(
            "Keep this value",
            key="review_pick",
            icon=":material/check:",
            on_click=_decide,
            args=("pick", keys, username, winner, field),
        )
        st.caption(
            "Applied by survivorship on the next run, before its rules; undo it like any decision."
        )


@auth.guarded("review")
def _decide(
    kind: str, keys: list[str], username: str, chosen: str | None, other: str | None
) -> None:
    note = (st.session_state.get(NOTE_KEY) or "").strip() or None
    try:
        with services.workspace() as ws:
            ids = store(ws, kind, keys, username, chosen, other, note)
    except HotpassError as exc:
        tell("error", str(exc))
        return
    st.session_state[NOTE_KEY] = ""
    words = {
        "all": "same for all",
        "different": "different",
        "split": "split out",
        "move": "moved",
        "pick": f"the value of {other} picked",
    }[kind]
    tell(
        "success",
        f"Decision {', '.join(f'#{i}' for i in ids)} saved: {words}. "
        "It takes effect on the next run.",
    )


def store(
    ws,
    kind: str,
    keys: list[str],
    username: str,
    chosen: str | None,
    other: str | None,
    note: str | None,
) -> list[int]:
    """Store one action on the unit whose members are ``keys``; returns the decision ids."""
    if kind == "all":
        anchor, rest = keys[0], keys[1:]
        return ws.decide_all("same", [(anchor, k) for k in rest], username, note or "same for all")
    if kind == "different":
        other_key = next(k for k in keys if k != chosen)
        return [ws.decide("different", chosen, other_key, reviewer=username, note=note)]
    if kind == "split":
        return [ws.decide("split", chosen, None, keys, username, note)]
    if kind == "move":
        return [ws.decide("move", chosen, other, keys, username, note)]
    return [ws.decide("pick", chosen, other, keys, username, note)]


# --- many at once ------------------------------------------------------------------------------

CONFIRM = "hp.review.confirm"


def bulk(latest: cr.Latest, queue: pd.DataFrame, decisions: pd.DataFrame, username: str) -> None:
    """ "Same for all" on every queued cluster whose pending pairs are all at or above a match
    probability, after a confirmation (one action per cluster, each undone on its own)."""
    st.subheader("Accept many at once")
    low = float(
        latest.edges.loc[latest.edges["band"] == "review", "match_probability"].min() or 0.5
    )
    threshold = st.number_input(
        "Same for all on every cluster whose pending pairs are all at or above "
        "this match probability",
        0.5,
        1.0,
        value=max(0.8, round(low, 2)),
        step=0.01,
        key="review_bulk_threshold",
    )
    count = len(cr.sure(queue, latest, decisions, threshold))
    asked = st.session_state.get(CONFIRM)
    if asked is None:
        st.button(
            f"Accept {count:,} cluster(s) as same for all…",
            key="review_bulk",
            disabled=not count,
            on_click=_ask,
            args=(float(threshold),),
        )
        return
    count = len(cr.sure(queue, latest, decisions, asked))
    st.warning(
        f"Record “same for all” for {count:,} cluster(s) whose pending pairs are all at or above "
        f"{asked:.2f}, as {username}? Each can be undone later."
    )
    cols = st.columns(2)
    cols[0].button(
        "Yes, accept them",
        key="review_bulk_yes",
        type="primary",
        on_click=_accept,
        args=(username, asked),
    )
    cols[1].button("Cancel", key="review_bulk_no", on_click=_ask, args=(None,))


def _ask(threshold: float | None) -> None:
    st.session_state[CONFIRM] = threshold


@auth.guarded("review")
def _accept(username: str, threshold: float) -> None:
    st.session_state[CONFIRM] = None
    note = f"bulk same for all: pending pairs at or above {threshold:.2f}"
    try:
        with services.workspace() as ws:
            latest, decisions = cr.load(ws), ws.decisions()
            chosen = cr.sure(cr.pending(cr.units(latest, decisions)), latest, decisions, threshold)
            ids = [
                store(ws, "all", cr.joinable(list(m), decisions), username, None, None, note)
                for m in chosen["members"]
                if len(cr.joinable(list(m), decisions)) > 1
            ]
    except HotpassError as exc:
        tell("error", str(exc))
        return
    tell(
        "success",
        f"{len(ids):,} cluster(s) accepted as same for all ({sum(map(len, ids)):,} "
        "decisions). They take effect on the next run.",
    )


# --- undo --------------------------------------------------------------------------------------


def undo(latest: cr.Latest, username: str, reveal: bool) -> None:
    """This reviewer's latest decisions (by name and id), undo of the latest or of any one."""
    with services.workspace() as ws:
        recent = cr.mine(ws, username)
    st.subheader("Your latest decisions")
    if recent.empty:
        st.caption("You have no active decisions.")
        return
    named = dict(
        zip(latest.clusters["record_key"].map(display_id), latest.clusters["name"], strict=True)
    )
    kind = latest.masks.get(latest.fields[0]) if latest.fields and not reveal else None
    recent.insert(3, "name", [_name(named.get(r), kind) for r in recent["record"]])
    st.dataframe(recent, hide_index=True, width="stretch", key="review_mine")
    cols = st.columns([1, 2, 1], vertical_alignment="bottom")
    cols[0].button(
        "Undo my last decision",
        key="review_undo",
        icon=":material/undo:",
        shortcut="U",
        on_click=_undo,
        args=(username, None),
    )
    ids = recent["decision"].tolist()
    words = {
        int(r.decision): f"#{r.decision} · {r.kind} · {r.record} {r.name}".strip()
        for r in recent.itertuples(index=False)
    }
    cols[1].selectbox("Or undo decision", ids, key="review_undo_pick", format_func=words.get)
    cols[2].button(
        "Undo it", key="review_undo_one", on_click=_undo, args=(username, "review_undo_pick")
    )


def _name(value, kind: str | None) -> str:
    if is_missing(value):
        return ""
    return cr.mask(value, kind) if kind else str(value)


@auth.guarded("review")
def _undo(username: str, key: str | None) -> None:
    chosen = st.session_state.get(key) if key else None
    try:
        with services.workspace() as ws:
            undone = ws.undo_action(username, chosen)
    except HotpassError as exc:
        tell("error", str(exc))
        return
    listed = ", ".join(f"#{i}" for i in undone) or "none"
    tell("info", f"Undone: {listed}. The machine's verdict applies again on the next run.")
