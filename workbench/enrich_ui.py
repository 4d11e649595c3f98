"""The Enrichment page's parts: filters, the paginated proposals, approve / reject / undo.

Every change goes through :class:`hotpass.enrich.ProposalStore`, which audits
it; approved values flow into the golden records on the next run.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from hotpass import HotpassError, ProposalStore, can, display_id, latest_finished, mask
from workbench import auth, paging, services, state, stored, widgets
from workbench.text import is_missing

ALL = "(all)"
STATUS_ORDER = {"pending": 0, "approved": 1, "rejected": 2}
SHOWN = ["proposal_id", "status", "record", "field", "current", "proposed", "confidence",
         "evidence", "provider", "reviewer"]
VERBS = {"approved": "approved", "rejected": "rejected", "pending": "put back to pending"}
LAST, NOTICE, CONFIRM = "hp.enrich.last", "hp.enrich.notice", "hp.enrich.confirm"
VERSION = "hp.enrich.version"  # part of the table's key: a new key clears the row selection
PAGE_KEY, NOTE_KEY = "enrich_page", "enrich_note"


def notice() -> None:
    """The outcome of the last action, shown once."""
    widgets.notice(NOTICE)


def counts(proposals: pd.DataFrame) -> dict[str, int]:
    """Proposals per status (every status listed)."""
    found = proposals["status"].value_counts() if len(proposals) else {}
    return {status: int(found.get(status, 0)) for status in STATUS_ORDER}


def filters(proposals: pd.DataFrame) -> dict:
    """Status, provider, field and lowest confidence, as ``ProposalStore.frame`` keywords."""
    cols = st.columns(4)
    status = cols[0].selectbox("Status", [*STATUS_ORDER, ALL], key="enrich_status")
    providers = [ALL, *sorted(proposals["provider"].dropna().unique())]
    provider = cols[1].selectbox("Provider", providers, key="enrich_provider")
    fields = [ALL, *sorted(proposals["field"].dropna().unique())]
    field = cols[2].selectbox("Field", fields, key="enrich_field")
    low = cols[3].slider("Confidence at least", 0.0, 1.0, 0.0, step=0.05, key="enrich_confidence")
    chosen = {"status": status, "provider": provider, "field": field, "min_confidence": low}
    if paging.follow(PAGE_KEY, tuple(chosen.values())):  # other rows: forget the selection
        st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1
    return {k: (None if v == ALL else v) for k, v in chosen.items()}


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Pending first, then by confidence (highest first) and id."""
    rank = frame["status"].map(STATUS_ORDER).fillna(9)
    frame = frame.assign(_rank=rank, _confidence=-frame["confidence"].astype(float))
    return frame.sort_values(["_rank", "_confidence", "proposal_id"], kind="stable").drop(
        columns=["_rank", "_confidence"]).reset_index(drop=True)


#: What names a golden record, per entity, for a run stored without its profile.
NAMED = {"organisation": "name", "contact": "full_name"}


def names(ws) -> dict[str, str]:
    """Golden record id -> name in the latest run, for every entity that has a name field ({}
    when there is no run, or it cannot be read now)."""
    run_id = latest_finished(ws)
    if run_id is None:
        return {}
    out: dict[str, str] = {}
    try:
        with stored.opened(ws, run_id) as result:
            for table, key, name in named_columns(result):
                if result.db.has(table) and {key, name} <= set(result.db.columns(table)):
                    rows = result.db.rows(f'SELECT "{key}", "{name}" FROM "{table}"')
                    out.update({str(k): str(v) for k, v in rows if not is_missing(v)})
    except HotpassError:
        return {}
    return out


def named_columns(result) -> list[tuple[str, str, str]]:
    """(golden table, id column, name column) of each entity of a stored run."""
    profile, out = result.profile, []
    for plural, entity in result.entities.items():
        known = profile is not None and entity in profile.entities
        name = profile.entity(entity).name_field() if known else NAMED.get(entity)
        if name:
            out.append((f"out_{plural}", f"{entity}_id", name))
    return out


def table(rows: pd.DataFrame, known: dict[str, str], reveal: bool | None = None) -> pd.DataFrame:
    """One page of proposals as shown: the record by name (when known) and its display id, the
    same on every page; personal values masked unless ``reveal`` (by default: whether this
    session's role, read on this run, may review)."""
    reveal = revealed() if reveal is None else reveal
    people = rows["record_kind"].isin(PEOPLE) if "record_kind" in rows else pd.Series(False, index=rows.index)
    shown = rows.assign(record=[
        f"{_masked(known[rid], 'name', reveal or not person)} · {display_id(rid)}" if rid in known
        else display_id(rid) for rid, person in zip(rows["record_id"], people, strict=True)])
    if not reveal:
        kinds = [personal(f, person) for f, person in zip(shown["field"], people, strict=True)]
        for column in ("current", "proposed"):
            shown[column] = [_masked(v, k, False) for v, k in zip(shown[column], kinds, strict=True)]
        shown["evidence"] = [_masked(v, "text" if k else None, False)  # it quotes the value
                             for v, k in zip(shown["evidence"], kinds, strict=True)]
    shown["confidence"] = shown["confidence"].astype(float)
    return shown[SHOWN].reset_index(drop=True)


#: Record kinds whose names are personal.
PEOPLE = ("contact", "person")


def revealed() -> bool:
    """Whether personal values are shown whole: this session's role (set from the workspace on
    every run by app.py) may review."""
    user = state.user()
    return user is not None and can(user.role, "review")


def personal(field: str, person: bool) -> str | None:
    """How a field's values are masked for roles below reviewer (None: not personal)."""
    name = str(field).lower()
    if "email" in name:
        return "email"
    if any(word in name for word in ("phone", "mobile", "whatsapp", "fax")):
        return "phone"
    if person and "name" in name:
        return "name"
    return None


def _masked(value, kind: str | None, reveal: bool) -> str:
    if is_missing(value):
        return value
    if reveal or kind is None:
        return value
    return mask(value, kind)


def proposals_table(frame: pd.DataFrame, known: dict[str, str]) -> list[int]:
    """One page of ``frame`` with row selection; returns the selected proposals' ids."""
    page = paging.pager(len(frame), PAGE_KEY, label="proposals")
    rows = paging.page_of(frame, page)
    version = st.session_state.get(VERSION, 0)
    event = st.dataframe(
        table(rows, known), key=f"enrich_table_{version}_{page}", on_select="rerun",
        selection_mode="multi-row", hide_index=True, width="stretch",
        column_config={"confidence": st.column_config.ProgressColumn(
            "confidence", min_value=0.0, max_value=1.0, format="%.2f", width="small"),
            "proposal_id": st.column_config.NumberColumn("#", width="small"),
            "evidence": st.column_config.TextColumn("evidence", width="large")})
    return [int(rows.iloc[i]["proposal_id"]) for i in event.selection.rows]


DETAILS_SHOWN = 10  # selected proposals shown whole below the table


def details(frame: pd.DataFrame, selected: list[int], known: dict[str, str]) -> None:
    """Each selected proposal whole: record, field, current and proposed value, confidence,
    provider and its evidence, which the table cuts to one line."""
    if not selected:
        st.caption("Select rows to read each proposal's evidence in full here.")
        return
    chosen = frame[frame["proposal_id"].astype(int).isin(selected)].head(DETAILS_SHOWN)
    for row in table(chosen, known).itertuples(index=False):
        with st.container(border=True):
            st.markdown(f"**#{row.proposal_id} · {row.record}** · `{row.field}` · {row.provider} · "
                        f"confidence {float(row.confidence):.2f} · {row.status}")
            cols = st.columns(2)
            cols[0].caption("current")
            cols[0].text(row.current if isinstance(row.current, str) and row.current else "(empty)")
            cols[1].caption("proposed")
            cols[1].text(row.proposed if isinstance(row.proposed, str) else str(row.proposed))
            st.caption("evidence")
            st.text(row.evidence if isinstance(row.evidence, str) else "")
    if len(selected) > DETAILS_SHOWN:
        st.caption(f"The first {DETAILS_SHOWN} of {len(selected)} selected proposals are shown in full.")


def actions(selected: list[int], username: str) -> None:
    """Approve, reject or undo the selected proposals, and undo the last action."""
    st.text_input("Note (optional)", key=NOTE_KEY, placeholder="why: kept with the decision")
    cols = st.columns(4)
    label = f"{len(selected)} selected" if selected else "select rows above"
    cols[0].button(f"Approve ({label})", key="enrich_approve", type="primary",
                   disabled=not selected, on_click=_set, args=(selected, "approved", username))
    cols[1].button(f"Reject ({label})", key="enrich_reject", disabled=not selected,
                   on_click=_set, args=(selected, "rejected", username))
    cols[2].button("Back to pending", key="enrich_pending", disabled=not selected,
                   on_click=_set, args=(selected, "pending", username))
    last = st.session_state.get(LAST) or []
    cols[3].button(f"Undo my last action ({len(last)})", key="enrich_undo", disabled=not last,
                   icon=":material/undo:", on_click=_set, args=(last, "pending", username))


def bulk(chosen: dict, matching: pd.DataFrame, username: str) -> None:
    """Approve or reject every pending proposal the filters select, after a confirmation."""
    pending = matching[matching["status"] == "pending"]
    asked = st.session_state.get(CONFIRM)
    if asked is None:
        cols = st.columns(2)
        for verdict, verb in (("approved", "Approve"), ("rejected", "Reject")):
            cols[0 if verdict == "approved" else 1].button(
                f"{verb} all {len(pending):,} pending shown…", key=f"enrich_all_{verdict}",
                disabled=pending.empty, on_click=_ask, args=(verdict,))
        return
    st.warning(f"Mark all {len(pending):,} pending proposal(s) matching the filters as "
               f"**{asked}**, as {username}?")
    cols = st.columns(2)
    cols[0].button("Yes", key="enrich_all_yes", type="primary", on_click=_set_all,
                   args=(chosen, asked, username))
    cols[1].button("Cancel", key="enrich_all_no", on_click=_ask, args=(None,))


def _ask(verdict: str | None) -> None:
    st.session_state[CONFIRM] = verdict


@auth.guarded("review")
def _set_all(chosen: dict, verdict: str, username: str) -> None:
    st.session_state[CONFIRM] = None
    with services.workspace() as ws:
        ids = ProposalStore(ws).frame(**{**chosen, "status": "pending"})["proposal_id"].tolist()
    _set([int(i) for i in ids], verdict, username)


@auth.guarded("review")
def _set(ids: list[int], verdict: str, username: str) -> None:
    note = (st.session_state.get(NOTE_KEY) or "").strip() or None
    try:
        with services.workspace() as ws:
            store = ProposalStore(ws)
            if verdict == "pending":
                changed = store.undo(ids, username)
            else:
                changed = store.decide(ids, verdict, username, note)
    except HotpassError as exc:
        st.session_state[NOTICE] = ("error", str(exc))
        return
    st.session_state[LAST] = [] if verdict == "pending" else changed
    st.session_state[VERSION] = st.session_state.get(VERSION, 0) + 1
    message = f"{len(changed):,} proposal(s) {VERBS[verdict]}."
    if verdict != "pending":
        message += " Approved values are applied on the next run."
    st.session_state[NOTICE] = ("success", message)
