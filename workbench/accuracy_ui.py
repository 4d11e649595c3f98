"""The Quality page's accuracy panel: precision, recall and F1 of a run's scores against reviewers'
same/different decisions, by match threshold, and thresholds set from that evidence.

The numbers come from :func:`hotpass.label_accuracy` (the run's scored pairs
against the pairwise decisions on its records). An admin may take a threshold
from the chart: it is written the way the Profile & mapping page writes tuned
thresholds (:func:`workbench.tuning.tuned`, kept as the admin's profile in use),
so the admin's next run uses it; the click is checked again and audited.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from hotpass import MIN_LABELS, HotpassError, Profile, ProfileError, can, label_accuracy
from workbench import auth, running, services, state, tuning, widgets
from workbench.text import md

#: The thresholds the chart draws (the run's own match and review thresholds are added).
THRESHOLDS = (*(round(0.05 * step, 2) for step in range(1, 20)), 0.99)
NOTE = "accuracy"
MATCH_KEY, REVIEW_KEY = "accuracy_match", "accuracy_review"
_KEPT = "hp.accuracy"  # (run id, decisions seen) -> (table, marks), for this session
LINES = (("precision", "Precision", "#2563eb"), ("recall", "Recall", "#0d9488"), ("f1", "F1", "#7c3aed"))


def marks_of(profile: Profile) -> dict[str, float]:
    """The match and review thresholds of the profile's first entity (the one the pairs score)."""
    resolution = profile.entity(profile.primary).resolution
    return {"match": float(resolution.match_threshold), "review": float(resolution.review_threshold)}


def measured(ws, run_id: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """(accuracy by threshold, the run's thresholds) of a stored run against the decisions now
    (no rows, and the run's pairs left unread, while nobody has decided a pair)."""
    marks = marks_of(running.run_profile(ws, run_id))
    if not running.labelled_pairs(ws)[0]:
        return pd.DataFrame(columns=["threshold", "labels", "current"]), marks
    table = label_accuracy(ws, run_id, thresholds=(*THRESHOLDS, marks["review"]))
    return table, marks


def figure(table: pd.DataFrame, marks: dict[str, float]) -> go.Figure:
    """Precision, recall and F1 against the threshold; the review band shaded, the match threshold
    drawn as a line."""
    fig = go.Figure()
    for column, name, colour in LINES:
        values = [None if pd.isna(v) else float(v) for v in table[column]]
        fig.add_trace(go.Scatter(x=table["threshold"].astype(float).tolist(), y=values, name=name,
                                 mode="lines+markers",
                                 line={"color": colour, "width": 2},
                                 hovertemplate=f"{name} %{{y:.3f}} at %{{x:.2f}}<extra></extra>"))
    fig.add_vrect(x0=marks["review"], x1=marks["match"], fillcolor="#f59e0b", opacity=0.12, line_width=0,
                  annotation_text="review band", annotation_position="bottom left")
    fig.add_vline(x=marks["match"], line={"color": "#dc2626", "width": 2},
                  annotation_text=f"match {marks['match']:g}", annotation_position="top left")
    fig.add_vline(x=marks["review"], line={"color": "#d97706", "width": 1, "dash": "dash"},
                  annotation_text=f"review {marks['review']:g}", annotation_position="top right")
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 30, "b": 10}, template="plotly_white",
                      legend={"orientation": "h", "y": 1.14}, xaxis_title="match threshold",
                      yaxis_title="share of labelled pairs")
    fig.update_xaxes(range=[0, 1])
    fig.update_yaxes(range=[-0.02, 1.15], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0])  # marks above 1
    return fig


def _table(run_id: int) -> tuple[pd.DataFrame, dict[str, float]]:
    """:func:`measured`, kept in this session until a decision is made or undone."""
    with services.workspace() as ws:
        decisions = ws.decisions()
        seen = (run_id, len(decisions), int(decisions["decision_id"].max()) if len(decisions) else 0)
        cached = st.session_state.get(_KEPT)
        if cached is None or cached[0] != seen:
            cached = (seen, measured(ws, run_id))
            st.session_state[_KEPT] = cached
    return cached[1]


def section(run_id: int, user) -> None:
    """The panel: the chart and its numbers, too few labels said plainly, the admin's setter."""
    st.subheader("Accuracy from reviewers' decisions")
    state.told(NOTE)
    try:
        table, marks = _table(run_id)
    except HotpassError as exc:
        st.warning(f"The accuracy of run {run_id} cannot be measured just now: {md(exc)}")
        return
    labelled = int(table["labels"].iloc[0]) if len(table) else 0
    if labelled < MIN_LABELS:
        st.info(f"{labelled} pair(s) of this run's records have a same/different decision: precision and "
                f"recall need at least {MIN_LABELS}. Decide more pairs on Review duplicates (each "
                "“same” or “different” is a label), then come back.")
        widgets.link("review", "Review duplicates", ":material/compare_arrows:")
        return
    at_match = table[table["current"]].iloc[0] if table["current"].any() else None
    same = int(table["tp"].iloc[0] + table["fn"].iloc[0])
    cols = st.columns(4)
    cols[0].metric("Labelled pairs", f"{labelled:,}")
    cols[1].metric("Decided same", f"{same:,}")
    cols[2].metric("Decided different", f"{labelled - same:,}")
    f1 = at_match["f1"] if at_match is not None else None
    cols[3].metric(f"F1 at match {marks['match']:g}", _share(f1))
    st.plotly_chart(figure(table, marks), width="stretch", key=f"accuracy_chart_{run_id}")
    st.caption("A labelled pair counts as found when its score is at or above the threshold (pairs the "
               "run did not score count as below every threshold). The shaded band is sent to review.")
    with st.expander("The numbers"):
        shown = table[["threshold", "precision", "recall", "f1", "tp", "fp", "fn", "tn"]]
        st.dataframe(shown, hide_index=True, width="stretch", key=f"accuracy_table_{run_id}")
    if can(user.role, "admin"):
        setter(run_id, table, marks, user.username)
    else:
        st.caption("An admin can set the match and review thresholds from this evidence.")


def setter(run_id: int, table: pd.DataFrame, marks: dict[str, float], username: str) -> None:
    """Choose the match threshold from the measured ones and the review threshold; Use keeps them
    as the admin's profile in use (tuned), for the next run."""
    rows = table.set_index("threshold")
    options = [float(t) for t in rows.index]
    match_key, review_key = f"{MATCH_KEY}_{run_id}", f"{REVIEW_KEY}_{run_id}"
    if st.session_state.get(match_key) not in options:
        st.session_state[match_key] = marks["match"] if marks["match"] in options else options[-1]
    if review_key not in st.session_state:
        st.session_state[review_key] = marks["review"]

    def described(threshold: float) -> str:
        row = rows.loc[threshold]
        return (f"{threshold:g} · precision {_share(row['precision'])} · recall {_share(row['recall'])} "
                f"· F1 {_share(row['f1'])}")

    left, right = st.columns([3, 1], vertical_alignment="bottom")
    left.selectbox("Merge pairs at or above (match threshold)", options, format_func=described,
                   key=match_key)
    right.number_input("Review pairs at or above", min_value=0.01, max_value=0.99, step=0.01,
                       key=review_key)
    st.button("Use these thresholds for my next run", key="accuracy_use", icon=":material/tune:",
              on_click=_use, args=(run_id, username),
              help="Kept as your profile in use (tuned), as the Profile & mapping page keeps tuned "
                   "thresholds; your next run uses them.")


@auth.guarded("admin")
def _use(run_id: int, username: str) -> None:
    match = float(st.session_state[f"{MATCH_KEY}_{run_id}"])
    review = float(st.session_state[f"{REVIEW_KEY}_{run_id}"])
    chosen = state.chosen()
    with services.workspace() as ws:
        ran = running.run_profile(ws, run_id)
    same = chosen.profile.name == ran.name  # else the run's own profile is tuned and put in use
    base, label = (chosen.profile, chosen.label) if same else (ran, ran.name)
    try:
        new = thresholds_set(base, match, review)
    except ProfileError as exc:
        state.tell(NOTE, "error", "The thresholds were not set: " + md("; ".join(exc.problems)))
        return
    label = label if label.endswith("(tuned)") else f"{label} (tuned)"
    state.set_profile(new, label)
    with services.workspace() as ws:
        ws.audit(username, "profile.tune", profile=new.name, source="labels", run=run_id,
                 match_threshold=match, review_threshold=review)
    state.tell(NOTE, "success", f"Thresholds set: merge at {match:g} or above, review at {review:g} or "
                                f"above. Your profile in use is now “{md(label)}”; your next run uses them.")


def thresholds_set(profile: Profile, match: float, review: float) -> Profile:
    """``profile`` with its first entity's match and review thresholds set (checked as a whole)."""
    return tuning.tuned(profile, tuning.synonym_table(profile),
                        {("resolution", "match_threshold"): match,
                         ("resolution", "review_threshold"): review},
                        tuning.priority_table(profile))


def _share(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{float(value):.3f}"
