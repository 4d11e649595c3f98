"""The Review page's parts that show: the reviewer's place in the queue, blind mode, one uncertain
cluster (its members, the match probability between them, the waterfall of the pair chosen) and
the notices; the decisions are in :mod:`workbench.review_actions`.

Roles below reviewer see the page read-only: personal values masked and no action buttons.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from workbench import cluster_review as cr
from workbench import review_queue as rq
from workbench import services, widgets
from workbench.text import is_missing, md

NOTICE, SPOT = "hp.review.notice", "hp.review.spot"
NOTE_KEY = "review_note"


def notice() -> None:
    """The outcome of the last action (set by a callback), shown once, in a slot drawn on every
    run (so the elements below keep their place and an open expander stays open)."""
    widgets.notice(NOTICE, st.container())


def tell(kind: str, message: str) -> None:
    widgets.tell(NOTICE, kind, message)


# --- where the reviewer is ---------------------------------------------------------------------


def place(ws, username: str, reviewer: bool) -> dict | None:
    """The reviewer's saved place in the queue (the workspace's for reviewers, this session's
    for read-only users)."""
    if reviewer:
        return ws.get_state(username, cr.POSITION)
    return st.session_state.get(SPOT)


def keep_place(
    ws, username: str, reviewer: bool, run_id: int, queue: pd.DataFrame, index: int
) -> None:
    """Remember the unit shown (only when it changed)."""
    spot = {"run": run_id, "unit": str(queue.iloc[index]["unit"]), "index": int(index)}
    if place(ws, username, reviewer) == spot:
        return
    if reviewer:
        ws.set_state(username, cr.POSITION, spot)
    else:
        st.session_state[SPOT] = spot


def _step(
    run_id: int, queue: pd.DataFrame, index: int, username: str, reviewer: bool, by: int
) -> None:
    index = (index + by) % len(queue)
    spot = {"run": run_id, "unit": str(queue.iloc[index]["unit"]), "index": int(index)}
    if reviewer:
        with services.workspace() as ws:
            ws.set_state(username, cr.POSITION, spot)
    else:
        st.session_state[SPOT] = spot


def blind(ws, username: str, reviewer: bool) -> bool:
    """The blind-mode toggle (scores hidden while deciding), kept per reviewer."""
    if "review_blind" not in st.session_state and reviewer:
        st.session_state["review_blind"] = bool(ws.get_state(username, cr.BLIND, False))
    on = st.toggle(
        "Blind mode: hide scores while deciding",
        key="review_blind",
        help="Match probabilities, weights and the heatmap stay hidden until you turn it off.",
    )
    if reviewer and bool(ws.get_state(username, cr.BLIND, False)) != on:
        ws.set_state(username, cr.BLIND, on)
    return on


def header(counts: tuple[int, int], run_id: int, position: int) -> None:
    """Reviewed and remaining clusters, and the run."""
    reviewed, remaining = counts
    cols = st.columns(3)
    cols[0].metric("Clusters reviewed", f"{reviewed:,}")
    cols[1].metric("Clusters to review", f"{remaining:,}")
    cols[2].metric("Run", run_id)


def navigation(run_id: int, queue: pd.DataFrame, index: int, username: str, reviewer: bool) -> None:
    """Previous / next cluster (N for next)."""
    cols = st.columns([1, 1, 4])
    for col, (label, icon, step) in zip(cols, [("Previous", "arrow_back", -1), ("Next", "arrow_forward", 1)],
                                        strict=False):
        col.button(label, key=f"review_{label.lower()}", icon=f":material/{icon}:", width="stretch",
                   on_click=_step, args=(run_id, queue, index, username, reviewer, step),
                   shortcut=label[0])
    cols[2].caption(
        "Keys: **S** same for all · **D** different / split the chosen member out · "
        "**N** next · **P** previous · **U** undo your last decision."
        if reviewer
        else "Keys: **N** next · **P** previous."
    )


# --- the cluster -------------------------------------------------------------------------------


def cluster(
    latest: cr.Latest,
    unit: pd.Series,
    frame: pd.DataFrame,
    pairs: pd.DataFrame,
    status: dict[str, str],
    position: int,
    total: int,
    hide_scores: bool,
    reveal: bool,
) -> None:
    """The unit's members (names first), the pairs among them and, for the pair chosen, why."""
    clusters = frame["cluster"].nunique()
    st.subheader(
        f"Cluster {position + 1:,} of {total:,} · {unit['unit']} · {len(frame)} "
        f"{latest.subject.plural}" + (f" in {clusters} clusters of the run" if clusters > 1 else "")
    )
    shown = members_table(latest, frame, status, reveal)
    st.dataframe(shown, hide_index=True, width="stretch", key=f"review_members_{unit['unit']}")
    if not reveal:
        st.caption("Personal values are masked for your role.")
    names = names_of(latest, frame, reveal)
    if hide_scores:
        st.caption(
            f"{len(pairs)} pair(s) compared; {int(unit['pending'])} wait for a decision. "
            "Scores are hidden in blind mode."
        )
        return
    left, right = st.columns([2, 3])
    ids = dict(zip(frame["record_key"], frame["id"], strict=True))
    left.plotly_chart(heatmap(cr.matrix(pairs, ids), names), width="stretch", key="review_heatmap")
    with right:
        chosen = edge_choice(pairs, names, str(unit["unit"]))
        if chosen is not None:
            st.plotly_chart(rq.waterfall(chosen), width="stretch", key="review_waterfall")


def members_table(
    latest: cr.Latest, frame: pd.DataFrame, status: dict[str, str], reveal: bool
) -> pd.DataFrame:
    """The members as shown: display id, cluster, the fields any member fills, decision, source."""
    filled = [f for f in latest.fields if f in frame and frame[f].notna().any()]
    shown = frame[["id", "cluster", *filled, "source"]].copy()
    shown.insert(2, "decision", [status.get(k, "") for k in frame["record_key"]])
    shown = shown.rename(
        columns={f: latest.subject.fields.get(f, f.replace("_", " ")) for f in filled}
    )
    masks = {latest.subject.fields.get(f, f.replace("_", " ")): k for f, k in latest.masks.items()}
    return cr.masked(shown, masks, not reveal)


def names_of(latest: cr.Latest, frame: pd.DataFrame, reveal: bool) -> dict[str, str]:
    """record_key -> "name · id" (the name masked when not ``reveal``)."""
    field = latest.fields[0] if latest.fields else None
    kind = latest.masks.get(field or "") if not reveal else None
    out = {}
    for _, row in frame.iterrows():
        value = row.get(field) if field else None
        name = "" if is_missing(value) else str(value)
        out[row["record_key"]] = (
            f"{cr.mask(name, kind) if kind and name else name or '(no name)'} · {row['id']}"
        )
    return out


def heatmap(matrix: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """The match probability of each pair of members, by id (blank: not compared); the hover
    names the two records."""
    label = {v.rsplit(" · ", 1)[-1]: v for v in names.values()}
    hover = [
        [f"{label.get(r, r)}<br>{label.get(c, c)}" for c in matrix.columns] for r in matrix.index
    ]
    text = matrix.map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    figure = go.Figure(
        go.Heatmap(
            z=matrix.values,
            x=list(matrix.columns),
            y=list(matrix.index),
            zmin=0,
            zmax=1,
            colorscale="RdYlGn",
            text=text.values,
            texttemplate="%{text}",
            customdata=hover,
            hovertemplate="%{customdata}<br>p = %{z:.3f}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    figure.update_layout(
        title="Match probability between members",
        height=360,
        template="plotly_white",
        margin={"t": 50, "b": 10, "l": 10, "r": 10},
        xaxis={"side": "bottom", "tickangle": -30},
        yaxis={"autorange": "reversed"},
    )
    return figure


def edge_choice(pairs: pd.DataFrame, names: dict[str, str], unit: str) -> pd.Series | None:
    """The pair whose weights are shown (the most uncertain first)."""
    if pairs.empty:
        st.caption("No pair of these records was scored.")
        return None
    labels = [
        f"{names.get(a, a)} ↔ {names.get(b, b)} · p {float(p):.3f} · {band}"
        for a, b, p, band in zip(
            pairs["key_l"], pairs["key_r"], pairs["match_probability"], pairs["band"], strict=True
        )
    ]
    picked = st.selectbox(
        "Pair", range(len(pairs)), format_func=lambda i: labels[i], key=f"review_edge_{unit}"
    )
    return pairs.iloc[int(picked or 0)]


def read_only(user) -> None:
    """Why a viewer sees no buttons."""
    st.info(
        f"Read-only: your role ({md(user.role)}) may look at the clusters waiting for review, with "
        "personal values masked, but not decide. Ask an admin for the reviewer role.",
        icon=":material/visibility:",
    )
